// The terminal of the spawn child (spawn.cc's RunChild): StandardInput=tty*, StandardOutput=/
// StandardError=tty, TTYPath=, TTYReset=, TTYVHangup=, TTYVTDisallocate=, TTYRows=/TTYColumns=,
// in systemd 252's exec_child() order: the reset right after setsid(), then the terminal as stdin.
// Raw system calls on plain data only: async-signal-safe, as the vfork child requires.

#ifndef UNITD_CHILD_TERMINAL_H_
#define UNITD_CHILD_TERMINAL_H_

#include <string>
#include <sys/types.h>

namespace unitd {

// How StandardInput= takes the terminal (systemd's AcquireTerminalFlags).
enum class TerminalAcquire { kNone, kTry /* tty-fail */, kForce /* tty-force */, kWait /* tty */ };

struct TerminalPlan {
  bool used = false;  // the unit names a terminal: stdio on it or TTYPath=
  std::string path;   // TTYPath=, default /dev/console
  TerminalAcquire acquire = TerminalAcquire::kNone;
  bool reset = false, vhangup = false, vtDisallocate = false;
  int rows = -1, columns = -1;  // -1: not set
  // Set only in a child that may sleep (spawn.cc retries a busy kWait in a child it does not wait for).
  bool mayWait = false;
};

// exec_context_tty_reset(): TTYReset=, TTYRows=/TTYColumns=, TTYVHangup=, TTYVTDisallocate= on
// the terminal, opened without becoming its controlling process. Failures are ignored, as in systemd.
void ResetTerminal(const TerminalPlan& plan);

// acquire_terminal(): opens the terminal and makes it the controlling terminal of this session
// leader (TIOCSCTTY; kForce steals it). Returns the fd, or -1 with errno set; EPERM means another
// session holds it (kWait without mayWait: the caller retries in a child that may sleep).
int AcquireTerminal(const TerminalPlan& plan);

// After acquiring: the window size asked for, and with User= the terminal handed to that user
// (chown_terminal(): owner uid, mode 0620). False with errno set.
bool PrepareAcquiredTerminal(const TerminalPlan& plan, int fd, bool changeOwner, uid_t uid);

// exec_context_revert_tty(), in the manager when the service is gone: the same reset, then the
// terminal given back to root:tty (gid 5) with mode 0620 when chown is true. False with errno set
// when that chown fails for another reason than a missing path.
bool RevertTerminal(const TerminalPlan& plan, bool chown);

// In the daemon before a spawn that takes the terminal: when it is the daemon's own controlling
// terminal (PID 1 of `docker run -t`), the daemon gives it up (TIOCNOTTY, SIGHUP ignored), as
// systemd's PID 1 does at start-up (release_terminal()); otherwise the service would wait for
// it forever. unitd keeps it until then, so Ctrl-C reaches it. True when it was given up.
bool ReleaseIfOwnTerminal(const TerminalPlan& plan);

// StandardOutput=/StandardError=tty without a terminal stdin: the terminal for writing only.
int OpenTerminalForOutput(const TerminalPlan& plan);

}  // namespace unitd

#endif  // UNITD_CHILD_TERMINAL_H_
