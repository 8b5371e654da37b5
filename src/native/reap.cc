// Collecting exit statuses with waitid(P_ALL): a PID 1 or subreaper inherits every orphan,
// and libuv only ever waits for the children it started itself.

#include <errno.h>
#include <sys/wait.h>

#include <unordered_set>

#include "errors.h"

namespace unitd {
namespace {

const char* ExitCodeName(int code) {  // systemd's ExecMainCode names
  switch (code) {
    case CLD_EXITED: return "exited";
    case CLD_KILLED: return "killed";
    case CLD_DUMPED: return "dumped";
    default: return "exited";
  }
}

// reapExited(foreignPids: number[]) -> { exits: ExitInfo[], blockedBy: number }
//
// Node code (tests, tooling) may run child_process at the same time; stealing the exit
// status of one of libuv's children would leave its ChildProcess waiting forever. So the
// next waitable child is first peeked at with WNOWAIT, and a pid in foreignPids is left
// for libuv. waitid(P_ALL) always shows the same first zombie, so the loop has to stop
// there; blockedBy tells the caller to come back once libuv has collected it.
Napi::Value ReapExited(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::unordered_set<pid_t> foreign;
  if (info.Length() > 0 && !info[0].IsUndefined()) {
    if (!info[0].IsArray()) ThrowType(env, "foreignPids", "an array of pids");
    Napi::Array list = info[0].As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); i++)
      foreign.insert(static_cast<pid_t>(ReadInteger(env, list.Get(i), "foreignPids[" + std::to_string(i) + "]", 1, 0x7FFFFFFF)));
  }
  Napi::Array exits = Napi::Array::New(env);
  uint32_t count = 0;
  pid_t blockedBy = 0;
  for (;;) {
    siginfo_t child;
    child.si_pid = 0;
    int flags = WEXITED | WNOHANG | (foreign.empty() ? 0 : WNOWAIT);
    if (waitid(P_ALL, 0, &child, flags) < 0) {
      if (errno == EINTR) continue;
      if (errno == ECHILD) break;  // no children at all
      ThrowSystem(env, errno, "waitid");
    }
    if (child.si_pid == 0) break;  // children exist, none has exited
    if (!foreign.empty()) {
      if (foreign.count(child.si_pid) > 0) {
        blockedBy = child.si_pid;
        break;
      }
      siginfo_t reaped;
      reaped.si_pid = 0;
      while (waitid(P_PID, child.si_pid, &reaped, WEXITED | WNOHANG) < 0 && errno == EINTR) {
      }
      if (reaped.si_pid == 0) continue;  // someone else got it in between
      child = reaped;
    }
    Napi::Object exit = Napi::Object::New(env);
    exit.Set("pid", child.si_pid);
    exit.Set("code", ExitCodeName(child.si_code));
    exit.Set("status", child.si_status);
    exits.Set(count++, exit);
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("exits", exits);
  result.Set("blockedBy", blockedBy);
  return result;
}

}  // namespace

void InitReap(Napi::Env env, Napi::Object exports) {
  exports.Set("reapExited", Napi::Function::New(env, ReapExited, "reapExited"));
}

}  // namespace unitd
