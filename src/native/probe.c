// unitd-probe: the state questions that health probes ask every few seconds
// (`systemctl is-active UNIT...`, `is-failed UNIT...`, `is-enabled UNIT...`,
// `is-system-running`), answered
// without starting Node. Kubernetes exec probes and Docker HEALTHCHECKs run these in
// every container; Node's start alone costs ~100 ms of CPU, this costs about one.
//
// init/systemctl runs it for those four verbs only. It answers only what it fully
// understands: plain unit names, -q/--quiet, a daemon that is up and replies. For
// anything else (globs, other options, escaped names, no daemon, an error reply) it
// prints nothing and exits DECLINE, and the launcher goes on to Node's systemctl,
// which gives systemd's exact messages. The answer it does give is the same as Node's:
// the ActiveState of each unit from the control protocol's unitProperties, the unit file
// state from unitFileStates (newline-delimited JSON, src/control/protocol.ts), exit codes
// as systemd 252.

#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

enum { DECLINE = 254 };
enum { MAX_NAMES = 32, MAX_NAME = 256, MAX_REPLY = 1 << 20, TIMEOUT_MS = 25000 };

// Unit types whose suffix a name may already carry; anything else gets ".service"
// (unit_name_mangle).
static const char *const kSuffixes[] = {".service", ".socket", ".device", ".mount", ".automount", ".swap",
                                        ".target", ".path", ".timer", ".slice", ".scope"};

static int HasUnitSuffix(const char *name) {
  const char *dot = strrchr(name, '.');
  if (!dot) return 0;
  for (size_t i = 0; i < sizeof kSuffixes / sizeof kSuffixes[0]; i++)
    if (strcmp(dot, kSuffixes[i]) == 0) return 1;
  return 0;
}

// Names that need no mangling beyond the suffix and no JSON escaping: no globs, no
// paths, no backslash escapes, no template without an instance.
static int IsPlainName(const char *name) {
  size_t len = strlen(name);
  if (len == 0 || len >= MAX_NAME - 16 || name[0] == '-' || name[0] == '.' || name[0] == '@') return 0;
  for (const char *c = name; *c; c++) {
    int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == ':' ||
             *c == '_' || *c == '.' || *c == '-' || *c == '@';
    if (!ok) return 0;
  }
  const char *at = strchr(name, '@');
  if (at && (at[1] == '\0' || at[1] == '.' || strchr(at + 1, '@'))) return 0;
  return 1;
}

static int ConnectTo(const char *dir) {
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if ((size_t)snprintf(addr.sun_path, sizeof addr.sun_path, "%s/control.sock", dir) >= sizeof addr.sun_path) return -1;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// The manager's directory in src/control/paths.ts's order: UNITD_RUNTIME_DIR, else
// $XDG_RUNTIME_DIR/unitd, /run/unitd, then a non-root manager's /tmp/unitd-UID (only when
// that user owns it). Whatever is missing here (PID 1's uid) is left to Node.
static int Connect(void) {
  const char *dir = getenv("UNITD_RUNTIME_DIR");
  if (dir && *dir) return ConnectTo(dir);
  char path[256];
  const char *xdg = getenv("XDG_RUNTIME_DIR");
  if (xdg && xdg[0] == '/' && (size_t)snprintf(path, sizeof path, "%s/unitd", xdg) < sizeof path) {
    int fd = ConnectTo(path);
    if (fd >= 0) return fd;
  }
  int fd = ConnectTo("/run/unitd");
  if (fd >= 0 || getuid() == 0) return fd;
  snprintf(path, sizeof path, "/tmp/unitd-%u", (unsigned)getuid());
  struct stat st;
  if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) || (st.st_uid != getuid() && st.st_uid != 0)) return -1;
  return ConnectTo(path);
}

