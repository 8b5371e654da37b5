// reduceMemory(): what PID 1 calls once a burst of work is over (the boot, a daemon-reload).
// V8 keeps the heap pages a burst grew into: after loading 1000 units a full GC leaves 24 MB in
// use but 37 MB committed, and V8's own memory reducer compacts only when it judges the heap
// idle, which a PID 1 waiting for events may never be. Isolate::LowMemoryNotification() runs
// the collection V8 keeps for that (full, compacting, releasing empty pages); malloc_trim(0)
// then hands glibc's free heap back to the kernel. Node's JS API offers neither (global gc()
// needs --expose-gc and does not compact). Measured in the README's "Memory".
//
// The addon is Node-API, built once and loaded by any Node (prebuilds are tagged napi), so it
// must not link against V8's C++ ABI. The two V8 functions are looked up by name in the running
// node instead: both are plain non-virtual members whose names and signatures have not changed
// in a decade; where a runtime lacks them, only the compaction is skipped.

#include <napi.h>
#include <dlfcn.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace unitd {
namespace {

using GetCurrentFn = void* (*)();
using LowMemoryNotificationFn = void (*)(void* isolate);

struct V8Entry {
  GetCurrentFn get_current = nullptr;
  LowMemoryNotificationFn low_memory_notification = nullptr;
};

const V8Entry& v8Entry() {
  static const V8Entry entry = [] {
    V8Entry e;
    e.get_current = reinterpret_cast<GetCurrentFn>(dlsym(RTLD_DEFAULT, "_ZN2v87Isolate10GetCurrentEv"));
    e.low_memory_notification =
        reinterpret_cast<LowMemoryNotificationFn>(dlsym(RTLD_DEFAULT, "_ZN2v87Isolate21LowMemoryNotificationEv"));
    return e;
  }();
  return entry;
}

Napi::Value ReduceMemory(const Napi::CallbackInfo& info) {
  const V8Entry& v8 = v8Entry();
  bool compacted = false;
  if (v8.get_current != nullptr && v8.low_memory_notification != nullptr) {
    void* isolate = v8.get_current();
    if (isolate != nullptr) {
      v8.low_memory_notification(isolate);
      compacted = true;
    }
  }
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
  return Napi::Boolean::New(info.Env(), compacted);
}

}  // namespace

void InitMemory(Napi::Env env, Napi::Object exports) {
  exports.Set("reduceMemory", Napi::Function::New(env, ReduceMemory, "reduceMemory"));
}

}  // namespace unitd
