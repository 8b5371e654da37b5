// fork/exec with a systemd-style exec context.
//
// Node is multithreaded, and the child starts as a vfork-style clone sharing our memory,
// so between the clone and execve() it may only make async-signal-safe calls: another
// thread may hold the malloc or NSS lock at that moment. Everything that allocates
// (strings, argv/envp arrays, user and group lookups) therefore happens in the parent,
// into a SpawnPlan; the child only walks that plan with system calls.
//
// The child reports a failure as a ChildFailure record over an O_CLOEXEC pipe and
// exits with systemd's exit status for the failed step (man systemd.exec, "Process
// Exit Codes"). The parent reads that pipe: EOF means execve() succeeded.

#include <algorithm>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "child-privileges.h"
#include "child-terminal.h"
#include "errors.h"

namespace unitd {
namespace {

// systemd's exit statuses for the steps this child performs.
constexpr int kExitChdir = 200, kExitNice = 201, kExitFds = 202, kExitExec = 203, kExitLimits = 205,
              kExitOomAdjust = 206, kExitSignalMask = 207, kExitStdin = 208, kExitStdout = 209, kExitGroup = 216,
              kExitUser = 217, kExitSetsid = 220, kExitStderr = 222,
              kExitChroot = 210, kExitIoprio = 211, kExitSecureBits = 213, kExitSetScheduler = 214,
              kExitCpuAffinity = 215, kExitCapabilities = 218, kExitNoNewPrivileges = 227;
constexpr int kStdioExit[3] = {kExitStdin, kExitStdout, kExitStderr};
// Not an exit status: the report of a first child that found StandardInput=tty's terminal busy
// (Spawn() starts a second child that waits for it, without holding the daemon).
constexpr int kReportTerminalBusy = -1;

struct ChildFailure {
  int32_t exitCode;
  int32_t err;
  char step[40];
};

// kStdout (stderr only): the very file stdout got, as systemd does when both go to the journal.
// kTty: stdin acquires the terminal (TerminalPlan); stdout/stderr share it or open it for writing.
enum class StdioKind { kNull, kInherit, kFile, kPipe, kFd, kStdout, kData, kTty };

struct StdioPlan {
  StdioKind kind = StdioKind::kNull;
  std::string path;  // kFile
  int openFlags = 0;  // kFile
  int fd = -1;        // kFd: the daemon's fd; kPipe: the child's end
  int parentEnd = -1; // kPipe: returned to JavaScript
  std::string data;   // kData: stdin's whole content (StandardInputText=/StandardInputData=)
};

struct RlimitPlan {
  int resource;
  struct rlimit limit;
};

struct SpawnPlan {
  std::string path;
  std::vector<std::string> argv, env;
  std::vector<char*> argvPointers, envPointers;
  bool hasCwd = false;
  std::string cwd;
  bool newSession = true;
  bool changeUser = false, changeGroup = false, replaceGroups = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  bool hasUmask = false;
  mode_t umaskValue = 0;
  std::vector<RlimitPlan> rlimits;
  bool hasNice = false;
  int nice = 0;
  bool hasOomScoreAdjust = false;
  std::string oomScoreAdjustText;
  bool noNewPrivileges = false;
  bool hasCpuAffinity = false;
  cpu_set_t cpuAffinity;  // built in the parent: CPU_SET is plain bit arithmetic, but keep the child minimal
  bool ignoreSigpipe = false;
  std::string rootDirectory;  // empty: no chroot
  CapabilityPlan caps;
  SchedulingPlan scheduling;
  StdioPlan stdio[3];
  TerminalPlan terminal;
  // "(sleep)": what a child that waits for its terminal is called meanwhile (systemd's
  // rename_process_from_path(): the executable's name, its last 8 characters, in parentheses).
  std::string waitingName;
  std::vector<int> extraFds;
  // StandardInput=/Output=file: opened blocking (asynchronous spawns), else O_NONBLOCK so a
  // FIFO without a peer cannot hang a caller that waits for execve.
  bool blockingOpens = false;
  // Index in env of "LISTEN_PID=" + room for digits; the child writes its own pid there.
  int listenPidSlot = -1;
  // The fds >= 3 the child needs (stdio sources, extraFds), sorted: it closes every other one
  // before anything that may block (see CloseForeignFds()).
  std::vector<int> keepFds;
};

// Closes the fds it holds unless released; keeps the parent leak-free on every error path.
class FdGuard {
 public:
  ~FdGuard() {
    for (int fd : fds_)
      if (fd >= 0) close(fd);
  }
  void Add(int fd) { fds_.push_back(fd); }
  void Release(int fd) {
    for (auto& held : fds_)
      if (held == fd) held = -1;  // close(-1) in the destructor is a harmless EBADF
  }