static long long NowMs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// Sends one request frame and reads its one reply frame (up to the newline) into a
// NUL-terminated heap buffer; NULL on any failure.
static char *Call(const char *request) {
  int fd = Connect();
  if (fd < 0) return NULL;
  size_t len = strlen(request), sent = 0;
  while (sent < len) {
    ssize_t n = send(fd, request + sent, len - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd);
      return NULL;
    }
    sent += (size_t)n;
  }
  size_t cap = 16384, used = 0;
  char *reply = malloc(cap);
  long long deadline = NowMs() + TIMEOUT_MS;
  while (reply) {
    if (used && memchr(reply + used - 1, '\n', 1)) break;
    struct pollfd p = {fd, POLLIN, 0};
    long long left = deadline - NowMs();
    if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
      if (left > 0 && errno == EINTR) continue;
      free(reply);
      reply = NULL;
      break;
    }
    if (used + 1 >= cap) {
      if (cap >= MAX_REPLY) {
        free(reply);
        reply = NULL;
        break;
      }
      char *bigger = realloc(reply, cap * 2);
      if (!bigger) {
        free(reply);
        reply = NULL;
        break;
      }
      reply = bigger;
      cap *= 2;
    }
    ssize_t n = read(fd, reply + used, cap - used - 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      free(reply);
      reply = NULL;
      break;
    }
    // Stop at the end of the first frame; a streamed reply ("more") is left to Node.
    char *newline = memchr(reply + used, '\n', (size_t)n);
    used += (size_t)n;
    if (newline) {
      newline[1] = '\0';
      used = (size_t)(newline - reply) + 1;
      break;
    }
  }
  close(fd);
  if (reply) reply[used] = '\0';
  if (reply && (!strstr(reply, "\"ok\":true") || strstr(reply, "\"more\":true"))) {
    free(reply);
    return NULL;
  }
  return reply;
}

// The string value after the next occurrence of `key` (e.g. "\"ActiveState\":\"") at or
// after *cursor; values here are plain words, so an escape means "not ours".
static int NextValue(const char **cursor, const char *key, char *out, size_t size) {
  const char *at = strstr(*cursor, key);
  if (!at) return 0;
  at += strlen(key);
  size_t i = 0;
  while (at[i] && at[i] != '"' && at[i] != '\\' && i + 1 < size) {
    out[i] = at[i];
    i++;
  }
  if (at[i] != '"') return 0;
  out[i] = '\0';
  *cursor = at + i + 1;
  return 1;
}

static int IsSystemRunning(int quiet) {
  char *reply = Call("{\"v\":1,\"id\":1,\"method\":\"systemState\",\"params\":{}}\n");
  if (!reply) return DECLINE;
  const char *cursor = reply;
  char state[64];
  int found = NextValue(&cursor, "\"result\":\"", state, sizeof state);
  free(reply);
  if (!found) return DECLINE;
  if (!quiet) printf("%s\n", state);
  return strcmp(state, "running") == 0 ? 0 : 1;
}

static int IsState(int failedVerb, char **names, int count, int quiet) {
  static char request[MAX_NAMES * MAX_NAME + 256];
  size_t len = (size_t)snprintf(request, sizeof request, "{\"v\":1,\"id\":1,\"method\":\"unitProperties\",\"params\":{\"units\":[");
  for (int i = 0; i < count; i++) {
    len += (size_t)snprintf(request + len, sizeof request - len, "%s\"%s%s\"", i ? "," : "", names[i],
                            HasUnitSuffix(names[i]) ? "" : ".service");
  }
  snprintf(request + len, sizeof request - len, "]}}\n");
  char *reply = Call(request);
  if (!reply) return DECLINE;
  char states[MAX_NAMES][64];
  const char *cursor = reply;
  int found = 0;
  while (found < count && NextValue(&cursor, "\"ActiveState\":\"", states[found], sizeof states[found])) found++;
  int extra = found == count && strstr(cursor, "\"ActiveState\":\"") != NULL;
  free(reply);
  if (found != count || extra) return DECLINE;
  int any = 0;
  for (int i = 0; i < count; i++) {
    const char *s = states[i];
    if (failedVerb ? strcmp(s, "failed") == 0 : (strcmp(s, "active") == 0 || strcmp(s, "reloading") == 0)) any = 1;
    if (!quiet) printf("%s\n", s);
  }
  return any ? 0 : (failedVerb ? 1 : 3);
}

// The unit file states for which is-enabled answers 0: ENABLED_LIKE_STATES in
// src/units/unit-file-state.ts (systemd 252's verb_is_enabled); test/integration/probe-diff.test.ts
// checks every state against Node's answer.
static const char *const kEnabledLike[] = {"enabled", "enabled-runtime", "static", "alias", "indirect", "generated"};

