// Signals Node cannot catch: the real-time ones (SIGRTMIN+N, systemd's PID-1 interface:
// SIGRTMIN+3 is `podman stop` and systemd images' STOPSIGNAL) and any other the caller
// asks for. A sigaction handler, which may run on any of the process's threads, writes
// one fixed-size record per delivery (signal, sender pid) to a non-blocking pipe that a
// uv_poll handle watches on Node's loop. write(2) of at most PIPE_BUF bytes is atomic, so
// records never interleave, arrive in delivery order and are never merged: real-time
// signals are queued by the kernel, so a burst of them is seen one by one. Should the pipe
// (64 KiB, 8192 records) ever be full, deliveries are counted per signal instead and
// reported with the next batch, so none is lost silently. The handler only uses
// async-signal-safe calls (write) and lock-free atomics.

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <memory>
#include <vector>

#include "errors.h"

namespace unitd {
namespace {

constexpr int kMaxSignal = 64;
constexpr size_t kRecordsPerRead = 512;
// Bounds one loop turn; the level-triggered poll comes back for the rest.
constexpr int kMaxReadsPerWakeup = 8;

struct Record {
  int32_t signal;  // 0: a wake-up after an overflow, no signal
  int32_t pid;     // the sender, 0 when unknown (kernel, or another PID namespace)
};
static_assert(sizeof(Record) <= PIPE_BUF, "records must be written atomically");

std::atomic<int> g_writeFd{-1};
std::atomic<uint32_t> g_overflow[kMaxSignal + 1];

void OnSignal(int signo, siginfo_t* info, void* /*context*/) {
  int savedErrno = errno;
  bool fromProcess = info != nullptr && (info->si_code == SI_USER || info->si_code == SI_QUEUE || info->si_code == SI_TKILL);
  Record record{signo, fromProcess ? static_cast<int32_t>(info->si_pid) : 0};
  int fd = g_writeFd.load(std::memory_order_acquire);
  if (fd >= 0 && write(fd, &record, sizeof record) != static_cast<ssize_t>(sizeof record) && signo > 0 && signo <= kMaxSignal) {
    g_overflow[signo].fetch_add(1, std::memory_order_relaxed);
    // The reader may have emptied the pipe since our write failed: make sure it wakes.
    Record wake{0, 0};
    ssize_t ignored = write(fd, &wake, sizeof wake);
    (void)ignored;
  }
  errno = savedErrno;
}

class SignalWatcherWrap : public Napi::ObjectWrap<SignalWatcherWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeSignalWatcher",
                       {InstanceMethod("close", &SignalWatcherWrap::Close),
                        InstanceMethod("ref", &SignalWatcherWrap::RefLoop),
                        InstanceMethod("unref", &SignalWatcherWrap::UnrefLoop)});
  }

  // new NativeSignalWatcher(signals: number[], onSignals(batch: {signal, pid, count}[]))
  explicit SignalWatcherWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SignalWatcherWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsArray()) ThrowType(env, "signals", "an array of signal numbers");
    if (info.Length() < 2 || !info[1].IsFunction()) ThrowType(env, "onSignals", "a function");
    Napi::Array list = info[0].As<Napi::Array>();
    std::vector<int> signals;
    for (uint32_t i = 0; i < list.Length(); i++) {
      int signo = static_cast<int>(ReadInteger(env, list.Get(i), "signals[" + std::to_string(i) + "]", 1, kMaxSignal));
      if (signo == SIGKILL || signo == SIGSTOP) ThrowRange(env, "signals[" + std::to_string(i) + "]", "SIGKILL and SIGSTOP cannot be caught");
      signals.push_back(signo);
    }
    if (g_writeFd.load() >= 0) {
      throw Napi::Error::New(env, "another NativeSignalWatcher is open (signal handlers are process-wide)");
    }
    int fds[2];
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0) ThrowSystem(env, errno, "pipe2");
    readFd_ = fds[0];
    g_writeFd.store(fds[1], std::memory_order_release);

    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    poll_ = new uv_poll_t;
    uv_poll_init(loop, poll_, readFd_);
    poll_->data = this;
    uv_poll_start(poll_, UV_READABLE, &SignalWatcherWrap::OnReadable);
    onSignals_ = Napi::Persistent(info[1].As<Napi::Function>());
    context_ = std::make_unique<Napi::AsyncContext>(env, "unitd.SignalWatcher");

    for (int signo : signals) {
      struct sigaction action {};
      action.sa_sigaction = OnSignal;
      action.sa_flags = SA_SIGINFO | SA_RESTART;
      sigemptyset(&action.sa_mask);
      struct sigaction previous {};
      if (sigaction(signo, &action, &previous) < 0) {
        int err = errno;
        Shutdown();
        ThrowSystem(env, err, "sigaction");
      }
      installed_.push_back({signo, previous});
    }
    // A signal blocked by Node's startup (none is, today) would never reach the handler.
    sigset_t unblock;
    sigemptyset(&unblock);
    for (int signo : signals) sigaddset(&unblock, signo);
    pthread_sigmask(SIG_UNBLOCK, &unblock, nullptr);
    Ref();  // open until close(), like a net.Server
  }

  ~SignalWatcherWrap() override { Shutdown(); }

 private:
  static void OnReadable(uv_poll_t* handle, int status, int /*events*/) {
    auto* self = static_cast<SignalWatcherWrap*>(handle->data);
    if (self == nullptr || status < 0) return;
    self->Dispatch();
  }

  void Dispatch() {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    Napi::Array batch = Napi::Array::New(env);
    uint32_t n = 0;
    auto append = [&](int signal, int pid, uint32_t count) {
      Napi::Object entry = Napi::Object::New(env);
      entry.Set("signal", signal);
      entry.Set("pid", pid);
      entry.Set("count", count);
      batch.Set(n++, entry);
    };
    Record records[kRecordsPerRead];
    int lastSignal = 0, lastPid = 0;
    uint32_t run = 0;
    for (int reads = 0; reads < kMaxReadsPerWakeup && readFd_ >= 0; reads++) {
      ssize_t got = read(readFd_, records, sizeof records);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      size_t count = static_cast<size_t>(got) / sizeof(Record);
      for (size_t i = 0; i < count; i++) {
        const Record& r = records[i];
        if (r.signal == 0) continue;
        // Consecutive identical deliveries become one entry with a count.
        if (run > 0 && r.signal == lastSignal && r.pid == lastPid) {
          run++;
          continue;
        }
        if (run > 0) append(lastSignal, lastPid, run);
        lastSignal = r.signal;
        lastPid = r.pid;
        run = 1;
      }
    }
    if (run > 0) append(lastSignal, lastPid, run);
    for (int signo = 1; signo <= kMaxSignal; signo++) {
      uint32_t lost = g_overflow[signo].exchange(0, std::memory_order_relaxed);
      if (lost > 0) append(signo, 0, lost);
    }
    if (n == 0) return;
    try {
      onSignals_.MakeCallback(Value(), {batch}, *context_);
    } catch (const Napi::Error& error) {
      napi_fatal_exception(env, error.Value());
    }
  }

  void Shutdown() {
    if (readFd_ < 0) return;
    for (auto& [signo, previous] : installed_) sigaction(signo, &previous, nullptr);
    installed_.clear();
    int writeFd = g_writeFd.exchange(-1);
    if (writeFd >= 0) close(writeFd);
    uv_poll_stop(poll_);
    poll_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
    poll_ = nullptr;
    close(readFd_);
    readFd_ = -1;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    bool wasOpen = readFd_ >= 0;
    Shutdown();
    if (wasOpen) Unref();
    return info.Env().Undefined();
  }

  Napi::Value RefLoop(const Napi::CallbackInfo& info) {
    if (poll_ != nullptr) uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
    return info.Env().Undefined();
  }

  Napi::Value UnrefLoop(const Napi::CallbackInfo& info) {
    if (poll_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
    return info.Env().Undefined();
  }

  int readFd_ = -1;
  uv_poll_t* poll_ = nullptr;
  std::vector<std::pair<int, struct sigaction>> installed_;
  Napi::FunctionReference onSignals_;
  std::unique_ptr<Napi::AsyncContext> context_;
};

}  // namespace

void InitSignals(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeSignalWatcher", SignalWatcherWrap::Define(env));
  exports.Set("sigrtmin", SIGRTMIN);
  exports.Set("sigrtmax", SIGRTMAX);
}

}  // namespace unitd