 private:
  std::vector<int> fds_;
};

// ---------- name resolution (parent side) ----------

enum class LookupResult { kFound, kMissing };

LookupResult LookupUserByName(Napi::Env env, const std::string& name, struct passwd* out, std::vector<char>& buffer) {
  for (buffer.resize(4096);; buffer.resize(buffer.size() * 2)) {
    struct passwd* result = nullptr;
    int err = getpwnam_r(name.c_str(), out, buffer.data(), buffer.size(), &result);
    if (err == ERANGE && buffer.size() < (1u << 20)) continue;
    if (err != 0 && err != ENOENT && err != ESRCH) ThrowSystem(env, err, "getpwnam_r", name);
    return result != nullptr ? LookupResult::kFound : LookupResult::kMissing;
  }
}

LookupResult LookupUserById(Napi::Env env, uid_t uid, struct passwd* out, std::vector<char>& buffer) {
  for (buffer.resize(4096);; buffer.resize(buffer.size() * 2)) {
    struct passwd* result = nullptr;
    int err = getpwuid_r(uid, out, buffer.data(), buffer.size(), &result);
    if (err == ERANGE && buffer.size() < (1u << 20)) continue;
    if (err != 0 && err != ENOENT && err != ESRCH) ThrowSystem(env, err, "getpwuid_r", std::to_string(uid));
    return result != nullptr ? LookupResult::kFound : LookupResult::kMissing;
  }
}

LookupResult LookupGroupByName(Napi::Env env, const std::string& name, gid_t* gid) {
  std::vector<char> buffer;
  struct group entry;
  for (buffer.resize(4096);; buffer.resize(buffer.size() * 2)) {
    struct group* result = nullptr;
    int err = getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &result);
    if (err == ERANGE && buffer.size() < (1u << 22)) continue;
    if (err != 0 && err != ENOENT && err != ESRCH) ThrowSystem(env, err, "getgrnam_r", name);
    if (result == nullptr) return LookupResult::kMissing;
    *gid = entry.gr_gid;
    return LookupResult::kFound;
  }
}

// A failure found before forking: reported to JavaScript exactly like one from the child.
struct EarlyFailure {
  int exitCode;
  int err;
  const char* step;
};

// Numeric ids need no database entry (systemd accepts User=4711 without one).
bool ResolveGroup(Napi::Env env, const Napi::Value& value, const std::string& field, gid_t* gid) {
  if (value.IsNumber()) {
    *gid = static_cast<gid_t>(ReadInteger(env, value, field, 0, 0xFFFFFFFE));
    return true;
  }
  std::string name = ReadString(env, value, field);
  if (name.empty()) ThrowRange(env, field, "must not be empty");
  return LookupGroupByName(env, name, gid) == LookupResult::kFound;
}

// ---------- reading the spec (parent side) ----------

int StdioOpenFlags(Napi::Env env, const std::string& mode, const std::string& field) {
  // O_NONBLOCK: opening a FIFO must not hang the child (and so the daemon, which waits for
  // exec); it is cleared again once the file is open.
  if (mode == "read") return O_RDONLY | O_NONBLOCK;
  if (mode == "write") return O_WRONLY | O_CREAT | O_NONBLOCK;  // systemd's file:, no truncation
  if (mode == "truncate") return O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK;
  if (mode == "append") return O_WRONLY | O_CREAT | O_APPEND | O_NONBLOCK;
  ThrowRange(env, field, "must be 'read', 'write', 'truncate' or 'append' (got '" + mode + "')");
}

void ReadStdio(Napi::Env env, const Napi::Object& spec, const char* name, StdioKind fallback, StdioPlan* plan) {
  std::string field = std::string("spec.") + name;
  Napi::Value value = spec.Get(name);
  if (value.IsUndefined()) {
    plan->kind = fallback;
    return;
  }
  if (!value.IsObject()) ThrowType(env, field, "an object like { kind: 'null' }");
  Napi::Object object = value.As<Napi::Object>();
  std::string kind = ReadString(env, object.Get("kind"), field + ".kind");
  if (kind == "null") {
    plan->kind = StdioKind::kNull;
  } else if (kind == "inherit") {
    plan->kind = StdioKind::kInherit;
  } else if (kind == "pipe") {
    plan->kind = StdioKind::kPipe;
  } else if (kind == "file") {
    plan->kind = StdioKind::kFile;
    plan->path = ReadString(env, object.Get("path"), field + ".path");
    if (plan->path.empty()) ThrowRange(env, field + ".path", "must not be empty");
    plan->openFlags = StdioOpenFlags(env, ReadString(env, object.Get("mode"), field + ".mode"), field + ".mode");
  } else if (kind == "stdout" && std::string(name) == "stderr") {
    plan->kind = StdioKind::kStdout;
  } else if (kind == "data" && std::string(name) == "stdin") {
    plan->kind = StdioKind::kData;
    Napi::Value data = object.Get("data");
    if (!data.IsBuffer()) ThrowType(env, field + ".data", "a Buffer");
    Napi::Buffer<char> bytes = data.As<Napi::Buffer<char>>();
    plan->data.assign(bytes.Data(), bytes.Length());
  } else if (kind == "tty") {
    plan->kind = StdioKind::kTty;
  } else if (kind == "fd") {
    plan->kind = StdioKind::kFd;
    plan->fd = static_cast<int>(ReadInteger(env, object.Get("fd"), field + ".fd", 0, 0x7FFFFFFF));
    if (fcntl(plan->fd, F_GETFD) < 0) ThrowRange(env, field + ".fd", "is not an open file descriptor");
  } else {
    ThrowRange(env, field + ".kind", "must be 'null', 'inherit', 'file', 'pipe', 'fd', 'tty', for stdin 'data' or, for stderr, 'stdout' (got '" + kind + "')");
  }
}

struct RlimitName {
  const char* name;
  int resource;
};
constexpr RlimitName kRlimits[] = {
    {"CPU", RLIMIT_CPU},         {"FSIZE", RLIMIT_FSIZE},     {"DATA", RLIMIT_DATA},
    {"STACK", RLIMIT_STACK},     {"CORE", RLIMIT_CORE},       {"RSS", RLIMIT_RSS},
    {"NOFILE", RLIMIT_NOFILE},   {"AS", RLIMIT_AS},           {"NPROC", RLIMIT_NPROC},
    {"MEMLOCK", RLIMIT_MEMLOCK}, {"LOCKS", RLIMIT_LOCKS},     {"SIGPENDING", RLIMIT_SIGPENDING},
    {"MSGQUEUE", RLIMIT_MSGQUEUE}, {"NICE", RLIMIT_NICE},     {"RTPRIO", RLIMIT_RTPRIO},
    {"RTTIME", RLIMIT_RTTIME},
};

rlim_t ReadRlimitValue(Napi::Env env, const Napi::Value& value, const std::string& field) {
  if (value.IsString() && value.As<Napi::String>().Utf8Value() == "infinity") return RLIM_INFINITY;
  if (!value.IsNumber()) ThrowType(env, field, "a non-negative integer or 'infinity'");
  return static_cast<rlim_t>(ReadInteger(env, value, field, 0, 9007199254740991LL));
}

void ReadRlimits(Napi::Env env, const Napi::Value& value, SpawnPlan* plan) {
  if (value.IsUndefined()) return;
  if (!value.IsArray()) ThrowType(env, "spec.rlimits", "an array");
  Napi::Array list = value.As<Napi::Array>();
  for (uint32_t i = 0; i < list.Length(); i++) {
    std::string field = "spec.rlimits[" + std::to_string(i) + "]";
    Napi::Value item = list.Get(i);
    if (!item.IsObject()) ThrowType(env, field, "an object { resource, soft, hard }");
    Napi::Object entry = item.As<Napi::Object>();
    std::string name = ReadString(env, entry.Get("resource"), field + ".resource");
    int resource = -1;
    for (const auto& known : kRlimits)
      if (name == known.name) resource = known.resource;
    if (resource < 0) ThrowRange(env, field + ".resource", "is not a known resource limit: '" + name + "'");
    RlimitPlan limit{resource, {}};
    limit.limit.rlim_cur = ReadRlimitValue(env, entry.Get("soft"), field + ".soft");
    limit.limit.rlim_max = ReadRlimitValue(env, entry.Get("hard"), field + ".hard");
    if (limit.limit.rlim_cur > limit.limit.rlim_max) ThrowRange(env, field + ".soft", "must not exceed hard");
    plan->rlimits.push_back(limit);
  }
}

std::vector<std::string> ReadStringArray(Napi::Env env, const Napi::Value& value, const std::string& field) {
  if (!value.IsArray()) ThrowType(env, field, "an array of strings");
  Napi::Array list = value.As<Napi::Array>();
  std::vector<std::string> out;
  for (uint32_t i = 0; i < list.Length(); i++)
    out.push_back(ReadString(env, list.Get(i), field + "[" + std::to_string(i) + "]"));
  return out;
}

bool StartsWith(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

// Returns false (with *failure set) when the user or a group does not exist: systemd fails
// such a spawn with 217/USER or 216/GROUP, and we do so without forking at all.
bool ReadCredentials(Napi::Env env, const Napi::Object& spec, SpawnPlan* plan, EarlyFailure* failure) {
  Napi::Value user = spec.Get("user"), group = spec.Get("group"), extra = spec.Get("supplementaryGroups");
  std::string userName;
  bool userHasEntry = false;
  if (!user.IsUndefined()) {
    struct passwd entry;
    std::vector<char> buffer;
    if (user.IsNumber()) {
      plan->uid = static_cast<uid_t>(ReadInteger(env, user, "spec.user", 0, 0xFFFFFFFE));
      userHasEntry = LookupUserById(env, plan->uid, &entry, buffer) == LookupResult::kFound;
      plan->gid = userHasEntry ? entry.pw_gid : plan->uid;  // systemd: a bare uid doubles as gid
    } else {
      std::string name = ReadString(env, user, "spec.user");
      if (name.empty()) ThrowRange(env, "spec.user", "must not be empty");
      if (LookupUserByName(env, name, &entry, buffer) == LookupResult::kMissing) {
        *failure = {kExitUser, ESRCH, "getpwnam"};  // systemd reports ESRCH ("No such process")
        return false;
      }
      userHasEntry = true;
      plan->uid = entry.pw_uid;
      plan->gid = entry.pw_gid;
    }
    if (userHasEntry) userName = entry.pw_name;
    plan->changeUser = plan->changeGroup = plan->replaceGroups = true;
  }
  if (!group.IsUndefined()) {
    if (!ResolveGroup(env, group, "spec.group", &plan->gid)) {
      *failure = {kExitGroup, ESRCH, "getgrnam"};
      return false;
    }
    plan->changeGroup = true;
  }
  // initgroups() semantics, computed here because getgrouplist() reads the group database.
  if (!userName.empty()) {
    int count = 64;
    std::vector<gid_t> list(count);
    while (getgrouplist(userName.c_str(), plan->gid, list.data(), &count) < 0) list.resize(count);
    list.resize(count);
    plan->groups = list;
  } else if (plan->changeUser) {
    plan->groups = {plan->gid};
  }
  if (!extra.IsUndefined()) {
    if (!extra.IsArray()) ThrowType(env, "spec.supplementaryGroups", "an array of group names or ids");
    Napi::Array list = extra.As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); i++) {
      std::string field = "spec.supplementaryGroups[" + std::to_string(i) + "]";
      gid_t gid;
      if (!ResolveGroup(env, list.Get(i), field, &gid)) {
        *failure = {kExitGroup, ESRCH, "getgrnam"};
        return false;
      }
      plan->groups.push_back(gid);
    }
    if (list.Length() > 0) plan->replaceGroups = true;
  }
  if (plan->groups.size() > 65536) ThrowRange(env, "spec.supplementaryGroups", "has more than 65536 groups");
  return true;
}

