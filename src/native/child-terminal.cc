// See child-terminal.h. systemd 252 references: src/core/execute.c exec_context_tty_reset(),
// setup_input(), setup_output(); src/basic/terminal-util.c acquire_terminal(),
// reset_terminal_fd(), terminal_set_size_fd(), vt_disallocate(), chown_terminal().

#include "child-terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kd.h>
#include <linux/vt.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

namespace unitd {
namespace {

constexpr mode_t kTtyMode = 0620;  // owner rw, group (tty) w: what systemd gives a service's terminal

// The few fields software depends on, as systemd resets them; the line's hardware settings stay.
void SaneTermios(int fd) {
  struct termios t;
  if (tcgetattr(fd, &t) == 0) {
    t.c_iflag &= ~(IGNBRK | BRKINT | ISTRIP | INLCR | IGNCR | IUCLC);
    t.c_iflag |= ICRNL | IMAXBEL | IUTF8;
    t.c_oflag |= ONLCR;
    t.c_cflag |= CREAD;
    t.c_lflag = ISIG | ICANON | IEXTEN | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOPRT | ECHOKE;
    const struct {
      int index;
      cc_t value;
    } chars[] = {{VINTR, 003}, {VQUIT, 034}, {VERASE, 0177}, {VKILL, 025}, {VEOF, 004}, {VSTART, 021},
                 {VSTOP, 023}, {VSUSP, 032}, {VLNEXT, 026}, {VWERASE, 027}, {VREPRINT, 022},
                 {VEOL, 0},    {VEOL2, 0},   {VTIME, 0},    {VMIN, 1}};
    for (const auto& c : chars) t.c_cc[c.index] = c.value;
    tcsetattr(fd, TCSANOW, &t);
  }
  tcflush(fd, TCIOFLUSH);  // whatever a previous user left unread or unwritten
}

void ResetTerminalFd(int fd) {
  ioctl(fd, TIOCNXCL);             // exclusive mode off
  ioctl(fd, KDSETMODE, KD_TEXT);   // a VT left in graphics mode; ENOTTY elsewhere
  ioctl(fd, KDSKBMODE, K_UNICODE); // the keyboard back to unicode; ENOTTY elsewhere
  SaneTermios(fd);
}

void SetSize(const TerminalPlan& plan, int fd) {
  if (plan.rows < 0 && plan.columns < 0) return;
  struct winsize size;
  if (ioctl(fd, TIOCGWINSZ, &size) < 0) return;
  if (plan.rows >= 0) size.ws_row = static_cast<unsigned short>(plan.rows);
  if (plan.columns >= 0) size.ws_col = static_cast<unsigned short>(plan.columns);
  ioctl(fd, TIOCSWINSZ, &size);
}

// /dev/ttyN (N >= 1) is virtual console N; 0 for anything else, where disallocating means nothing.
int VirtualConsoleNumber(const std::string& path) {
  const char prefix[] = "/dev/tty";
  if (path.compare(0, sizeof(prefix) - 1, prefix) != 0 || path.size() == sizeof(prefix) - 1) return 0;
  int n = 0;
  for (size_t i = sizeof(prefix) - 1; i < path.size(); i++) {
    if (path[i] < '0' || path[i] > '9' || n > 100000) return 0;
    n = n * 10 + (path[i] - '0');
  }
  return n;
}

// vt_disallocate(): a virtual console not in the foreground is freed with its scrollback; any
// other terminal (the foreground console, a pty, a serial line) has its screen and scrollback
// cleared instead, as systemd 252 does.
void DisallocateConsole(const std::string& path) {
  int number = VirtualConsoleNumber(path);
  if (number > 0) {
    int control = open("/dev/tty0", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (control >= 0) {
      int r = ioctl(control, VT_DISALLOCATE, number);
      close(control);
      if (r == 0) return;
    }
  }
  int fd = open(path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return;
  const char clear[] = "\033[r\033[H\033[3J";
  ssize_t ignored = write(fd, clear, sizeof(clear) - 1);
  (void)ignored;
  close(fd);
}

// TIOCSCTTY with SIGHUP ignored: taking a terminal we already control would hang us up.
int TakeControllingTerminal(int fd, bool force) {
  struct sigaction ignore, previous;
  ignore.sa_handler = SIG_IGN;
  ignore.sa_flags = SA_RESTART;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGHUP, &ignore, &previous);
  int r = ioctl(fd, TIOCSCTTY, force ? 1 : 0);
  int err = errno;
  sigaction(SIGHUP, &previous, nullptr);
  errno = err;
  return r;
}

void Drain(int fd) {
  char buffer[4096];
  while (read(fd, buffer, sizeof(buffer)) > 0) {
  }
}

}  // namespace

void ResetTerminal(const TerminalPlan& plan) {
  if (!plan.used) return;
  if (plan.reset || plan.vhangup || plan.rows >= 0 || plan.columns >= 0) {
    int fd = open(plan.path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (fd >= 0) {
      if (isatty(fd)) {
        if (plan.reset) ResetTerminalFd(fd);
        SetSize(plan, fd);
        if (plan.vhangup) ioctl(fd, TIOCVHANGUP);  // needs CAP_SYS_ADMIN; ignored without
      }
      close(fd);
    }
  }
  if (plan.vtDisallocate) DisallocateConsole(plan.path);
}

int AcquireTerminal(const TerminalPlan& plan) {
  // A watch made before the first try, so a close between the try and the sleep is not missed.
  int notify = -1;
  if (plan.acquire == TerminalAcquire::kWait && plan.mayWait) {
    notify = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (notify < 0 || inotify_add_watch(notify, plan.path.c_str(), IN_CLOSE) < 0) return -1;
  }
  for (;;) {
    if (notify >= 0) Drain(notify);  // our own earlier open and close of the terminal
    int fd = open(plan.path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) break;
    if (TakeControllingTerminal(fd, plan.acquire == TerminalAcquire::kForce) == 0) {
      if (notify >= 0) close(notify);
      return fd;
    }
    int err = errno;
    close(fd);
    errno = err;
    // EPERM: another session has it. Only the waiting mode sleeps until someone closes it.
    if (err != EPERM || notify < 0) break;
    struct pollfd wait = {notify, POLLIN, 0};
    if (poll(&wait, 1, -1) < 0 && errno != EINTR) break;
  }
  int err = errno;
  if (notify >= 0) close(notify);
  errno = err;
  return -1;
}

bool PrepareAcquiredTerminal(const TerminalPlan& plan, int fd, bool changeOwner, uid_t uid) {
  SetSize(plan, fd);
  if (!changeOwner) return true;
  struct stat st;
  if (fstat(fd, &st) < 0) return false;
  if (st.st_uid == uid && (st.st_mode & 07777) == kTtyMode) return true;
  return fchmod(fd, kTtyMode) == 0 && fchown(fd, uid, static_cast<gid_t>(-1)) == 0;
}

bool RevertTerminal(const TerminalPlan& plan, bool chown) {
  ResetTerminal(plan);
  if (!chown) return true;
  constexpr gid_t kTtyGroup = 5;  // the tty group of every distribution systemd supports
  if (::chmod(plan.path.c_str(), kTtyMode) < 0 || ::chown(plan.path.c_str(), 0, kTtyGroup) < 0) return errno == ENOENT;
  return true;
}

bool ReleaseIfOwnTerminal(const TerminalPlan& plan) {
  struct stat wanted;
  if (stat(plan.path.c_str(), &wanted) < 0 || !S_ISCHR(wanted.st_mode)) return false;
  int own = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (own < 0) return false;  // ENXIO: the daemon has no controlling terminal
  unsigned int device = 0;
  bool ours = ioctl(own, TIOCGDEV, &device) == 0 && static_cast<dev_t>(device) == wanted.st_rdev;
  if (ours) {
    // The session leader giving it up hangs up its foreground group: that is us, not a reload.
    struct sigaction ignore, previous;
    ignore.sa_handler = SIG_IGN;
    ignore.sa_flags = SA_RESTART;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGHUP, &ignore, &previous);
    ours = ioctl(own, TIOCNOTTY) == 0;
    sigaction(SIGHUP, &previous, nullptr);
  }
  close(own);
  return ours;
}

int OpenTerminalForOutput(const TerminalPlan& plan) {
  return open(plan.path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
}

}  // namespace unitd
