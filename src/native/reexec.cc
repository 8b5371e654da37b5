// daemon-reexec: execve(2) of unitd itself keeping the descriptors the new program resumes
// with (notify sockets, listening sockets, service output pipes, the control socket). Every
// fd unitd opens is O_CLOEXEC; only the ones named here lose the flag, just before execve,
// and get it back if execve fails, so a failed re-exec leaves the running daemon as it was.

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "errors.h"

namespace unitd {
namespace {

std::vector<std::string> ReadStrings(Napi::Env env, const Napi::Value& value, const std::string& field) {
  if (!value.IsArray()) ThrowType(env, field, "an array of strings");
  Napi::Array array = value.As<Napi::Array>();
  std::vector<std::string> out;
  for (uint32_t i = 0; i < array.Length(); i++) out.push_back(ReadString(env, array.Get(i), field + "[" + std::to_string(i) + "]"));
  return out;
}

bool SetCloexec(int fd, bool on) {
  int flags = fcntl(fd, F_GETFD);
  if (flags < 0) return false;
  int wanted = on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
  return wanted == flags || fcntl(fd, F_SETFD, wanted) == 0;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// execSelf(file, argv, env, keepFds): returns only by throwing (the fds are CLOEXEC again).
Napi::Value ExecSelf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string file = ReadString(env, info[0], "file");
  std::vector<std::string> argv = ReadStrings(env, info[1], "argv");
  std::vector<std::string> envp = ReadStrings(env, info[2], "env");
  if (!info[3].IsArray()) ThrowType(env, "keepFds", "an array of fds");
  Napi::Array keepArray = info[3].As<Napi::Array>();
  std::vector<int> keep;
  for (uint32_t i = 0; i < keepArray.Length(); i++) {
    keep.push_back(static_cast<int>(ReadInteger(env, keepArray.Get(i), "keepFds[" + std::to_string(i) + "]", 0, 1 << 20)));
  }
  if (argv.empty()) ThrowRange(env, "argv", "must name the program");
  for (int fd : keep) {
    if (!SetCloexec(fd, false)) {
      int err = errno;
      for (int k : keep) SetCloexec(k, true);
      ThrowSystem(env, err, "fcntl", "fd " + std::to_string(fd));
    }
  }
  std::vector<char*> argp = Pointers(argv);
  std::vector<char*> envpp = Pointers(envp);
  // A signal sent while no program has handlers (docker stop's SIGTERM, SIGRTMIN+3) stays
  // pending across execve instead of meeting PID 1's default disposition, which drops it.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  execve(file.c_str(), argp.data(), envpp.data());
  int err = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  for (int fd : keep) SetCloexec(fd, true);
  ThrowSystem(env, err, "execve", file);
}

// adoptFd(fd): whether a descriptor the state file names exists here; it is made CLOEXEC again.
Napi::Value AdoptFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = static_cast<int>(ReadInteger(env, info[0], "fd", 0, 1 << 20));
  int flags = fcntl(fd, F_GETFD);
  if (flags >= 0) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);  // ours again: no service inherits it
  return Napi::Boolean::New(env, flags >= 0);
}

}  // namespace

void InitReexec(Napi::Env env, Napi::Object exports) {
  exports.Set("execSelf", Napi::Function::New(env, ExecSelf, "execSelf"));
  exports.Set("adoptFd", Napi::Function::New(env, AdoptFd, "adoptFd"));
}

}  // namespace unitd