uint64_t ReadCapabilitySet(Napi::Env env, const Napi::Value& value, const std::string& field) {
  if (!value.IsArray()) ThrowType(env, field, "an array of capability numbers");
  Napi::Array list = value.As<Napi::Array>();
  uint64_t mask = 0;
  for (uint32_t i = 0; i < list.Length(); i++)
    mask |= uint64_t{1} << ReadInteger(env, list.Get(i), field + "[" + std::to_string(i) + "]", 0, 63);
  return mask;
}

void ReadCapabilities(Napi::Env env, const Napi::Object& spec, CapabilityPlan* caps) {
  static const int lastCap = ProbeLastCapability();
  caps->lastCap = lastCap;
  Napi::Value bounding = spec.Get("capabilityBoundingSet"), ambient = spec.Get("ambientCapabilities"),
              secureBits = spec.Get("secureBits");
  if (!bounding.IsUndefined()) {
    caps->hasBounding = true;
    caps->bounding = ReadCapabilitySet(env, bounding, "spec.capabilityBoundingSet");
  }
  if (!ambient.IsUndefined()) caps->ambient = ReadCapabilitySet(env, ambient, "spec.ambientCapabilities");
  if (!secureBits.IsUndefined()) {
    caps->hasSecureBits = true;
    caps->secureBits = static_cast<int>(ReadInteger(env, secureBits, "spec.secureBits", 0, 63));
  }
}

bool ReadFlag(Napi::Env env, const Napi::Object& object, const char* name, const std::string& field) {
  Napi::Value value = object.Get(name);
  if (value.IsUndefined()) return false;
  if (!value.IsBoolean()) ThrowType(env, field + "." + name, "a boolean");
  return value.As<Napi::Boolean>().Value();
}

// spec.terminal { path, acquire?, reset?, vhangup?, vtDisallocate?, rows?, columns? }; any 'tty' stdio needs it.
void ReadTerminal(Napi::Env env, const Napi::Object& spec, SpawnPlan* plan) {
  Napi::Value value = spec.Get("terminal");
  bool ttyStdio = false;
  for (const StdioPlan& stdio : plan->stdio) ttyStdio = ttyStdio || stdio.kind == StdioKind::kTty;
  if (value.IsUndefined()) {
    if (ttyStdio) ThrowRange(env, "spec.terminal", "is needed by a 'tty' stdio");
    return;
  }
  if (!value.IsObject()) ThrowType(env, "spec.terminal", "an object like { path: '/dev/console' }");
  Napi::Object object = value.As<Napi::Object>();
  TerminalPlan& t = plan->terminal;
  t.used = true;
  t.path = ReadString(env, object.Get("path"), "spec.terminal.path");
  if (!StartsWith(t.path, "/")) ThrowRange(env, "spec.terminal.path", "must be an absolute path");
  Napi::Value acquire = object.Get("acquire");
  std::string mode = acquire.IsUndefined() ? "" : ReadString(env, acquire, "spec.terminal.acquire");
  if (mode == "try") t.acquire = TerminalAcquire::kTry;
  else if (mode == "force") t.acquire = TerminalAcquire::kForce;
  else if (mode == "wait") t.acquire = TerminalAcquire::kWait;
  else if (!mode.empty()) ThrowRange(env, "spec.terminal.acquire", "must be 'try', 'force' or 'wait' (got '" + mode + "')");
  if ((plan->stdio[0].kind == StdioKind::kTty) != (t.acquire != TerminalAcquire::kNone))
    ThrowRange(env, "spec.terminal.acquire", "must be given exactly when spec.stdin is 'tty'");
  t.reset = ReadFlag(env, object, "reset", "spec.terminal");
  t.vhangup = ReadFlag(env, object, "vhangup", "spec.terminal");
  t.vtDisallocate = ReadFlag(env, object, "vtDisallocate", "spec.terminal");
  if (!object.Get("rows").IsUndefined()) t.rows = static_cast<int>(ReadInteger(env, object.Get("rows"), "spec.terminal.rows", 0, 65535));
  if (!object.Get("columns").IsUndefined())
    t.columns = static_cast<int>(ReadInteger(env, object.Get("columns"), "spec.terminal.columns", 0, 65535));
}

void ReadScheduling(Napi::Env env, const Napi::Object& spec, SchedulingPlan* plan) {
  Napi::Value cpu = spec.Get("cpuScheduling"), io = spec.Get("ioPriority");
  if (!cpu.IsUndefined()) {
    if (!cpu.IsObject()) ThrowType(env, "spec.cpuScheduling", "an object { policy, priority, resetOnFork }");
    Napi::Object object = cpu.As<Napi::Object>();
    plan->hasCpu = true;
    plan->policy = static_cast<int>(ReadInteger(env, object.Get("policy"), "spec.cpuScheduling.policy", 0, 6));
    plan->priority = static_cast<int>(ReadInteger(env, object.Get("priority"), "spec.cpuScheduling.priority", 0, 99));
    Napi::Value reset = object.Get("resetOnFork");
    if (!reset.IsUndefined() && !reset.IsBoolean()) ThrowType(env, "spec.cpuScheduling.resetOnFork", "a boolean");
    if (reset.IsBoolean() && reset.As<Napi::Boolean>().Value()) plan->policy |= SCHED_RESET_ON_FORK;
  }
  if (!io.IsUndefined()) {
    plan->hasIo = true;
    plan->ioprio = static_cast<int>(ReadInteger(env, io, "spec.ioPriority", 0, 0xFFFF));
  }
}

