// Realtime clock changes, as systemd's manager_setup_time_change(): a CLOCK_REALTIME timerfd
// armed at the end of time with TFD_TIMER_CANCEL_ON_SET. It never expires; the kernel cancels
// it (read(2) fails with ECANCELED) whenever the wall clock is set (settimeofday, clock_settime,
// adjtimex ADJ_SETOFFSET, resume), so a change is noticed at once and nothing polls.

#include <errno.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include <memory>

#include "errors.h"

namespace unitd {
namespace {

// systemd arms at TIME_T_MAX; the kernel's ktime cap (KTIME_SEC_MAX) is what it keeps anyway.
constexpr time_t kEndOfTime = INT64_MAX / 1000000000;

int Arm(int fd) {
  itimerspec its = {};
  its.it_value.tv_sec = kEndOfTime;
  return timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, nullptr);
}

class ClockWatchWrap : public Napi::ObjectWrap<ClockWatchWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeClockWatch",
                       {InstanceMethod("close", &ClockWatchWrap::Close), InstanceAccessor("fd", &ClockWatchWrap::Fd, nullptr)});
  }

  // new NativeClockWatch(onChange())
  explicit ClockWatchWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ClockWatchWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsFunction()) ThrowType(env, "onChange", "a function");
    int fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0) ThrowSystem(env, errno, "timerfd_create");
    if (Arm(fd) < 0) {
      int err = errno;
      close(fd);
      ThrowSystem(env, err, "timerfd_settime");
    }
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    poll_ = new uv_poll_t;
    uv_poll_init(loop, poll_, fd);
    poll_->data = this;
    uv_poll_start(poll_, UV_READABLE, &ClockWatchWrap::OnReadable);
    fd_ = fd;
    onChange_ = Napi::Persistent(info[0].As<Napi::Function>());
    context_ = std::make_unique<Napi::AsyncContext>(env, "unitd.ClockWatch");
    Ref();  // an open watcher outlives its JavaScript wrapper until close()
  }

  ~ClockWatchWrap() override { Shutdown(); }

 private:
  static void OnReadable(uv_poll_t* handle, int status, int /*events*/) {
    auto* self = static_cast<ClockWatchWrap*>(handle->data);
    if (self == nullptr || status < 0 || self->fd_ < 0) return;
    uint64_t ticks = 0;
    ssize_t n = read(self->fd_, &ticks, sizeof ticks);
    if (n >= 0 || errno != ECANCELED) return;  // EAGAIN: spurious wakeup
    // Cancelled: arm again first, so a second change while JavaScript runs is not lost.
    Arm(self->fd_);
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    try {
      self->onChange_.MakeCallback(self->Value(), {}, *self->context_);
    } catch (const Napi::Error& error) {
      napi_fatal_exception(env, error.Value());
    }
  }

  void Shutdown() {
    if (fd_ < 0) return;
    uv_poll_stop(poll_);
    poll_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
    poll_ = nullptr;
    close(fd_);
    fd_ = -1;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    bool wasOpen = fd_ >= 0;
    Shutdown();
    if (wasOpen) Unref();
    return info.Env().Undefined();
  }

  // The timerfd (-1 once closed): tests read its /proc fdinfo to see the armed flags.
  Napi::Value Fd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_); }

  int fd_ = -1;
  uv_poll_t* poll_ = nullptr;
  Napi::FunctionReference onChange_;
  std::unique_ptr<Napi::AsyncContext> context_;
};

}  // namespace

void InitClockWatch(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeClockWatch", ClockWatchWrap::Define(env));
}

}  // namespace unitd
