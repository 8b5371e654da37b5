// unitd_client.so: the control socket for systemctl, blocking. A client asks one question and
// waits for the answer, so it needs no event loop; Node's net module (and the streams, events and
// timers under it) costs a client start more than everything else it loads (issue 19). This
// addon is apart from unitd_native.node, and in C, so that loading it costs a client almost
// nothing: it holds only what a client needs.
//
//   connect(path, timeoutMs)        -> fd; throws an Error with .code (ENOENT, ECONNREFUSED, ...)
//   write(fd, text, timeoutMs)      -> undefined; all of it, or throws
//   read(fd, timeoutMs)             -> Buffer: what one read(2) returned; empty at end of stream;
//                                      throws ETIMEDOUT when nothing came in time (0: wait forever)
//   close(fd)
//   isatty(fd)                      -> boolean (node:tty loads net and the streams for this)
//   crc32(data, initial?)           -> number: zlib's crc32 (journal records, cursors); node:zlib
//                                      loads the streams for this
//
// Signals: a blocking call retries after EINTR, so a signal Node would turn into an event waits
// for the call to end; one left at its default (SIGINT, SIGTERM) ends the process as before.

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define NAPI_VERSION 8
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

enum { CHUNK = 65536 };

// The errno names a control socket can meet (strerrorname_np needs glibc 2.32; images may be older).
static const char *ErrnoName(int err) {
  switch (err) {
    case ENOENT: return "ENOENT";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ECONNRESET: return "ECONNRESET";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOTDIR: return "ENOTDIR";
    case ELOOP: return "ELOOP";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EAGAIN: return "EAGAIN";
    case EPIPE: return "EPIPE";
    case ENOTSOCK: return "ENOTSOCK";
    case EPROTOTYPE: return "EPROTOTYPE";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case ENOMEM: return "ENOMEM";
    case ENOBUFS: return "ENOBUFS";
    case EBADF: return "EBADF";
    default: return "EIO";
  }
}

// Throws an Error like Node's system errors: code "EXXX", message "<syscall> EXXX".
static napi_value Throw(napi_env env, int err, const char *syscall) {
  const char *code = ErrnoName(err);
  char message[128];
  snprintf(message, sizeof message, "%s %s", syscall, code ? code : "EIO");
  napi_throw_error(env, code ? code : "EIO", message);
  return NULL;
}

static int Args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "unitd_client: missing arguments");
    return 0;
  }
  return 1;
}

static int Int(napi_env env, napi_value v, int64_t *out) {
  if (napi_get_value_int64(env, v, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "unitd_client: expected a number");
    return 0;
  }
  return 1;
}

static long long NowMs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// Waits until fd is ready for `events`; 0 on time out. timeoutMs 0 waits forever.
static int WaitFor(int fd, short events, long long deadline) {
  for (;;) {
    int left = -1;
    if (deadline > 0) {
      long long ms = deadline - NowMs();
      if (ms <= 0) return 0;
      left = ms > 0x7fffffff ? 0x7fffffff : (int)ms;
    }
    struct pollfd p = {fd, events, 0};
    int n = poll(&p, 1, left);
    if (n > 0) return 1;
    if (n == 0) return 0;
    if (errno != EINTR) return -1;
  }
}

static long long Deadline(int64_t timeoutMs) { return timeoutMs > 0 ? NowMs() + timeoutMs : 0; }

static napi_value Connect(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!Args(env, info, 2, argv)) return NULL;
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  size_t len = 0;
  if (napi_get_value_string_utf8(env, argv[0], addr.sun_path, sizeof addr.sun_path, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "unitd_client: path must be a string");
    return NULL;
  }
  if (len >= sizeof addr.sun_path - 1) return Throw(env, ENAMETOOLONG, "connect");
  int64_t timeoutMs;
  if (!Int(env, argv[1], &timeoutMs)) return NULL;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Throw(env, errno, "socket");
  // Non-blocking connect: a listener whose backlog is full must not hang us past the timeout.
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int err = errno;
    if (err == EAGAIN || err == EINPROGRESS) {
      int ready = WaitFor(fd, POLLOUT, Deadline(timeoutMs));
      socklen_t size = sizeof err;
      if (ready == 0) err = ETIMEDOUT;
      else if (ready < 0) err = errno;
      else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &size) < 0) err = errno;
    }
    if (err != 0) {
      close(fd);
      return Throw(env, err, "connect");
    }
  }
  napi_value out;
  napi_create_int32(env, fd, &out);
  return out;
}

static napi_value Write(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!Args(env, info, 3, argv)) return NULL;
  int64_t fd, timeoutMs;
  if (!Int(env, argv[0], &fd) || !Int(env, argv[2], &timeoutMs)) return NULL;
  size_t len = 0;
  if (napi_get_value_string_utf8(env, argv[1], NULL, 0, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "unitd_client: text must be a string");
    return NULL;
  }
  char *text = malloc(len + 1);
  if (!text) return Throw(env, ENOMEM, "write");
  napi_get_value_string_utf8(env, argv[1], text, len + 1, &len);
  long long deadline = Deadline(timeoutMs);
  size_t sent = 0;
  int err = 0;
  while (sent < len) {
    ssize_t n = send((int)fd, text + sent, len - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      int ready = WaitFor((int)fd, POLLOUT, deadline);
      if (ready > 0) continue;
      err = ready == 0 ? ETIMEDOUT : errno;
      break;
    }
    err = n < 0 ? errno : EPIPE;
    break;
  }
  free(text);
  return err ? Throw(env, err, "write") : NULL;
}