void ReadSpec(Napi::Env env, const Napi::Object& spec, SpawnPlan* plan) {
  plan->path = ReadString(env, spec.Get("path"), "spec.path");
  if (!StartsWith(plan->path, "/")) ThrowRange(env, "spec.path", "must be an absolute path");
  plan->argv = ReadStringArray(env, spec.Get("argv"), "spec.argv");
  plan->env = ReadStringArray(env, spec.Get("env"), "spec.env");
  for (size_t i = 0; i < plan->env.size(); i++) {
    size_t equals = plan->env[i].find('=');
    if (equals == std::string::npos || equals == 0)
      ThrowRange(env, "spec.env[" + std::to_string(i) + "]", "must look like NAME=value");
  }
  Napi::Value cwd = spec.Get("cwd");
  if (!cwd.IsUndefined()) {
    plan->hasCwd = true;
    plan->cwd = ReadString(env, cwd, "spec.cwd");
    if (plan->cwd.empty()) ThrowRange(env, "spec.cwd", "must not be empty");
  }
  Napi::Value setsid = spec.Get("setsid");
  if (!setsid.IsUndefined()) {
    if (!setsid.IsBoolean()) ThrowType(env, "spec.setsid", "a boolean");
    plan->newSession = setsid.As<Napi::Boolean>().Value();
  }
  Napi::Value umask = spec.Get("umask");
  if (!umask.IsUndefined()) {
    plan->hasUmask = true;
    plan->umaskValue = static_cast<mode_t>(ReadInteger(env, umask, "spec.umask", 0, 07777));
  }
  Napi::Value nice = spec.Get("nice");
  if (!nice.IsUndefined()) {
    plan->hasNice = true;
    plan->nice = static_cast<int>(ReadInteger(env, nice, "spec.nice", -20, 19));
  }
  Napi::Value oom = spec.Get("oomScoreAdjust");
  if (!oom.IsUndefined()) {
    plan->hasOomScoreAdjust = true;
    plan->oomScoreAdjustText = std::to_string(ReadInteger(env, oom, "spec.oomScoreAdjust", -1000, 1000));
  }
  Napi::Value cpuAffinity = spec.Get("cpuAffinity");
  if (!cpuAffinity.IsUndefined()) {
    if (!cpuAffinity.IsArray()) ThrowType(env, "spec.cpuAffinity", "an array of CPU numbers");
    Napi::Array cpus = cpuAffinity.As<Napi::Array>();
    plan->hasCpuAffinity = true;
    CPU_ZERO(&plan->cpuAffinity);
    for (uint32_t i = 0; i < cpus.Length(); i++)
      CPU_SET(static_cast<int>(ReadInteger(env, cpus.Get(i), "spec.cpuAffinity[" + std::to_string(i) + "]", 0, CPU_SETSIZE - 1)), &plan->cpuAffinity);
  }
  Napi::Value noNewPrivileges = spec.Get("noNewPrivileges");
  if (!noNewPrivileges.IsUndefined()) {
    if (!noNewPrivileges.IsBoolean()) ThrowType(env, "spec.noNewPrivileges", "a boolean");
    plan->noNewPrivileges = noNewPrivileges.As<Napi::Boolean>().Value();
  }
  Napi::Value ignoreSigpipe = spec.Get("ignoreSigpipe");
  if (!ignoreSigpipe.IsUndefined()) {
    if (!ignoreSigpipe.IsBoolean()) ThrowType(env, "spec.ignoreSigpipe", "a boolean");
    plan->ignoreSigpipe = ignoreSigpipe.As<Napi::Boolean>().Value();
  }
  Napi::Value root = spec.Get("rootDirectory");
  if (!root.IsUndefined()) {
    plan->rootDirectory = ReadString(env, root, "spec.rootDirectory");
    if (!StartsWith(plan->rootDirectory, "/")) ThrowRange(env, "spec.rootDirectory", "must be an absolute path");
  }
  ReadRlimits(env, spec.Get("rlimits"), plan);
  ReadCapabilities(env, spec, &plan->caps);
  ReadScheduling(env, spec, &plan->scheduling);
  ReadStdio(env, spec, "stdin", StdioKind::kNull, &plan->stdio[0]);
  ReadStdio(env, spec, "stdout", StdioKind::kInherit, &plan->stdio[1]);
  ReadStdio(env, spec, "stderr", StdioKind::kInherit, &plan->stdio[2]);
  ReadTerminal(env, spec, plan);
  std::string name = plan->path.substr(plan->path.rfind('/') + 1);
  plan->waitingName = "(" + (name.size() > 8 ? name.substr(name.size() - 8) : name) + ")";

  Napi::Value extra = spec.Get("extraFds");
  if (!extra.IsUndefined()) {
    if (!extra.IsArray()) ThrowType(env, "spec.extraFds", "an array of file descriptors");
    Napi::Array list = extra.As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); i++) {
      std::string field = "spec.extraFds[" + std::to_string(i) + "]";
      int fd = static_cast<int>(ReadInteger(env, list.Get(i), field, 0, 0x7FFFFFFF));
      if (fcntl(fd, F_GETFD) < 0) ThrowRange(env, field, "is not an open file descriptor");
      plan->extraFds.push_back(fd);
    }
  }
  Napi::Value names = spec.Get("listenFdNames");
  if (!names.IsUndefined()) {
    std::vector<std::string> list = ReadStringArray(env, names, "spec.listenFdNames");
    if (list.size() != plan->extraFds.size())
      ThrowRange(env, "spec.listenFdNames", "must name each of spec.extraFds (" + std::to_string(plan->extraFds.size()) +
                                                ") but has " + std::to_string(list.size()) + " names");
    for (size_t i = 0; i < list.size(); i++)
      if (list[i].find(':') != std::string::npos)
        ThrowRange(env, "spec.listenFdNames[" + std::to_string(i) + "]", "must not contain ':'");
    // sd_listen_fds(3) protocol; any stale LISTEN_* from the caller's env would contradict it.
    std::vector<std::string> kept;
    for (auto& entry : plan->env)
      if (!StartsWith(entry, "LISTEN_FDS=") && !StartsWith(entry, "LISTEN_PID=") && !StartsWith(entry, "LISTEN_FDNAMES="))
        kept.push_back(entry);
    plan->env = kept;
    std::string joined;
    for (size_t i = 0; i < list.size(); i++) joined += (i ? ":" : "") + list[i];
    plan->env.push_back("LISTEN_FDS=" + std::to_string(list.size()));
    plan->env.push_back("LISTEN_FDNAMES=" + joined);
    plan->env.push_back("LISTEN_PID=" + std::string(20, '0'));
    plan->listenPidSlot = static_cast<int>(plan->env.size()) - 1;
  }
}

// ---------- the child (async-signal-safe only from here to execve) ----------

[[noreturn]] void FailChild(int reportFd, int exitCode, const char* step) {
  ChildFailure failure;
  failure.exitCode = exitCode;
  failure.err = errno;
  size_t i = 0;
  for (; step[i] != '\0' && i < sizeof(failure.step) - 1; i++) failure.step[i] = step[i];
  for (; i < sizeof(failure.step); i++) failure.step[i] = '\0';
  ssize_t ignored = write(reportFd, &failure, sizeof(failure));
  (void)ignored;
  _exit(exitCode == kReportTerminalBusy ? kExitStdin : exitCode);
}

bool ClearNonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  return flags >= 0 && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0;
}

// libuv puts the pipes it is given as stdio into O_NONBLOCK mode, and that flag lives on the
// open file description shared with every child. A service would then see EAGAIN on its
// stdout. Clearing the flag would make the daemon's own writes block, so a FIFO is reopened
// through /proc instead: a new description of the same pipe, blocking, private to the child.
// Sockets cannot be reopened that way and are passed on as they are.
int StdioFromDaemonFd(int fd, int stdioIndex) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0) return -1;
  struct stat info;
  if ((flags & O_NONBLOCK) == 0 || fstat(fd, &info) < 0 || !S_ISFIFO(info.st_mode)) return fd;
  char path[32] = "/proc/self/fd/";
  char digits[12];
  int length = 0;
  for (int value = fd; value > 0 || length == 0; value /= 10) digits[length++] = static_cast<char>('0' + value % 10);
  int at = 14;
  while (length > 0) path[at++] = digits[--length];
  path[at] = '\0';
  int access = stdioIndex == 0 ? O_RDONLY : O_WRONLY;
  int reopened = open(path, access | O_NONBLOCK | O_CLOEXEC);  // non-blocking: a FIFO without a peer must not hang
  if (reopened < 0) return fd;
  ClearNonblocking(reopened);
  return reopened;
}

void PatchListenPid(char* slot) {  // slot points at the digits after "LISTEN_PID="
  char digits[20];
  int length = 0;
  for (pid_t pid = getpid(); pid > 0; pid /= 10) digits[length++] = static_cast<char>('0' + pid % 10);
  int at = 0;
  while (length > 0) slot[at++] = digits[--length];
  slot[at] = '\0';
}

void CloseFdsFrom(int lowest, int keep) {
  // CLOSE_RANGE_CLOEXEC (Linux 5.11) leaves the report pipe usable until execve closes it all.
  if (syscall(SYS_close_range, lowest, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) == 0) return;
  if (keep > lowest && syscall(SYS_close_range, lowest, keep - 1, 0) == 0 &&
      syscall(SYS_close_range, keep + 1, ~0U, 0) == 0)
    return;
  struct rlimit limit;
  int highest = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < (1u << 20)
                    ? static_cast<int>(limit.rlim_cur)
                    : (1 << 20);
  for (int fd = lowest; fd < highest; fd++)
    if (fd != keep) close(fd);
}

// systemd's setrlimit_closest(): without CAP_SYS_RESOURCE (common in containers) a hard limit
// cannot be raised, so LimitCORE=infinity gets the highest value allowed instead of 205/LIMITS.
bool SetRlimitClosest(const RlimitPlan& limit) {
  auto resource = static_cast<__rlimit_resource_t>(limit.resource);
  if (setrlimit(resource, &limit.limit) == 0) return true;
  struct rlimit current;
  if (errno != EPERM || getrlimit(resource, &current) < 0) return false;
  struct rlimit closest;
  closest.rlim_max = limit.limit.rlim_max < current.rlim_max ? limit.limit.rlim_max : current.rlim_max;
  closest.rlim_cur = limit.limit.rlim_cur < closest.rlim_max ? limit.limit.rlim_cur : closest.rlim_max;
  return setrlimit(resource, &closest) == 0;
}

