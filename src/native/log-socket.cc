// The log sockets (/dev/log, /run/systemd/journal/socket). A message is worth keeping only
// with the unit that sent it, and the unit is found from the sender's /proc entry. `logger`
// sends one datagram and exits; once its parent has reaped it, /proc/PID is gone and so is
// the attribution. So the /proc facts are read on arrival, by a thread that sleeps in poll()
// on the socket, not whenever Node's loop gets to the message; and drain() lets the reaper
// take in whatever is queued before it reaps, so a child's last message is always read while
// the child is still in the process table.

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cerrno>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "errors.h"
#include "unix-socket.h"

namespace unitd {
namespace {

// journald takes datagrams up to its receive buffer; 64 KiB covers syslog(3) and
// sd_journal_print(3). Larger native messages arrive as a memfd (kMaxMemfd).
constexpr size_t kMaxDatagram = 64 * 1024;
constexpr size_t kMaxMemfd = 4 * 1024 * 1024;
// Held here until JavaScript takes them; a flood beyond this waits in the kernel's queue, so a
// sender blocks (as with journald) instead of the daemon's memory growing.
constexpr size_t kMaxQueued = 4096;
// How far up the parent chain a sender is followed to reach a process the manager knows.
constexpr int kMaxAncestors = 32;
const std::string kMarker = "UNITD_UNIT=";

// What /proc said about the sender when its message arrived.
struct Sender {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  bool found = false;  // /proc/PID/stat was readable
  pid_t ppid = 0;
  pid_t sid = 0;
  std::string comm;
  std::string unit;  // UNITD_UNIT from its environment (empty for a zombie: no memory left)
  std::vector<pid_t> ancestors;
};

struct Message {
  std::vector<uint8_t> data;
  int connection = -1;  // stream sockets: the accepted connection, owned by whoever holds the Message
  Sender sender;
  double receivedAt = 0;  // µs since the epoch
};

bool ReadSmallFile(const std::string& path, std::string* out, size_t limit) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out->clear();
  char buffer[4096];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out->append(buffer, static_cast<size_t>(n));
    if (out->size() >= limit) break;
  }
  close(fd);
  return true;
}

// /proc/PID/stat: "pid (comm) state ppid pgrp session ..."; comm may hold spaces and ')'.
bool ReadStat(pid_t pid, pid_t* ppid, pid_t* sid, std::string* comm) {
  std::string stat;
  if (!ReadSmallFile("/proc/" + std::to_string(pid) + "/stat", &stat, 4096)) return false;
  size_t open = stat.find('(');
  size_t close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return false;
  if (comm != nullptr) *comm = stat.substr(open + 1, close - open - 1);
  char state = 0;
  int parent = 0, group = 0, session = 0;
  if (sscanf(stat.c_str() + close + 1, " %c %d %d %d", &state, &parent, &group, &session) != 4) return false;
  *ppid = parent;
  *sid = session;
  return true;
}

std::string ReadMarker(pid_t pid) {
  std::string environ;
  if (!ReadSmallFile("/proc/" + std::to_string(pid) + "/environ", &environ, 1 << 20)) return "";
  size_t start = 0;
  while (start < environ.size()) {
    size_t end = environ.find('\0', start);
    if (end == std::string::npos) end = environ.size();
    if (environ.compare(start, kMarker.size(), kMarker) == 0) return environ.substr(start + kMarker.size(), end - start - kMarker.size());
    start = end + 1;
  }
  return "";
}

void Describe(Sender* sender) {
  // The environment goes first (the kernel frees it as the sender starts to exit); stat
  // stays readable until the sender is reaped.
  sender->unit = ReadMarker(sender->pid);
  sender->found = ReadStat(sender->pid, &sender->ppid, &sender->sid, &sender->comm);
  if (!sender->found || !sender->unit.empty()) return;  // the marker settles it: no need to climb
  pid_t next = sender->ppid;
  for (int depth = 0; depth < kMaxAncestors && next > 1; depth++) {
    sender->ancestors.push_back(next);
    pid_t parent = 0, session = 0;
    if (!ReadStat(next, &parent, &session, nullptr)) break;
    next = parent;
  }
}

double NowMicros() {
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<double>(now.tv_sec) * 1e6 + static_cast<double>(now.tv_nsec / 1000);
}

