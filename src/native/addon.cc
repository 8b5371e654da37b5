// Entry point of unitd_native.node. JavaScript reaches it only through src/native/index.ts,
// which validates arguments first; every function here validates them again, because a
// wrong type reaching C must become a TypeError, never a crash of PID 1.

#include <napi.h>

namespace unitd {
void InitSpawn(Napi::Env env, Napi::Object exports);
void InitReap(Napi::Env env, Napi::Object exports);
void InitDatagram(Napi::Env env, Napi::Object exports);
void InitLogSocket(Napi::Env env, Napi::Object exports);
void InitCredentials(Napi::Env env, Napi::Object exports);
void InitInotify(Napi::Env env, Napi::Object exports);
void InitSignals(Napi::Env env, Napi::Object exports);
void InitListen(Napi::Env env, Napi::Object exports);
void InitReexec(Napi::Env env, Napi::Object exports);
void InitClockWatch(Napi::Env env, Napi::Object exports);
void InitHangupWatch(Napi::Env env, Napi::Object exports);
void InitMemory(Napi::Env env, Napi::Object exports);
}  // namespace unitd

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  unitd::InitSpawn(env, exports);
  unitd::InitReap(env, exports);
  unitd::InitDatagram(env, exports);
  unitd::InitLogSocket(env, exports);
  unitd::InitCredentials(env, exports);
  unitd::InitInotify(env, exports);
  unitd::InitSignals(env, exports);
  unitd::InitListen(env, exports);
  unitd::InitReexec(env, exports);
  unitd::InitClockWatch(env, exports);
  unitd::InitHangupWatch(env, exports);
  unitd::InitMemory(env, exports);
  return exports;
}

NODE_API_MODULE(unitd_native, Init)