// One entry of unitFileStates' result, `{"state":"S"}` or `{"error":"ENOENT"}` (api.ts
// UnitFileStateAnswer), at *cursor; sets *isError. 0 when the text is anything else.
static int NextFileState(const char **cursor, char *out, size_t size, int *isError) {
  static const char kState[] = "{\"state\":\"", kError[] = "{\"error\":\"";
  const char *at = *cursor;
  if (strncmp(at, kState, sizeof kState - 1) == 0) *isError = 0;
  else if (strncmp(at, kError, sizeof kError - 1) == 0) *isError = 1;
  else return 0;
  const char *key = *isError ? kError : kState;
  if (!NextValue(cursor, key, out, size) || **cursor != '}') return 0;
  (*cursor)++;
  if (**cursor == ',') (*cursor)++;
  return 1;
}

// systemctl is-enabled with a daemon: its GetUnitFileState answers, printed as systemd
// prints them, stopping at the first unit without a file ("Failed to get unit file state
// for NAME: No such file or directory", exit 1). Any other error is left to Node.
static int IsEnabled(char **names, int count, int quiet) {
  static char request[MAX_NAMES * MAX_NAME + 4096 + 256];
  static char mangled[MAX_NAMES][MAX_NAME];
  size_t len = (size_t)snprintf(request, sizeof request, "{\"v\":1,\"id\":1,\"method\":\"unitFileStates\",\"params\":{\"units\":[");
  for (int i = 0; i < count; i++) {
    snprintf(mangled[i], sizeof mangled[i], "%s%s", names[i], HasUnitSuffix(names[i]) ? "" : ".service");
    len += (size_t)snprintf(request + len, sizeof request - len, "%s\"%s\"", i ? "," : "", mangled[i]);
  }
  // Node's is-enabled reads the files itself, from the search path $SYSTEMD_UNIT_PATH sets:
  // the daemon reads that one for us (a path needing JSON escapes, or not ASCII, is left to Node).
  const char *unitPath = getenv("SYSTEMD_UNIT_PATH");
  if (unitPath) {
    for (const char *c = unitPath; *c; c++)
      if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f) return DECLINE;
    if (strlen(unitPath) > 4096) return DECLINE;
    len += (size_t)snprintf(request + len, sizeof request - len, "],\"unitPath\":\"%s\"}}\n", unitPath);
  } else {
    snprintf(request + len, sizeof request - len, "]}}\n");
  }
  char *reply = Call(request);
  if (!reply) return DECLINE;
  char states[MAX_NAMES][64];
  int errors[MAX_NAMES];
  const char *cursor = strstr(reply, "\"result\":[");
  int found = 0;
  if (cursor) {
    cursor += strlen("\"result\":[");
    while (found < count && NextFileState(&cursor, states[found], sizeof states[found], &errors[found])) found++;
  }
  int complete = cursor && found == count && *cursor == ']';
  free(reply);
  if (!complete) return DECLINE;
  int shown = 0;
  while (shown < count && !errors[shown]) shown++;
  if (shown < count && strcmp(states[shown], "ENOENT") != 0) return DECLINE;
  int any = 0;
  for (int i = 0; i < shown; i++) {
    for (size_t k = 0; k < sizeof kEnabledLike / sizeof kEnabledLike[0]; k++)
      if (strcmp(states[i], kEnabledLike[k]) == 0) any = 1;
    if (!quiet) printf("%s\n", states[i]);
  }
  if (shown < count) {
    fflush(stdout);
    fprintf(stderr, "Failed to get unit file state for %s: No such file or directory\n", mangled[shown]);
    return 1;
  }
  return any ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc < 2) return DECLINE;
  const char *verb = argv[1];
  int quiet = 0, count = 0;
  char *names[MAX_NAMES];
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) quiet = 1;
    else if (strcmp(a, "--system") == 0 || strcmp(a, "--no-pager") == 0) continue;
    else if (a[0] == '-' || !IsPlainName(a) || count == MAX_NAMES) return DECLINE;
    else names[count++] = argv[i];
  }
  int rc;
  if (strcmp(verb, "is-system-running") == 0) rc = count ? DECLINE : IsSystemRunning(quiet);
  else if (strcmp(verb, "is-active") == 0) rc = count ? IsState(0, names, count, quiet) : DECLINE;
  else if (strcmp(verb, "is-failed") == 0) rc = count ? IsState(1, names, count, quiet) : DECLINE;
  else if (strcmp(verb, "is-enabled") == 0) rc = count ? IsEnabled(names, count, quiet) : DECLINE;
  else rc = DECLINE;
  if (fflush(stdout) != 0 && rc != DECLINE) rc = 1;
  return rc;
}
