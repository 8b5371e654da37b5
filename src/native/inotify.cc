// inotify(7) for path units. Node's fs.watch (libuv) subscribes to a fixed mask without
// IN_CLOSE_WRITE, so it cannot tell systemd's PathChanged= (close after write) from
// PathModified= (every write). One inotify fd per watcher, polled on Node's own loop;
// events are handed to JavaScript in batches, one callback per wakeup.

#include <errno.h>
#include <limits.h>
#include <sys/inotify.h>
#include <unistd.h>
#include <uv.h>

#include <memory>
#include <string>
#include <vector>

#include "errors.h"

namespace unitd {
namespace {

// Enough for many events per read(2); one event is at most sizeof(inotify_event) + NAME_MAX + 1.
constexpr size_t kBufferSize = 64 * 1024;
// Bounds the work per loop turn so a directory with a storm of changes cannot starve the loop.
constexpr int kMaxReadsPerWakeup = 16;

class InotifyWrap : public Napi::ObjectWrap<InotifyWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeInotify",
                       {InstanceMethod("add", &InotifyWrap::Add),
                        InstanceMethod("remove", &InotifyWrap::Remove),
                        InstanceMethod("close", &InotifyWrap::Close)});
  }

  // new NativeInotify(onEvents(batch: {wd, mask, cookie, name}[]))
  explicit InotifyWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<InotifyWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsFunction()) ThrowType(env, "onEvents", "a function");
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) ThrowSystem(env, errno, "inotify_init1");
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    poll_ = new uv_poll_t;
    uv_poll_init(loop, poll_, fd);
    poll_->data = this;
    uv_poll_start(poll_, UV_READABLE, &InotifyWrap::OnReadable);
    fd_ = fd;
    buffer_.resize(kBufferSize);
    onEvents_ = Napi::Persistent(info[0].As<Napi::Function>());
    context_ = std::make_unique<Napi::AsyncContext>(env, "unitd.Inotify");
    Ref();  // an open watcher outlives its JavaScript wrapper until close()
  }

  ~InotifyWrap() override { Shutdown(); }

 private:
  static void OnReadable(uv_poll_t* handle, int status, int /*events*/) {
    auto* self = static_cast<InotifyWrap*>(handle->data);
    if (self == nullptr || status < 0) return;
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    Napi::Array batch = Napi::Array::New(env);
    uint32_t count = 0;
    for (int i = 0; i < kMaxReadsPerWakeup && self->fd_ >= 0; i++) {
      ssize_t n = read(self->fd_, self->buffer_.data(), self->buffer_.size());
      if (n <= 0) break;  // EAGAIN: drained
      for (char* p = self->buffer_.data(); p < self->buffer_.data() + n;) {
        auto* event = reinterpret_cast<inotify_event*>(p);
        Napi::Object e = Napi::Object::New(env);
        e.Set("wd", event->wd);
        e.Set("mask", static_cast<double>(event->mask));
        e.Set("cookie", static_cast<double>(event->cookie));
        e.Set("name", event->len > 0 ? std::string(event->name) : std::string());
        batch.Set(count++, e);
        p += sizeof(inotify_event) + event->len;
      }
    }
    if (count == 0) return;
    try {
      self->onEvents_.MakeCallback(self->Value(), {batch}, *self->context_);
    } catch (const Napi::Error& error) {
      napi_fatal_exception(env, error.Value());
    }
  }

  // add(path, mask) → watch descriptor; throws a system error (ENOENT, EACCES, ENOSPC, ...).
  Napi::Value Add(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string path = ReadString(env, info[0], "path");
    int64_t mask = ReadInteger(env, info[1], "mask", 1, UINT32_MAX);
    if (fd_ < 0) ThrowSystem(env, EBADF, "inotify_add_watch", path);
    int wd = inotify_add_watch(fd_, path.c_str(), static_cast<uint32_t>(mask));
    if (wd < 0) ThrowSystem(env, errno, "inotify_add_watch", path);
    return Napi::Number::New(env, wd);
  }

  // remove(wd): a watch the kernel already dropped (IN_IGNORED) is not an error.
  Napi::Value Remove(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int64_t wd = ReadInteger(env, info[0], "wd", 0, INT_MAX);
    if (fd_ >= 0) inotify_rm_watch(fd_, static_cast<int>(wd));
    return env.Undefined();
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

  int fd_ = -1;
  uv_poll_t* poll_ = nullptr;
  std::vector<char> buffer_;
  Napi::FunctionReference onEvents_;
  std::unique_ptr<Napi::AsyncContext> context_;
};

}  // namespace

void InitInotify(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeInotify", InotifyWrap::Define(env));
}

}  // namespace unitd