// StandardInput=tty*: the terminal, now this session's controlling terminal (setup_input()).
int TerminalAsStdin(SpawnPlan& plan, int reportFd) {
  // The child that may wait is not waited for: it takes SIGTERM while it sleeps, as systemd's
  // does (every disposition is back at its default by now).
  sigset_t none;
  sigemptyset(&none);
  if (plan.terminal.mayWait) {
    prctl(PR_SET_NAME, plan.waitingName.c_str(), 0, 0, 0);
    sigprocmask(SIG_SETMASK, &none, nullptr);
  }
  int fd = AcquireTerminal(plan.terminal);
  int err = errno;
  if (plan.terminal.mayWait) {
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
  }
  errno = err;
  if (fd < 0 && errno == EPERM && plan.terminal.acquire == TerminalAcquire::kWait && !plan.terminal.mayWait)
    FailChild(reportFd, kReportTerminalBusy, "TIOCSCTTY");
  if (fd < 0) FailChild(reportFd, kExitStdin, "acquire terminal");
  if (!PrepareAcquiredTerminal(plan.terminal, fd, plan.changeUser, plan.uid)) FailChild(reportFd, kExitStdin, "chown terminal");
  return fd;
}

// StandardInput=file: (and output files) for spawnAsync(): opened blocking, as systemd's child
// does, so a FIFO without a peer holds the child in open(). systemd's child has its signal mask
// reset by then, so a stop's SIGTERM ends it there: unblocked around the open (every disposition
// is back at its default by now, so no handler of Node's can run).
int OpenStdioFile(const SpawnPlan& plan, const StdioPlan& stdio) {
  if (!plan.blockingOpens) return open(stdio.path.c_str(), stdio.openFlags | O_CLOEXEC, 0666);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  int fd = open(stdio.path.c_str(), (stdio.openFlags & ~O_NONBLOCK) | O_CLOEXEC, 0666);
  int err = errno;
  sigprocmask(SIG_SETMASK, &all, nullptr);
  errno = err;
  return fd;
}

// The child's copy of the daemon's fd table holds the pipes of other spawns in flight (their
// report pipes, a service's stdout): a child that blocks before exec (a FIFO without a peer, a
// busy terminal) would keep those open and another spawner thread would never see its child's
// exec. So every fd the child does not need is closed first, as exec would close it.
void CloseForeignFds(const SpawnPlan& plan, int reportFd) {
  unsigned int from = 3;
  size_t k = 0;
  bool reportDone = reportFd < 3;
  for (;;) {
    int next;
    if (k < plan.keepFds.size() && (reportDone || plan.keepFds[k] < reportFd)) {
      next = plan.keepFds[k++];
    } else if (!reportDone) {
      next = reportFd;
      reportDone = true;
    } else {
      break;
    }
    if (next < static_cast<int>(from)) continue;
    if (static_cast<unsigned int>(next) > from && syscall(SYS_close_range, from, next - 1, 0) != 0)
      for (int fd = static_cast<int>(from); fd < next; fd++) close(fd);
    from = static_cast<unsigned int>(next) + 1;
  }
  if (syscall(SYS_close_range, from, ~0U, 0) == 0) return;
  struct rlimit limit;
  int highest = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < (1u << 20)
                    ? static_cast<int>(limit.rlim_cur)
                    : (1 << 20);
  for (int fd = static_cast<int>(from); fd < highest; fd++) close(fd);
}