// sd_journal_send(3) passes a message too large for one datagram as a sealed memfd.
bool ReadPassedMemfd(int fd, std::vector<uint8_t>* data) {
  off_t size = lseek(fd, 0, SEEK_END);
  if (size <= 0 || static_cast<size_t>(size) > kMaxMemfd) return false;
  data->resize(static_cast<size_t>(size));
  ssize_t n = pread(fd, data->data(), data->size(), 0);
  if (n != size) return false;
  return true;
}

// A sender's /proc entry lives on only for the moments between its send and its parent's
// wait, so a receiver should run the instant a message arrives, on the sender's own CPU: one
// receiver thread is pinned to each CPU (all poll the one socket), and real-time priority 1
// makes the wakeup preempt the sender itself, before it can exit. That needs CAP_SYS_NICE
// (root outside a container; `--cap-add SYS_NICE` in Docker); without it, a raised nice value,
// and without that, the default. It cannot starve the machine: each message is bounded work,
// and the threads sleep when the queue is full.
constexpr int kMaxReceivers = 8;

std::vector<int> UsableCpus() {
  std::vector<int> cpus;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0)
    for (int cpu = 0; cpu < CPU_SETSIZE && static_cast<int>(cpus.size()) < kMaxReceivers; cpu++)
      if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  if (cpus.empty()) cpus.push_back(-1);  // unknown: one unpinned thread
  return cpus;
}

void PinToCpu(int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

// Linux 6.12+ (EEVDF): an ordinary task may ask for a shorter time slice, which lets its
// wakeup preempt the running task; no privilege needed. Older kernels refuse: harmless.
bool RequestShortSlice() {
  struct {
    uint32_t size;
    uint32_t policy;
    uint64_t flags;
    int32_t nice;
    uint32_t priority;
    uint64_t runtime, deadline, period;
    uint32_t utilMin, utilMax;
  } attributes{};
  attributes.size = sizeof(attributes);
  attributes.policy = SCHED_OTHER;
  attributes.runtime = 100 * 1000;  // ns: the shortest slice the kernel accepts
  return syscall(SYS_sched_setattr, 0, &attributes, 0) == 0;
}

const char* RunAheadOfSenders() {
  sched_param realtime{};
  realtime.sched_priority = 1;
  if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &realtime) == 0) return "realtime";
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), -10) == 0) return "nice";
  if (RequestShortSlice()) return "short-slice";
  return "normal";
}

