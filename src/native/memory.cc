// reduceMemory(): what PID 1 calls once a burst of work is over (the boot, a daemon-reload).
// V8 keeps the heap pages a burst grew into: after loading 1000 units a full GC leaves 24 MB in
// use but 37 MB committed, and V8's own memory reducer compacts only when it judges the heap
// idle, which a PID 1 waiting for events may never be. Isolate::LowMemoryNotification() runs
// the collection V8 keeps for that (full, compacting, releasing empty pages); malloc_trim(0)
// then hands glibc's free heap back to the kernel. Node's JS API offers neither (global gc()
// needs --expose-gc and does not compact). Measured in the README's "Memory".

#include <napi.h>
#include <v8.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace unitd {
namespace {

Napi::Value ReduceMemory(const Napi::CallbackInfo& info) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  if (isolate != nullptr) isolate->LowMemoryNotification();
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
  return info.Env().Undefined();
}

}  // namespace

void InitMemory(Napi::Env env, Napi::Object exports) {
  exports.Set("reduceMemory", Napi::Function::New(env, ReduceMemory, "reduceMemory"));
}

}  // namespace unitd
