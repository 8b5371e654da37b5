// AF_UNIX datagram sockets with sender credentials: the sd_notify(3) transport, which Node
// lacks. The socket is watched with a uv_poll handle on Node's own loop, so a message is a
// plain event-loop callback and an idle socket costs nothing.

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <uv.h>

#include <memory>
#include <string>
#include <vector>

#include "errors.h"
#include "unix-socket.h"

namespace unitd {
namespace {

// systemd's notify socket accepts large messages too; anything longer is dropped and counted.
constexpr size_t kMaxMessage = 64 * 1024;
// Bounds the work done per loop turn so a flooding sender cannot starve timers and I/O.
constexpr int kMaxMessagesPerWakeup = 256;

// One receive buffer for every socket of the thread: a datagram is copied out of it before the
// next is read, and all reads run on the loop's thread. A buffer per socket (zero-filled, so
// resident) cost 64 KiB of PID 1's RSS per NotifyAccess= service.
std::vector<uint8_t>& ReceiveBuffer() {
  thread_local std::vector<uint8_t> buffer(kMaxMessage);
  return buffer;
}

class DatagramSocketWrap : public Napi::ObjectWrap<DatagramSocketWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeDatagramSocket",
                       {InstanceMethod("close", &DatagramSocketWrap::Close),
                        InstanceMethod("ref", &DatagramSocketWrap::RefLoop),
                        InstanceMethod("unref", &DatagramSocketWrap::UnrefLoop),
                        InstanceMethod("stats", &DatagramSocketWrap::Stats),
                        InstanceMethod("drain", &DatagramSocketWrap::Drain)});
  }

  // new NativeDatagramSocket(path, onMessage(data: Buffer, from: {pid, uid, gid}, fds: number[]), adoptedFd?)
  explicit DatagramSocketWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DatagramSocketWrap>(info) {
    Napi::Env env = info.Env();
    path_ = ReadString(env, info[0], "path");
    if (info.Length() < 2 || !info[1].IsFunction()) ThrowType(env, "onMessage", "a function");
    abstract_ = path_[0] == '@';
    // A third argument: the fd of this socket kept across daemon-reexec (already bound).
    int fd = info.Length() > 2 && info[2].IsNumber() ? static_cast<int>(ReadInteger(env, info[2], "fd", 0, 1 << 20))
                                                     : BindCredentialedDatagram(env, path_, true);

    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    poll_ = new uv_poll_t;
    uv_poll_init(loop, poll_, fd);
    poll_->data = this;
    uv_poll_start(poll_, UV_READABLE, &DatagramSocketWrap::OnReadable);
    fd_ = fd;
    onMessage_ = Napi::Persistent(info[1].As<Napi::Function>());
    context_ = std::make_unique<Napi::AsyncContext>(env, "unitd.DatagramSocket");
    Ref();  // an open socket must outlive its JavaScript wrapper, like a net.Server
  }

  ~DatagramSocketWrap() override { Shutdown(); }

 private:
  // Drains up to kMaxMessagesPerWakeup datagrams and hands them to JavaScript in one call: a
  // MakeCallback per message (with its microtask checkpoint) was most of a STATUS= flood's cost.
  static void OnReadable(uv_poll_t* handle, int status, int /*events*/) {
    auto* self = static_cast<DatagramSocketWrap*>(handle->data);
    if (self == nullptr || status < 0) return;
    self->Deliver(false);
  }

  // drain(): delivers what is queued now, synchronously. systemd dispatches notify messages
  // before SIGCHLD; the manager calls this before handling a child's exit, so what a
  // process sent just before it exited is read while it still counts as the unit's.
  Napi::Value Drain(const Napi::CallbackInfo& info) {
    Deliver(true);
    return info.Env().Undefined();
  }

  // From JavaScript (drain) the handler is a plain call, so its exception reaches the caller.
  void Deliver(bool fromJs) {
    DatagramSocketWrap* self = this;
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    Napi::Array batch = Napi::Array::New(env);
    uint32_t count = 0;
    for (int i = 0; i < kMaxMessagesPerWakeup && self->fd_ >= 0; i++) {
      if (!self->ReceiveOne(env, batch, &count)) break;
    }
    if (count == 0) return;
    if (fromJs) {
      self->onMessage_.Call(self->Value(), {batch});
      return;
    }
    try {
      self->onMessage_.MakeCallback(self->Value(), {batch}, *self->context_);
    } catch (const Napi::Error& error) {
      napi_fatal_exception(env, error.Value());
    }
  }

  /** Reads one datagram into batch as {data, from, fds}; false when nothing is left to read. */
  bool ReceiveOne(Napi::Env env, Napi::Array batch, uint32_t* count) {
    CredentialedDatagram datagram;
    std::vector<uint8_t>& buffer = ReceiveBuffer();
    if (!ReceiveCredentialed(fd_, buffer, &datagram)) return false;
    if (datagram.truncated || !datagram.hasCredentials) {
      for (int fd : datagram.passedFds) close(fd);
      closedFds_ += datagram.passedFds.size();
      (datagram.truncated ? droppedOversize_ : droppedNoCredentials_)++;
      return true;
    }
    const ucred* sender = &datagram.credentials;
    received_++;
    Napi::Object from = Napi::Object::New(env);
    from.Set("pid", sender->pid);
    from.Set("uid", sender->uid);
    from.Set("gid", sender->gid);
    Napi::Array fds = Napi::Array::New(env, datagram.passedFds.size());
    for (size_t i = 0; i < datagram.passedFds.size(); i++) fds.Set(static_cast<uint32_t>(i), datagram.passedFds[i]);
    Napi::Object message = Napi::Object::New(env);
    message.Set("data", Napi::Buffer<uint8_t>::Copy(env, buffer.data(), datagram.size));
    message.Set("from", from);
    message.Set("fds", fds);
    batch.Set((*count)++, message);
    return true;
  }

  void Shutdown() {
    if (fd_ < 0) return;
    uv_poll_stop(poll_);
    poll_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
    poll_ = nullptr;
    close(fd_);
    fd_ = -1;
    if (!abstract_) unlink(path_.c_str());
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    bool wasOpen = fd_ >= 0;
    Shutdown();
    if (wasOpen) Unref();  // from now on the wrapper may be collected
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

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Object stats = Napi::Object::New(info.Env());
    stats.Set("received", static_cast<double>(received_));
    stats.Set("droppedOversize", static_cast<double>(droppedOversize_));
    stats.Set("droppedWithoutCredentials", static_cast<double>(droppedNoCredentials_));
    stats.Set("closedPassedFds", static_cast<double>(closedFds_));
    stats.Set("fd", fd_);
    return stats;
  }

  int fd_ = -1;
  uv_poll_t* poll_ = nullptr;
  std::string path_;
  bool abstract_ = false;
  Napi::FunctionReference onMessage_;
  std::unique_ptr<Napi::AsyncContext> context_;
  uint64_t received_ = 0, droppedOversize_ = 0, droppedNoCredentials_ = 0, closedFds_ = 0;
};

// sendDatagram(path, data: Buffer) — one datagram, never blocking the loop.
Napi::Value SendDatagram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = ReadString(env, info[0], "path");
  sockaddr_un address;
  socklen_t length = UnixAddress(env, path, "path", &address);
  if (info.Length() < 2 || !info[1].IsBuffer()) ThrowType(env, "data", "a Buffer or string");
  Napi::Buffer<uint8_t> data = info[1].As<Napi::Buffer<uint8_t>>();
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) ThrowSystem(env, errno, "socket", path);
  ssize_t sent = sendto(fd, data.Data(), data.Length(), MSG_DONTWAIT | MSG_NOSIGNAL,
                        reinterpret_cast<sockaddr*>(&address), length);
  int err = errno;
  close(fd);
  if (sent < 0) ThrowSystem(env, err, "sendto", path);
  return env.Undefined();
}

}  // namespace

void InitDatagram(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeDatagramSocket", DatagramSocketWrap::Define(env));
  exports.Set("sendDatagram", Napi::Function::New(env, SendDatagram, "sendDatagram"));
}

}  // namespace unitd