class LogSocketWrap : public Napi::ObjectWrap<LogSocketWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeLogSocket",
                       {InstanceMethod("close", &LogSocketWrap::Close),
                        InstanceMethod("drain", &LogSocketWrap::Drain),
                        InstanceMethod("ref", &LogSocketWrap::RefLoop),
                        InstanceMethod("unref", &LogSocketWrap::UnrefLoop),
                        InstanceMethod("stats", &LogSocketWrap::Stats)});
  }

  // new NativeLogSocket(path, onMessages(batch: { data, sender, receivedAt, connection? }[]), kind)
  // kind 'datagram': each datagram is a message. kind 'stream': a listening socket; each accepted
  // connection is a message with no data, its fd in `connection` and its peer (SO_PEERCRED) as
  // the sender, described on arrival like a datagram's.
  explicit LogSocketWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<LogSocketWrap>(info) {
    Napi::Env env = info.Env();
    path_ = ReadString(env, info[0], "path");
    if (info.Length() < 2 || !info[1].IsFunction()) ThrowType(env, "onMessages", "a function");
    std::string kind = info.Length() > 2 && !info[2].IsUndefined() ? ReadString(env, info[2], "kind") : "datagram";
    if (kind != "datagram" && kind != "stream") ThrowRange(env, "kind", "must be 'datagram' or 'stream' (got '" + kind + "')");
    stream_ = kind == "stream";
    abstract_ = path_[0] == '@';
    fd_ = stream_ ? ListenStream(env, path_, kMaxQueued) : BindCredentialedDatagram(env, path_, true);
    wake_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_ < 0) {
      int err = errno;
      CloseSocket();
      ThrowSystem(env, err, "eventfd", path_);
    }
    buffer_.resize(kMaxDatagram);
    onMessages_ = Napi::Persistent(info[1].As<Napi::Function>());
    // The thread-safe function is how the receiver thread wakes Node's loop; while it exists
    // it keeps the wrapper alive (Ref here, Unref in its finalizer, after the last call).
    deliver_ = Napi::ThreadSafeFunction::New(env, info[1].As<Napi::Function>(), "unitd.LogSocket", 0, 1, this,
                                             [](Napi::Env, LogSocketWrap* self) { self->Unref(); });
    Ref();
    for (int cpu : UsableCpus())
      receivers_.emplace_back([this, cpu] {
        // Signals are Node's business, on its own thread: never interrupt a receiver with them.
        sigset_t all;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, nullptr);
        PinToCpu(cpu);
        const char* scheduling = RunAheadOfSenders();
        {
          std::lock_guard<std::mutex> lock(mutex_);
          scheduling_ = scheduling;
        }
        ReceiveLoop();
      });
  }

  ~LogSocketWrap() override { StopThreads(); }

 private:
  // ---------- the receiver thread ----------

  void ReceiveLoop() {
    for (;;) {
      pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_, POLLIN, 0}};
      if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
      std::unique_lock<std::mutex> lock(mutex_);
      if (stopping_) break;
      if ((fds[0].revents & POLLIN) == 0) continue;
      space_.wait(lock, [this] { return stopping_ || queue_.size() < kMaxQueued; });
      if (stopping_) break;
      bool wasEmpty = queue_.empty();
      ReceiveAvailableLocked();
      if (wasEmpty && !queue_.empty() && !scheduled_) {
        scheduled_ = true;
        deliver_.NonBlockingCall([this](Napi::Env env, Napi::Function) { DeliverQueued(env); });
      }
      if (backoff_) {
        // Out of fds or memory: the pending connection stays readable, so poll() would spin.
        backoff_ = false;
        lock.unlock();
        usleep(100 * 1000);
      }
    }
  }

  // Reads until the socket is empty or the queue is full. Holds mutex_, so drain() and the
  // thread never read the same socket at once and messages stay in arrival order.
  void ReceiveAvailableLocked() {
    while (queue_.size() < kMaxQueued) {
      Message message;
      if (!ReceiveOneLocked(&message)) return;
      if (!message.data.empty() || message.sender.pid != 0) queue_.push_back(std::move(message));
    }
  }

  // Returns false when nothing is waiting; true when a message was taken (kept or dropped).
  bool ReceiveOneLocked(Message* out) {
    if (stream_) return AcceptOneLocked(out);
    CredentialedDatagram datagram;
    if (!ReceiveCredentialed(fd_, buffer_, &datagram)) return false;
    out->receivedAt = NowMicros();
    bool keep = datagram.hasCredentials;
    if (!datagram.passedFds.empty()) {
      // Only the native protocol passes an fd, and then with an empty datagram.
      keep = keep && datagram.size == 0 && !datagram.truncated && datagram.passedFds.size() == 1 &&
             ReadPassedMemfd(datagram.passedFds[0], &out->data);
    } else {
      keep = keep && !datagram.truncated;
      out->data.assign(buffer_.data(), buffer_.data() + datagram.size);
    }
    for (int fd : datagram.passedFds) close(fd);
    if (!keep) {
      dropped_++;
      out->data.clear();
      out->sender.pid = 0;
      return true;
    }
    const ucred* credentials = &datagram.credentials;
    out->sender.pid = credentials->pid;
    out->sender.uid = credentials->uid;
    out->sender.gid = credentials->gid;
    Describe(&out->sender);
    received_++;
    return true;
  }

  bool AcceptOneLocked(Message* out) {
    int connection = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (connection < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) backoff_ = true;
      return errno == EINTR || errno == ECONNABORTED;
    }
    out->receivedAt = NowMicros();
    ucred credentials{};
    socklen_t length = sizeof(credentials);
    if (getsockopt(connection, SOL_SOCKET, SO_PEERCRED, &credentials, &length) < 0) {
      close(connection);
      dropped_++;
      return true;
    }
    out->connection = connection;
    out->sender.pid = credentials.pid;
    out->sender.uid = credentials.uid;
    out->sender.gid = credentials.gid;
    Describe(&out->sender);
    received_++;
    return true;
  }

  // ---------- the main thread ----------

  std::deque<Message> TakeQueued() {
    std::deque<Message> batch;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      batch.swap(queue_);
      scheduled_ = false;
    }
    space_.notify_one();
    return batch;
  }

  void DeliverQueued(Napi::Env env) {
    if (fd_ < 0) return;
    std::deque<Message> batch = TakeQueued();
    if (batch.empty()) return;
    Napi::HandleScope scope(env);
    Napi::Array list = Napi::Array::New(env, batch.size());
    uint32_t index = 0;
    for (Message& message : batch) list.Set(index++, ToObject(env, message));
    try {
      onMessages_.Call(Value(), {list});
    } catch (const Napi::Error& error) {
      napi_fatal_exception(env, error.Value());  // as any throwing event callback would
    }
  }

  static Napi::Object ToObject(Napi::Env env, const Message& message) {
    Napi::Object sender = Napi::Object::New(env);
    sender.Set("pid", message.sender.pid);
    sender.Set("uid", message.sender.uid);
    sender.Set("gid", message.sender.gid);
    if (!message.sender.unit.empty()) sender.Set("unit", message.sender.unit);
    if (message.sender.found) {
      sender.Set("ppid", message.sender.ppid);
      sender.Set("sid", message.sender.sid);
      sender.Set("comm", message.sender.comm);
      Napi::Array ancestors = Napi::Array::New(env, message.sender.ancestors.size());
      for (size_t i = 0; i < message.sender.ancestors.size(); i++) ancestors.Set(static_cast<uint32_t>(i), message.sender.ancestors[i]);
      sender.Set("ancestors", ancestors);
    }
    Napi::Object out = Napi::Object::New(env);
    if (message.connection >= 0) out.Set("connection", message.connection);
    out.Set("data", Napi::Buffer<uint8_t>::Copy(env, message.data.data(), message.data.size()));
    out.Set("sender", sender);
    out.Set("receivedAt", message.receivedAt);
    return out;
  }

  // drain(): reads what the kernel holds right now and delivers everything queued, synchronously.
  Napi::Value Drain(const Napi::CallbackInfo& info) {
    if (fd_ >= 0) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ReceiveAvailableLocked();
      }
      DeliverQueued(info.Env());
    }
    return info.Env().Undefined();
  }

  void StopThreads() {
    if (receivers_.empty()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    space_.notify_all();
    uint64_t one = 1;
    ssize_t ignored = write(wake_, &one, sizeof(one));
    (void)ignored;
    for (std::thread& receiver : receivers_) receiver.join();
    receivers_.clear();
  }

  void CloseSocket() {
    // Connections accepted but never handed over are ours to close.
    for (Message& message : queue_)
      if (message.connection >= 0) close(message.connection);
    queue_.clear();
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    if (wake_ >= 0) close(wake_);
    wake_ = -1;
    if (!abstract_) unlink(path_.c_str());
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (fd_ < 0) return info.Env().Undefined();
    StopThreads();
    CloseSocket();
    deliver_.Release();  // its finalizer drops our self-reference
    return info.Env().Undefined();
  }

  Napi::Value RefLoop(const Napi::CallbackInfo& info) {
    if (fd_ >= 0) deliver_.Ref(info.Env());
    return info.Env().Undefined();
  }

  Napi::Value UnrefLoop(const Napi::CallbackInfo& info) {
    if (fd_ >= 0) deliver_.Unref(info.Env());
    return info.Env().Undefined();
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    std::lock_guard<std::mutex> lock(mutex_);
    Napi::Object stats = Napi::Object::New(info.Env());
    stats.Set("received", static_cast<double>(received_));
    stats.Set("dropped", static_cast<double>(dropped_));
    stats.Set("queued", static_cast<double>(queue_.size()));
    stats.Set("receivers", static_cast<double>(receivers_.size()));
    stats.Set("scheduling", scheduling_);
    return stats;
  }

  std::string path_;
  bool abstract_ = false;
  int fd_ = -1;
  int wake_ = -1;
  std::vector<uint8_t> buffer_;  // used under mutex_ only
  Napi::FunctionReference onMessages_;
  Napi::ThreadSafeFunction deliver_;
  std::vector<std::thread> receivers_;
  std::mutex mutex_;
  std::condition_variable space_;
  std::deque<Message> queue_;
  bool stream_ = false;
  bool scheduled_ = false, stopping_ = false, backoff_ = false;
  std::string scheduling_ = "starting";  // what RunAheadOfSenders got: realtime, nice, short-slice, normal
  uint64_t received_ = 0, dropped_ = 0;
};

}  // namespace

void InitLogSocket(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeLogSocket", LogSocketWrap::Define(env));
}

}  // namespace unitd