[[noreturn]] void RunChild(SpawnPlan& plan, int reportFd) {
  // Node ignores SIGPIPE and installs handlers; execve keeps ignored signals ignored, so every
  // disposition goes back to default. The mask (all blocked by the parent around fork) is
  // lifted just before execve, so no handler of Node's can ever run in this child.
  struct sigaction defaults;
  memset(&defaults, 0, sizeof(defaults));
  defaults.sa_handler = SIG_DFL;
  sigemptyset(&defaults.sa_mask);
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &defaults, nullptr);
  // IgnoreSIGPIPE= (yes by default in systemd): an ignored disposition survives execve.
  if (plan.ignoreSigpipe) signal(SIGPIPE, SIG_IGN);
  CloseForeignFds(plan, reportFd);

  if (plan.newSession && setsid() < 0) FailChild(reportFd, kExitSetsid, "setsid");
  // TTYReset=, TTYVHangup=, TTYRows=/TTYColumns=, TTYVTDisallocate=: before the terminal is taken.
  ResetTerminal(plan.terminal);

  int lowest = 3 + static_cast<int>(plan.extraFds.size());
  int sources[3] = {-1, -1, -1};
  for (int i = 0; i < 3; i++) {
    StdioPlan& stdio = plan.stdio[i];
    int fd = -1;
    switch (stdio.kind) {
      case StdioKind::kNull:
        fd = open("/dev/null", (i == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
        if (fd < 0) FailChild(reportFd, kStdioExit[i], "open /dev/null");
        break;
      case StdioKind::kInherit:
        fd = StdioFromDaemonFd(i, i);
        // The daemon itself may run without this fd (closed stdin): give /dev/null instead.
        if (fd < 0) fd = open("/dev/null", (i == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
        if (fd < 0) FailChild(reportFd, kStdioExit[i], "open /dev/null");
        break;
      case StdioKind::kFile:
        fd = OpenStdioFile(plan, stdio);
        if (fd < 0 || !ClearNonblocking(fd)) FailChild(reportFd, kStdioExit[i], "open");
        break;
      case StdioKind::kPipe:
      case StdioKind::kData:
        fd = stdio.fd;
        break;
      case StdioKind::kFd:
        fd = StdioFromDaemonFd(stdio.fd, i);
        if (fd < 0) FailChild(reportFd, kStdioExit[i], "fcntl");
        break;
      case StdioKind::kStdout:
        fd = sources[1];  // stdout (index 1) is always resolved before stderr
        break;
      case StdioKind::kTty:
        fd = i == 0 ? TerminalAsStdin(plan, reportFd) : plan.stdio[0].kind == StdioKind::kTty ? sources[0] : OpenTerminalForOutput(plan.terminal);
        if (fd < 0) FailChild(reportFd, kStdioExit[i], "open terminal");
        break;
    }
    sources[i] = fd;
  }

  // Move every source (and the report pipe) above the target range 0..lowest-1 first, so
  // placing one fd can never overwrite another that is still needed.
  if (reportFd < lowest) {
    int moved = fcntl(reportFd, F_DUPFD_CLOEXEC, lowest);
    if (moved < 0) FailChild(reportFd, kExitFds, "fcntl F_DUPFD");
    reportFd = moved;
  }
  for (int i = 0; i < 3; i++) {
    if (sources[i] >= lowest) continue;
    sources[i] = fcntl(sources[i], F_DUPFD_CLOEXEC, lowest);
    if (sources[i] < 0) FailChild(reportFd, kStdioExit[i], "fcntl F_DUPFD");
  }
  for (int& fd : plan.extraFds) {
    if (fd >= lowest) continue;
    fd = fcntl(fd, F_DUPFD_CLOEXEC, lowest);
    if (fd < 0) FailChild(reportFd, kExitFds, "fcntl F_DUPFD");
  }
  for (int i = 0; i < 3; i++)
    if (dup2(sources[i], i) < 0) FailChild(reportFd, kStdioExit[i], "dup2");
  for (size_t i = 0; i < plan.extraFds.size(); i++)
    if (dup2(plan.extraFds[i], 3 + static_cast<int>(i)) < 0) FailChild(reportFd, kExitFds, "dup2");

  if (plan.hasOomScoreAdjust) {
    // Lowering the score needs CAP_SYS_RESOURCE, which containers rarely have:
    // systemd then logs "assuming containerized execution, ignoring" and goes
    // on (PostgreSQL's units set OOMScoreAdjust=-900), and so do we.
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0 && errno != EACCES && errno != EPERM) FailChild(reportFd, kExitOomAdjust, "open /proc/self/oom_score_adj");
    if (fd >= 0) {
      const std::string& text = plan.oomScoreAdjustText;
      if (write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) && errno != EACCES && errno != EPERM)
        FailChild(reportFd, kExitOomAdjust, "write /proc/self/oom_score_adj");
      close(fd);
    }
  }
  if (plan.hasNice && setpriority(PRIO_PROCESS, 0, plan.nice) < 0) FailChild(reportFd, kExitNice, "setpriority");
  // CPUSchedulingPolicy=/Priority=: fifo and rr need CAP_SYS_NICE (or RLIMIT_RTPRIO).
  if (!SetCpuScheduling(plan.scheduling)) FailChild(reportFd, kExitSetScheduler, "sched_setscheduler");
  // CPUAffinity=: needs no privilege for oneself; EINVAL when none of the CPUs is usable here
  // (a cpuset narrower than the unit asked), which systemd also fails with 215/CPUAFFINITY.
  if (plan.hasCpuAffinity && sched_setaffinity(0, sizeof(plan.cpuAffinity), &plan.cpuAffinity) < 0)
    FailChild(reportFd, kExitCpuAffinity, "sched_setaffinity");
  // IOSchedulingClass=/Priority=: the realtime class needs CAP_SYS_ADMIN.
  if (!SetIoPriority(plan.scheduling)) FailChild(reportFd, kExitIoprio, "ioprio_set");
  for (const RlimitPlan& limit : plan.rlimits)
    if (!SetRlimitClosest(limit)) FailChild(reportFd, kExitLimits, "setrlimit");
  if (plan.hasUmask) umask(plan.umaskValue);

  // RootDirectory=: while still privileged (CAP_SYS_CHROOT); the executable, the working
  // directory and everything the service opens from now on are inside the new root.
  if (!plan.rootDirectory.empty() && (chroot(plan.rootDirectory.c_str()) < 0 || chdir("/") < 0))
    FailChild(reportFd, kExitChroot, "chroot");

  // Raw system calls: glibc's wrappers broadcast id changes to all threads of the process,
  // machinery that is not meant to run in a forked child of a threaded program.
  if (plan.replaceGroups && syscall(SYS_setgroups, plan.groups.size(), plan.groups.data()) < 0)
    FailChild(reportFd, kExitGroup, "setgroups");
  if (plan.changeGroup && syscall(SYS_setresgid, plan.gid, plan.gid, plan.gid) < 0)
    FailChild(reportFd, kExitGroup, "setresgid");
  // AmbientCapabilities= and CapabilityBoundingSet= (skipped for `+` commands by the caller).
  if (!RaiseAmbient(plan.caps, true)) FailChild(reportFd, kExitCapabilities, "prctl PR_CAP_AMBIENT");
  if (!DropBoundingSet(plan.caps)) FailChild(reportFd, kExitCapabilities, "prctl PR_CAPBSET_DROP");
  bool keptCaps = plan.changeUser && plan.uid != 0 && (plan.caps.ambient != 0 || plan.caps.secureBits != 0);
  if (keptCaps && !KeepCapsForUserChange(plan.caps, plan.uid)) FailChild(reportFd, kExitUser, "prctl PR_SET_SECUREBITS");
  if (plan.changeUser && syscall(SYS_setresuid, plan.uid, plan.uid, plan.uid) < 0)
    FailChild(reportFd, kExitUser, "setresuid");
  // setresuid() away from root clears the ambient set even with keep-caps: raise it again.
  if (plan.changeUser && !RaiseAmbient(plan.caps, false)) FailChild(reportFd, kExitCapabilities, "prctl PR_CAP_AMBIENT");
  bool setpcapFailed = false;
  if (!ApplySecureBits(plan.caps, keptCaps, &setpcapFailed))
    FailChild(reportFd, setpcapFailed ? kExitCapabilities : kExitSecureBits, setpcapFailed ? "capset CAP_SETPCAP" : "prctl PR_SET_SECUREBITS");
  if (plan.noNewPrivileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    FailChild(reportFd, kExitNoNewPrivileges, "prctl PR_SET_NO_NEW_PRIVS");

  // After dropping privileges, as systemd does: the directory must be reachable by the user.
  if (plan.hasCwd && chdir(plan.cwd.c_str()) < 0) FailChild(reportFd, kExitChdir, "chdir");

  if (plan.listenPidSlot >= 0) PatchListenPid(plan.envPointers[plan.listenPidSlot] + sizeof("LISTEN_PID=") - 1);

  CloseFdsFrom(lowest, reportFd);

  sigset_t none;
  sigemptyset(&none);
  if (sigprocmask(SIG_SETMASK, &none, nullptr) < 0) FailChild(reportFd, kExitSignalMask, "sigprocmask");

  execve(plan.path.c_str(), plan.argvPointers.data(), plan.envPointers.data());
  FailChild(reportFd, kExitExec, "execve");
}

// ---------- the parent ----------

struct ChildStart {
  SpawnPlan* plan;
  int reportFd;
};

int ChildEntry(void* argument) {
  auto* start = static_cast<ChildStart*>(argument);
  RunChild(*start->plan, start->reportFd);
}

// clone(CLONE_VM | CLONE_VFORK), as glibc's posix_spawn does: the child borrows our memory
// instead of copying the page tables of a Node heap that may be hundreds of MiB (a plain
// fork() cost ~25 ms per spawn at 370 MiB RSS under load). This thread sleeps until the
// child has called execve or _exit; the child writes only into `plan`, which is discarded.
//
// shared == false: a plain copy (no CLONE_VM, no CLONE_VFORK) this thread does not wait for, for
// the one child that may sleep before execve (StandardInput=tty on a busy terminal).
//
// parentTid: where the kernel stores the child's pid as it creates it, before the child runs
// (CLONE_PARENT_SETTID), so the reaper on another thread can tell this spawn's children.
pid_t StartChild(SpawnPlan& plan, int reportFd, bool shared = true, pid_t* parentTid = nullptr) {
  constexpr size_t kStackSize = 256 * 1024;
  void* stack = mmap(nullptr, kStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return -1;
  ChildStart start{&plan, reportFd};
  int flags = (shared ? CLONE_VM | CLONE_VFORK : 0) | (parentTid != nullptr ? CLONE_PARENT_SETTID : 0) | SIGCHLD;
  pid_t pid = clone(ChildEntry, static_cast<char*>(stack) + kStackSize, flags, &start, parentTid);
  int err = errno;
  munmap(stack, kStackSize);
  errno = err;
  return pid;
}

int StandInEntry(void* arg) {
  _exit(*static_cast<int*>(arg));
}

// systemd forks before it resolves User= and Group=, so even that failure has a process whose
// pid `systemctl status` shows ("Process: 66 ExecStart=... (code=exited, status=217/USER)").
// A stand-in child exits at once with the failure's status and is collected here, as a failed
// child is, so its exit never reaches the reaper. 0 when even the clone failed.
pid_t ReapedStandIn(int exitCode) {
  constexpr size_t kStackSize = 64 * 1024;
  void* stack = mmap(nullptr, kStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return 0;
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  pid_t pid = clone(StandInEntry, static_cast<char*>(stack) + kStackSize, CLONE_VM | CLONE_VFORK | SIGCHLD, &exitCode);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  munmap(stack, kStackSize);
  if (pid <= 0) return 0;
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return pid;
}

Napi::Object FailureObject(Napi::Env env, pid_t pid, int exitCode, int err, const std::string& step) {
  Napi::Object failure = Napi::Object::New(env);
  failure.Set("pid", pid);
  failure.Set("exitCode", exitCode);
  failure.Set("errno", err);
  failure.Set("code", ErrnoName(err));
  failure.Set("message", strerror(err));
  failure.Set("step", step);
  return failure;
}

void OpenPipe(Napi::Env env, int ends[2], FdGuard& guard) {
  if (pipe2(ends, O_CLOEXEC) < 0) ThrowSystem(env, errno, "pipe2");
  guard.Add(ends[0]);
  guard.Add(ends[1]);
}

// Everything of one spawn the parent made before the clone: the plan the child walks and the
// fds (report pipe, stdio pipes, memfd) closed when this goes unless handed to JavaScript.
struct Prepared {
  SpawnPlan plan;
  FdGuard guard;
  int report[2] = {-1, -1};
  bool releasedTerminal = false;
};

// What the clone came to; made without touching JavaScript, so on any thread.
struct Outcome {
  pid_t pid = -1;
  int sysErr = 0;               // the parent's own failure (clone, open): thrown as a system error
  const char* sysCall = nullptr;
  bool failed = false;          // the child reported `failure` and is exiting on its own
  ChildFailure failure;
  // Children of this spawn that must never reach the reaper's listeners: the failed child, and a
  // first child that found StandardInput=tty's terminal busy.
  std::vector<pid_t> dropped;
  // Written by the kernel at clone time (CLONE_PARENT_SETTID), read by the main thread's reaper.
  pid_t cloned[2] = {0, 0};
};

// Parent side up to the clone (may throw): reads the spec, resolves users and groups, opens
// the pipes. False with *early set when the user or a group does not exist.
bool Prepare(Napi::Env env, const Napi::Object& spec, Prepared* p, EarlyFailure* early) {
  SpawnPlan& plan = p->plan;
  ReadSpec(env, spec, &plan);
  if (!ReadCredentials(env, spec, &plan, early)) return false;
  for (auto& arg : plan.argv) plan.argvPointers.push_back(arg.data());
  plan.argvPointers.push_back(nullptr);
  for (auto& entry : plan.env) plan.envPointers.push_back(entry.data());
  plan.envPointers.push_back(nullptr);

  p->releasedTerminal = plan.terminal.acquire != TerminalAcquire::kNone && ReleaseIfOwnTerminal(plan.terminal);
  OpenPipe(env, p->report, p->guard);
  for (int i = 0; i < 3; i++) {
    if (plan.stdio[i].kind != StdioKind::kPipe) continue;
    int ends[2];
    OpenPipe(env, ends, p->guard);
    bool childReads = i == 0;
    plan.stdio[i].fd = childReads ? ends[0] : ends[1];
    plan.stdio[i].parentEnd = childReads ? ends[1] : ends[0];
    // The daemon's end lives on the event loop; the child's end stays blocking.
    int flags = fcntl(plan.stdio[i].parentEnd, F_GETFL);
    fcntl(plan.stdio[i].parentEnd, F_SETFL, flags | O_NONBLOCK);
  }
  // StandardInputText=/StandardInputData=: a memfd holding the data, read from its start
  // (a pipe would block the daemon once the data outgrows the pipe buffer).
  if (plan.stdio[0].kind == StdioKind::kData) {
    int fd = memfd_create("unitd-stdin", MFD_CLOEXEC);
    if (fd < 0) ThrowSystem(env, errno, "memfd_create", plan.path);
    p->guard.Add(fd);  // the child has its own copy once started
    const std::string& data = plan.stdio[0].data;
    for (size_t done = 0; done < data.size();) {
      ssize_t n = write(fd, data.data() + done, data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) ThrowSystem(env, errno, "write memfd", plan.path);
      done += static_cast<size_t>(n);
    }
    if (lseek(fd, 0, SEEK_SET) < 0) ThrowSystem(env, errno, "lseek memfd", plan.path);
    plan.stdio[0].fd = fd;
  }
  for (auto& stdio : plan.stdio)
    if ((stdio.kind == StdioKind::kPipe || stdio.kind == StdioKind::kData || stdio.kind == StdioKind::kFd) && stdio.fd >= 3)
      plan.keepFds.push_back(stdio.fd);
  for (int fd : plan.extraFds)
    if (fd >= 3) plan.keepFds.push_back(fd);
  std::sort(plan.keepFds.begin(), plan.keepFds.end());
  return true;
}

// Blocking every signal across the clone keeps Node's handlers from running in the child
// before RunChild has reset them (the child has its own handler table: no CLONE_SIGHAND).
pid_t StartChildMasked(SpawnPlan& plan, int reportFd, bool shared, pid_t* parentTid) {
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  pid_t pid = StartChild(plan, reportFd, shared, parentTid);
  int err = errno;
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  errno = err;
  return pid;
}

// The clone and the wait for execve (or the child's failure report). Touches no JavaScript and
// reaps nothing: run on a spawner thread, the reaper on the main thread may collect these
// children at any moment, so failed ones are only named in `dropped`.
void Launch(Prepared& p, Outcome* out) {
  SpawnPlan& plan = p.plan;
  pid_t pid = StartChildMasked(plan, p.report[1], true, &out->cloned[0]);
  if (pid < 0) {
    out->sysErr = errno;
    out->sysCall = "clone";
    return;
  }
  close(p.report[1]);
  p.guard.Release(p.report[1]);

  ChildFailure& failure = out->failure;
  memset(&failure, 0, sizeof(failure));
  ssize_t got;
  do got = read(p.report[0], &failure, sizeof(failure));
  while (got < 0 && errno == EINTR);

  if (got == static_cast<ssize_t>(sizeof(failure)) && failure.exitCode == kReportTerminalBusy) {
    // StandardInput=tty and another session holds the terminal: systemd's child sleeps until it
    // is free. A child of ours that sleeps must not hold a vfork parent, so the one that found it
    // busy exits and a copy that may sleep takes its place; whatever fails in that one is seen
    // as its exit status only, as with systemd.
    out->dropped.push_back(pid);
    int sink = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (sink < 0) {
      out->sysErr = errno;
      out->sysCall = "open /dev/null";
      return;
    }
    p.guard.Add(sink);
    plan.terminal.mayWait = true;
    // The first child already reset, hung up and cleared the terminal; once is what systemd does.
    plan.terminal.reset = plan.terminal.vhangup = plan.terminal.vtDisallocate = false;
    pid = StartChildMasked(plan, sink, false, &out->cloned[1]);
    if (pid < 0) {
      out->sysErr = errno;
      out->sysCall = "clone";
      return;
    }
    got = 0;
  }
  for (auto& stdio : plan.stdio) {
    if (stdio.kind != StdioKind::kPipe) continue;
    close(stdio.fd);
    p.guard.Release(stdio.fd);
  }
  out->pid = pid;
  if (got == static_cast<ssize_t>(sizeof(failure))) {
    failure.step[sizeof(failure.step) - 1] = '\0';
    out->failed = true;
    out->dropped.push_back(pid);
  }
}

// { pid, stdin?, stdout?, stderr?, releasedTerminal? } | { failure }, plus `dropped` pids for the
// asynchronous path. The pipe ends handed over are released from the guard.
Napi::Object ResultObject(Napi::Env env, Prepared& p, Outcome& out) {
  Napi::Object result = Napi::Object::New(env);
  if (out.failed) {
    result.Set("failure", FailureObject(env, out.pid, out.failure.exitCode, out.failure.err, out.failure.step));
    return result;  // the guard closes the parent's pipe ends
  }
  result.Set("pid", out.pid);
  if (p.releasedTerminal) result.Set("releasedTerminal", true);
  const char* names[3] = {"stdin", "stdout", "stderr"};
  for (int i = 0; i < 3; i++) {
    if (p.plan.stdio[i].kind != StdioKind::kPipe) continue;
    result.Set(names[i], p.plan.stdio[i].parentEnd);
    p.guard.Release(p.plan.stdio[i].parentEnd);
  }
  return result;
}

Napi::Object EarlyFailureResult(Napi::Env env, const EarlyFailure& early) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("failure", FailureObject(env, ReapedStandIn(early.exitCode), early.exitCode, early.err, early.step));
  return result;
}

// spawn(spec) -> { pid, stdin?, stdout?, stderr? } | { failure: { pid, exitCode, errno, code, message, step } }
// Synchronous: this thread sleeps until execve; a failed child is collected here.
Napi::Value Spawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) ThrowType(env, "spec", "an object");
  Prepared p;
  EarlyFailure early;
  if (!Prepare(env, info[0].As<Napi::Object>(), &p, &early)) return EarlyFailureResult(env, early);
  Outcome out;
  Launch(p, &out);
  // The child is exiting on its own; collect it here so the failure never reaches the reaper.
  for (pid_t dropped : out.dropped) {
    int status;
    while (waitpid(dropped, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (out.sysErr != 0) ThrowSystem(env, out.sysErr, out.sysCall, p.plan.path);
  return ResultObject(env, p, out);
}

// ---------- asynchronous spawns: the clone on a spawner thread ----------
//
// A vfork-style clone holds its calling thread until the child's execve, which under load is
// the child's wait in the run queue (milliseconds), and forever when the child blocks before
// exec (a FIFO with no writer, a hung filesystem). So PID 1's event loop hands the clone to a
// spawner thread. Threads are made on demand (one per spawn in flight, at most
// kMaxSpawners) with every signal blocked, so process signals still reach the main thread's
// handlers; an idle one ends after kSpawnerIdle. The result comes back on the event loop
// through one thread-safe function.

struct AsyncSpawn {
  Prepared prepared;
  Outcome outcome;
  Napi::FunctionReference callback;
  uint32_t token = 0;  // names it to spawningPid()
};
uint32_t lastSpawnToken = 0;

constexpr int kMaxSpawners = 64;
constexpr auto kSpawnerIdle = std::chrono::seconds(2);

// Never destroyed: at exit, glibc's pthread_cond_destroy() in a static destructor waits for the
// idle spawners' timed waits to end, which held every PID 1 exit for up to kSpawnerIdle (a
// shutdown right after a start took 1.7 s instead of 0.2 s). The threads die with the process.
std::mutex& spawnerMutex = *new std::mutex;
std::condition_variable& spawnerWake = *new std::condition_variable;
std::deque<AsyncSpawn*> spawnQueue;
int spawnerCount = 0, idleSpawners = 0;
int spawnsInFlight = 0;  // main thread only
std::vector<AsyncSpawn*> jobsInFlight;  // main thread only: submitted, callback not run yet

void FinishSpawn(Napi::Env env, Napi::Function, std::nullptr_t*, AsyncSpawn* job);
using SpawnDone = Napi::TypedThreadSafeFunction<std::nullptr_t, AsyncSpawn, FinishSpawn>;
SpawnDone spawnDoneTyped;

void FinishSpawn(Napi::Env env, Napi::Function, std::nullptr_t*, AsyncSpawn* job) {
  std::unique_ptr<AsyncSpawn> owned(job);
  for (auto it = jobsInFlight.begin(); it != jobsInFlight.end(); ++it)
    if (*it == job) {
      jobsInFlight.erase(it);
      break;
    }
  if (env == nullptr) return;  // the environment is going away
  if (--spawnsInFlight == 0) spawnDoneTyped.Unref(env);
  Napi::Object result;
  Outcome& out = job->outcome;
  if (out.sysErr != 0) {
    Napi::Error error = SystemError(env, out.sysErr, out.sysCall, job->prepared.plan.path);
    result = Napi::Object::New(env);
    result.Set("error", error.Value());
  } else {
    result = ResultObject(env, job->prepared, out);
  }
  Napi::Array dropped = Napi::Array::New(env, out.dropped.size());
  for (size_t i = 0; i < out.dropped.size(); i++) dropped.Set(static_cast<uint32_t>(i), out.dropped[i]);
  result.Set("dropped", dropped);
  job->callback.Call({result});
}

void* SpawnerMain(void*) {
  std::unique_lock<std::mutex> lock(spawnerMutex);
  for (;;) {
    if (spawnQueue.empty()) {
      idleSpawners++;
      bool woken = spawnerWake.wait_for(lock, kSpawnerIdle, [] { return !spawnQueue.empty(); });
      idleSpawners--;
      if (!woken) {
        spawnerCount--;
        return nullptr;
      }
    }
    AsyncSpawn* job = spawnQueue.front();
    spawnQueue.pop_front();
    lock.unlock();
    Launch(job->prepared, &job->outcome);
    spawnDoneTyped.NonBlockingCall(job);
    lock.lock();
  }
}

// Called with spawnerMutex held.
bool StartSpawner() {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);  // the new thread inherits this mask
  pthread_t thread;
  int err = pthread_create(&thread, &attr, SpawnerMain, nullptr);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  pthread_attr_destroy(&attr);
  if (err != 0) return false;
  spawnerCount++;
  return true;
}

// spawnAsync(spec, callback) -> a token for spawningPid(), or { failure } at once when the user or a group does
// not exist. callback({ pid, ..., dropped } | { failure, dropped } | { error, dropped }) runs on
// the event loop once the child has exec'd or failed.
Napi::Value SpawnAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction()) ThrowType(env, "arguments", "(spec: object, callback: function)");
  auto job = std::make_unique<AsyncSpawn>();
  EarlyFailure early;
  if (!Prepare(env, info[0].As<Napi::Object>(), &job->prepared, &early)) return EarlyFailureResult(env, early);
  // Nothing waits for this child but a spawner thread: a file that blocks on open (a FIFO
  // without a peer) holds the child until its peer comes, as with systemd.
  job->prepared.plan.blockingOpens = true;
  if (!spawnDoneTyped) {
    spawnDoneTyped = SpawnDone::New(env, "unitd spawn", 0, 1);
    spawnDoneTyped.Unref(env);
  }
  job->callback = Napi::Persistent(info[1].As<Napi::Function>());
  if (spawnsInFlight++ == 0) spawnDoneTyped.Ref(env);
  jobsInFlight.push_back(job.get());
  job->token = ++lastSpawnToken;
  uint32_t token = job->token;
  {
    std::lock_guard<std::mutex> lock(spawnerMutex);
    spawnQueue.push_back(job.release());
    if (idleSpawners < static_cast<int>(spawnQueue.size()) && spawnerCount < kMaxSpawners && !StartSpawner() && spawnerCount == 0) {
      AsyncSpawn* orphan = spawnQueue.back();
      spawnQueue.pop_back();
      jobsInFlight.pop_back();
      job.reset(orphan);
      spawnsInFlight--;
      if (spawnsInFlight == 0) spawnDoneTyped.Unref(env);
      ThrowSystem(env, EAGAIN, "pthread_create", job->prepared.plan.path);
    }
  }
  spawnerWake.notify_one();
  return Napi::Number::New(env, token);
}

// spawningPid(token) -> the pid of that spawn's child once cloned, 0 before (or once the
// callback has run): systemd knows a pid right after fork, and so does `systemctl show`.
Napi::Value SpawningPid(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t token = static_cast<uint32_t>(ReadInteger(env, info[0], "token", 0, 0xFFFFFFFF));
  for (AsyncSpawn* job : jobsInFlight)
    if (job->token == token) {
      pid_t second = __atomic_load_n(&job->outcome.cloned[1], __ATOMIC_ACQUIRE);
      return Napi::Number::New(env, second > 0 ? second : __atomic_load_n(&job->outcome.cloned[0], __ATOMIC_ACQUIRE));
    }
  return Napi::Number::New(env, 0);
}

// spawningPids() -> number[]: children cloned by spawns whose callback has not run yet. The
// reaper holds exactly their exits, until the spawn's callback has claimed or dropped them.
Napi::Value SpawningPids(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array pids = Napi::Array::New(env);
  uint32_t n = 0;
  for (AsyncSpawn* job : jobsInFlight)
    for (pid_t& slot : job->outcome.cloned) {
      pid_t pid = __atomic_load_n(&slot, __ATOMIC_ACQUIRE);
      if (pid > 0) pids.Set(n++, pid);
    }
  return pids;
}

// revertTerminal(terminal, chown): exec_context_revert_tty() for a unit that is gone; null, or
// { errno, code, message } when giving the terminal back failed (the caller logs it).
Napi::Value RevertTerminalCall(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsBoolean()) ThrowType(env, "arguments", "(terminal, chown: boolean)");
  Napi::Object spec = Napi::Object::New(env);
  spec.Set("terminal", info[0]);
  SpawnPlan plan;
  ReadTerminal(env, spec, &plan);
  if (RevertTerminal(plan.terminal, info[1].As<Napi::Boolean>().Value())) return env.Null();
  int err = errno;
  Napi::Object failure = Napi::Object::New(env);
  failure.Set("errno", err);
  failure.Set("code", ErrnoName(err));
  failure.Set("message", strerror(err));
  return failure;
}

}  // namespace

void InitSpawn(Napi::Env env, Napi::Object exports) {
  exports.Set("spawn", Napi::Function::New(env, Spawn, "spawn"));
  exports.Set("spawnAsync", Napi::Function::New(env, SpawnAsync, "spawnAsync"));
  exports.Set("spawningPids", Napi::Function::New(env, SpawningPids, "spawningPids"));
  exports.Set("spawningPid", Napi::Function::New(env, SpawningPid, "spawningPid"));
  exports.Set("revertTerminal", Napi::Function::New(env, RevertTerminalCall, "revertTerminal"));
  Napi::Array names = Napi::Array::New(env);
  uint32_t i = 0;
  for (const auto& known : kRlimits) names.Set(i++, known.name);
  exports.Set("rlimitNames", names);
}

}  // namespace unitd