static napi_value Read(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!Args(env, info, 2, argv)) return NULL;
  int64_t fd, timeoutMs;
  if (!Int(env, argv[0], &fd) || !Int(env, argv[1], &timeoutMs)) return NULL;
  static char buffer[CHUNK];
  long long deadline = Deadline(timeoutMs);
  for (;;) {
    ssize_t n = read((int)fd, buffer, sizeof buffer);
    if (n >= 0) {
      napi_value out;
      napi_create_buffer_copy(env, (size_t)n, buffer, NULL, &out);
      return out;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return Throw(env, errno, "read");
    int ready = WaitFor((int)fd, POLLIN, deadline);
    if (ready == 0) return Throw(env, ETIMEDOUT, "read");
    if (ready < 0) return Throw(env, errno, "read");
  }
}

static napi_value Close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, 1, argv)) return NULL;
  int64_t fd;
  if (!Int(env, argv[0], &fd)) return NULL;
  close((int)fd);
  return NULL;
}

static napi_value IsATTY(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, 1, argv)) return NULL;
  int64_t fd;
  if (!Int(env, argv[0], &fd)) return NULL;
  napi_value out;
  napi_get_boolean(env, fd >= 0 && fd <= 0x7fffffff && isatty((int)fd), &out);
  return out;
}

// CRC-32 (IEEE 802.3, reflected, as zlib's crc32()), eight bytes a step ("slicing by 8"):
// within a small factor of zlib's, which journalctl needs over a journal of many megabytes.
static uint32_t kCrcTable[8][256];

static void CrcTableInit(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    kCrcTable[0][n] = c;
  }
  for (uint32_t n = 0; n < 256; n++)
    for (int t = 1; t < 8; t++) kCrcTable[t][n] = (kCrcTable[t - 1][n] >> 8) ^ kCrcTable[0][kCrcTable[t - 1][n] & 0xff];
}

static uint32_t Crc32(uint32_t crc, const unsigned char *data, size_t len) {
  crc = ~crc;
  while (len >= 8) {
    uint32_t lo = crc ^ ((uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24);
    uint32_t hi = (uint32_t)data[4] | (uint32_t)data[5] << 8 | (uint32_t)data[6] << 16 | (uint32_t)data[7] << 24;
    crc = kCrcTable[7][lo & 0xff] ^ kCrcTable[6][(lo >> 8) & 0xff] ^ kCrcTable[5][(lo >> 16) & 0xff] ^ kCrcTable[4][lo >> 24] ^
          kCrcTable[3][hi & 0xff] ^ kCrcTable[2][(hi >> 8) & 0xff] ^ kCrcTable[1][(hi >> 16) & 0xff] ^ kCrcTable[0][hi >> 24];
    data += 8;
    len -= 8;
  }
  while (len--) crc = kCrcTable[0][(crc ^ *data++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

static napi_value Crc32Of(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) {
    napi_throw_type_error(env, NULL, "unitd_client: missing arguments");
    return NULL;
  }
  uint32_t initial = 0;
  if (argc > 1 && napi_get_value_uint32(env, argv[1], &initial) != napi_ok) {
    napi_throw_type_error(env, NULL, "unitd_client: crc32's initial value must be a number");
    return NULL;
  }
  uint32_t crc;
  napi_valuetype type;
  napi_typeof(env, argv[0], &type);
  bool typed = false;
  napi_is_typedarray(env, argv[0], &typed);
  if (type == napi_string) {
    size_t len = 0;
    napi_get_value_string_utf8(env, argv[0], NULL, 0, &len);
    char *text = malloc(len + 1);
    if (!text) return Throw(env, ENOMEM, "crc32");
    napi_get_value_string_utf8(env, argv[0], text, len + 1, &len);
    crc = Crc32(initial, (const unsigned char *)text, len);
    free(text);
  } else if (typed) {
    napi_typedarray_type kind;
    size_t length = 0, offset = 0;
    void *data = NULL;
    napi_value buffer;
    napi_get_typedarray_info(env, argv[0], &kind, &length, &data, &buffer, &offset);
    if (kind != napi_uint8_array) {
      napi_throw_type_error(env, NULL, "unitd_client: crc32 takes a string or a Uint8Array");
      return NULL;
    }
    crc = Crc32(initial, (const unsigned char *)data, length);
  } else {
    napi_throw_type_error(env, NULL, "unitd_client: crc32 takes a string or a Uint8Array");
    return NULL;
  }
  napi_value out;
  napi_create_uint32(env, crc, &out);
  return out;
}

static napi_value Init(napi_env env, napi_value exports) {
  CrcTableInit();
  napi_property_descriptor props[] = {
      {"connect", NULL, Connect, NULL, NULL, NULL, napi_enumerable, NULL},
      {"write", NULL, Write, NULL, NULL, NULL, napi_enumerable, NULL},
      {"read", NULL, Read, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, Close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"isatty", NULL, IsATTY, NULL, NULL, NULL, napi_enumerable, NULL},
      {"crc32", NULL, Crc32Of, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
