// Hang-up and error watch for a service's fd store, as systemd's on_fd_store_io(): each stored
// fd is registered with an epoll set of its own with no events requested, so the kernel reports
// only EPOLLHUP and EPOLLERR (always reported, epoll_ctl(2)). The epoll fd itself is watched
// with a uv_poll handle on Node's loop: data arriving on a stored fd wakes nothing, and nothing
// polls. libuv's own uv_poll cannot do this, since it always asks for readable or writable.

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <uv.h>

#include <memory>

#include "errors.h"

namespace unitd {
namespace {

class HangupWatchWrap : public Napi::ObjectWrap<HangupWatchWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeHangupWatch",
                       {InstanceMethod("add", &HangupWatchWrap::Add), InstanceMethod("remove", &HangupWatchWrap::Remove),
                        InstanceMethod("close", &HangupWatchWrap::Close)});
  }

  // new NativeHangupWatch(onHangup(fd, error))
  explicit HangupWatchWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<HangupWatchWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsFunction()) ThrowType(env, "onHangup", "a function");
    int fd = epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0) ThrowSystem(env, errno, "epoll_create1");
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    poll_ = new uv_poll_t;
    int r = uv_poll_init(loop, poll_, fd);
    if (r < 0) {
      delete poll_;
      poll_ = nullptr;
      close(fd);
      ThrowSystem(env, -r, "uv_poll_init");
    }
    poll_->data = this;
    uv_poll_start(poll_, UV_READABLE, &HangupWatchWrap::OnReadable);
    epollFd_ = fd;
    onHangup_ = Napi::Persistent(info[0].As<Napi::Function>());
    context_ = std::make_unique<Napi::AsyncContext>(env, "unitd.HangupWatch");
    Ref();  // an open watch outlives its JavaScript wrapper until close()
  }

  ~HangupWatchWrap() override { Shutdown(); }

 private:
  static void OnReadable(uv_poll_t* handle, int status, int /*events*/) {
    auto* self = static_cast<HangupWatchWrap*>(handle->data);
    if (self == nullptr || status < 0 || self->epollFd_ < 0) return;
    epoll_event events[16];
    int n = epoll_wait(self->epollFd_, events, 16, 0);
    if (n <= 0) return;
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    for (int i = 0; i < n && self->epollFd_ >= 0; i++) {
      int fd = events[i].data.fd;
      // Level-triggered: unregister first, so a callback that keeps the fd cannot spin.
      epoll_ctl(self->epollFd_, EPOLL_CTL_DEL, fd, nullptr);
      bool error = (events[i].events & EPOLLERR) != 0;
      try {
        self->onHangup_.MakeCallback(self->Value(), {Napi::Number::New(env, fd), Napi::Boolean::New(env, error)},
                                     *self->context_);
      } catch (const Napi::Error& e) {
        napi_fatal_exception(env, e.Value());
      }
    }
  }

  // add(fd) -> false when the fd cannot be polled (a regular file: EPERM), which systemd accepts.
  Napi::Value Add(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int fd = static_cast<int>(ReadInteger(env, info[0], "fd", 0, INT32_MAX));
    if (epollFd_ < 0) ThrowSystem(env, EBADF, "epoll_ctl");
    epoll_event ev = {};
    ev.events = 0;
    ev.data.fd = fd;
    if (epoll_ctl(epollFd_, EPOLL_CTL_ADD, fd, &ev) < 0) {
      if (errno == EPERM) return Napi::Boolean::New(env, false);
      if (errno != EEXIST) ThrowSystem(env, errno, "epoll_ctl");
    }
    return Napi::Boolean::New(env, true);
  }

  // remove(fd): before the owner closes it.
  Napi::Value Remove(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int fd = static_cast<int>(ReadInteger(env, info[0], "fd", 0, INT32_MAX));
    if (epollFd_ >= 0) epoll_ctl(epollFd_, EPOLL_CTL_DEL, fd, nullptr);
    return env.Undefined();
  }

  void Shutdown() {
    if (epollFd_ < 0) return;
    uv_poll_stop(poll_);
    poll_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
    poll_ = nullptr;
    close(epollFd_);
    epollFd_ = -1;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    bool wasOpen = epollFd_ >= 0;
    Shutdown();
    if (wasOpen) Unref();
    return info.Env().Undefined();
  }

  int epollFd_ = -1;
  uv_poll_t* poll_ = nullptr;
  Napi::FunctionReference onHangup_;
  std::unique_ptr<Napi::AsyncContext> context_;
};

}  // namespace

void InitHangupWatch(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeHangupWatch", HangupWatchWrap::Define(env));
}

}  // namespace unitd
