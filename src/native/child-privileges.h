// Capabilities, secure bits and scheduling for the spawn child (spawn.cc's RunChild), in
// systemd 252's exec_child() order. Everything here is a raw system call on plain data:
// async-signal-safe, as the vfork child requires.

#ifndef UNITD_CHILD_PRIVILEGES_H_
#define UNITD_CHILD_PRIVILEGES_H_

#include <stdint.h>
#include <sys/types.h>

namespace unitd {

struct CapabilityPlan {
  bool hasBounding = false;
  uint64_t bounding = 0;  // capabilities kept in the bounding set
  uint64_t ambient = 0;   // raised into inheritable + ambient
  bool hasSecureBits = false;
  int secureBits = 0;
  int lastCap = 0;  // highest capability the kernel knows (probed in the parent)
};

struct SchedulingPlan {
  bool hasCpu = false;
  int policy = 0;  // SCHED_OTHER ...; SCHED_RESET_ON_FORK or'ed in when asked
  int priority = 0;
  bool hasIo = false;
  int ioprio = 0;  // (class << 13) | data, as ioprio_set(2) takes it
};

// The highest capability number this kernel knows (PR_CAPBSET_READ says EINVAL above it).
int ProbeLastCapability();

// Each returns false with errno set; the caller reports the step and systemd's exit status.
bool SetCpuScheduling(const SchedulingPlan& plan);
bool SetIoPriority(const SchedulingPlan& plan);
// Before the uid change: AmbientCapabilities= into inheritable + ambient, then the bounding set.
bool RaiseAmbient(const CapabilityPlan& plan, bool alsoInheritable);
bool DropBoundingSet(const CapabilityPlan& plan);
// enforce_user()'s first step: keep the permitted set across setresuid() when caps must survive it.
bool KeepCapsForUserChange(const CapabilityPlan& plan, uid_t uid);
// After the uid change: SecureBits= as asked (CAP_SETPCAP raised first). *step names what failed.
bool ApplySecureBits(const CapabilityPlan& plan, bool keptCaps, bool* setpcapFailed);

}  // namespace unitd

#endif  // UNITD_CHILD_PRIVILEGES_H_
