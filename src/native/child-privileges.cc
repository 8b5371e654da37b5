// See child-privileges.h. systemd 252 references: src/core/execute.c exec_child(),
// enforce_user(); src/basic/capability-util.c capability_ambient_set_apply(),
// capability_bounding_set_drop(), capability_gain_cap_setpcap().

#include "child-privileges.h"

#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace unitd {
namespace {

constexpr int kSecureKeepCaps = 4;  // linux/securebits.h SECURE_KEEP_CAPS
constexpr int kIoprioWhoProcess = 1;

struct Caps {
  __user_cap_header_struct header;
  __user_cap_data_struct data[2];  // _LINUX_CAPABILITY_U32S_3
};

bool ReadCaps(Caps* caps) {
  caps->header.version = _LINUX_CAPABILITY_VERSION_3;
  caps->header.pid = 0;
  return syscall(SYS_capget, &caps->header, caps->data) == 0;
}

bool WriteCaps(Caps* caps) {
  caps->header.version = _LINUX_CAPABILITY_VERSION_3;
  caps->header.pid = 0;
  return syscall(SYS_capset, &caps->header, caps->data) == 0;
}

bool Has(uint64_t set, int cap) { return (set >> cap) & 1; }

// capability_gain_cap_setpcap(): CAP_SETPCAP into the effective set, from the permitted one.
bool GainSetpcap() {
  Caps caps;
  if (!ReadCaps(&caps)) return false;
  __u32 bit = 1u << CAP_SETPCAP;  // below 32: word 0
  if (caps.data[0].effective & bit) return true;
  caps.data[0].effective |= bit;
  return WriteCaps(&caps);  // EPERM when not permitted
}

}  // namespace

int ProbeLastCapability() {
  int cap = 0;
  while (cap < 63 && prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0) cap++;
  return cap;
}

bool SetCpuScheduling(const SchedulingPlan& plan) {
  if (!plan.hasCpu) return true;
  struct sched_param param = {};
  param.sched_priority = plan.priority;
  return sched_setscheduler(0, plan.policy, &param) == 0;
}

bool SetIoPriority(const SchedulingPlan& plan) {
  if (!plan.hasIo) return true;
  return syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, plan.ioprio) == 0;
}

bool RaiseAmbient(const CapabilityPlan& plan, bool alsoInheritable) {
  if (plan.ambient == 0) return true;
  if (alsoInheritable) {
    Caps caps;
    if (!ReadCaps(&caps)) return false;
    caps.data[0].inheritable |= static_cast<__u32>(plan.ambient);
    caps.data[1].inheritable |= static_cast<__u32>(plan.ambient >> 32);
    if (!WriteCaps(&caps)) return false;
  }
  for (int cap = 0; cap <= plan.lastCap; cap++)
    if (Has(plan.ambient, cap) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) return false;
  return true;
}

bool DropBoundingSet(const CapabilityPlan& plan) {
  if (!plan.hasBounding) return true;
  bool triedSetpcap = false;
  for (int cap = 0; cap <= plan.lastCap; cap++) {
    if (Has(plan.bounding, cap) || prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 0) continue;
    // CAP_SETPCAP may be permitted but not effective; without it the drop below fails,
    // which is the error systemd reports too (218/CAPABILITIES).
    if (!triedSetpcap) {
      GainSetpcap();
      triedSetpcap = true;
    }
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 0) return false;
  }
  return true;
}

bool KeepCapsForUserChange(const CapabilityPlan& plan, uid_t uid) {
  if (uid == 0 || (plan.ambient == 0 && plan.secureBits == 0)) return true;
  int bits = plan.secureBits | (1 << kSecureKeepCaps);
  if (prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) == bits) return true;
  return prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) == 0;
}

bool ApplySecureBits(const CapabilityPlan& plan, bool keptCaps, bool* setpcapFailed) {
  *setpcapFailed = false;
  // systemd compares with the current bits for every command; unitd does so only when the
  // unit set SecureBits= or keep-caps was set for the uid change, so a manager started with
  // odd bits of its own (and no CAP_SETPCAP) does not fail every service.
  if (!plan.hasSecureBits && !keptCaps) return true;
  if (prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) == plan.secureBits) return true;
  if (!GainSetpcap()) {
    *setpcapFailed = true;
    return false;
  }
  return prctl(PR_SET_SECUREBITS, plan.secureBits, 0, 0, 0) == 0;
}

}  // namespace unitd
