#include "unix-socket.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"

namespace unitd {

socklen_t UnixAddress(Napi::Env env, const std::string& path, const std::string& field, sockaddr_un* address) {
  memset(address, 0, sizeof(*address));
  address->sun_family = AF_UNIX;
  if (path.empty()) ThrowRange(env, field, "must not be empty");
  if (path.size() > sizeof(address->sun_path) - 1)
    ThrowRange(env, field, "is " + std::to_string(path.size()) + " bytes, longer than the 107 a unix socket path allows");
  if (path[0] != '/' && path[0] != '@') ThrowRange(env, field, "must be an absolute path or an '@abstract' name");
  memcpy(address->sun_path, path.data(), path.size());
  if (path[0] == '@') {
    address->sun_path[0] = '\0';
    return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  }
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
}

namespace {

int BindUnix(Napi::Env env, const std::string& path, int type, bool passCredentials) {
  sockaddr_un address;
  socklen_t length = UnixAddress(env, path, "path", &address);
  int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  if (fd < 0) ThrowSystem(env, errno, "socket", path);
  int on = 1;
  if (passCredentials && setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0) {
    int err = errno;
    close(fd);
    ThrowSystem(env, err, "setsockopt SO_PASSCRED", path);
  }
  struct stat existing;
  if (path[0] != '@' && lstat(path.c_str(), &existing) == 0 && S_ISSOCK(existing.st_mode)) unlink(path.c_str());
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), length) < 0) {
    int err = errno;
    close(fd);
    ThrowSystem(env, err, "bind", path);
  }
  return fd;
}

}  // namespace

int BindCredentialedDatagram(Napi::Env env, const std::string& path, bool nonblocking) {
  return BindUnix(env, path, SOCK_DGRAM | (nonblocking ? SOCK_NONBLOCK : 0), true);
}

int ListenStream(Napi::Env env, const std::string& path, int backlog) {
  int fd = BindUnix(env, path, SOCK_STREAM | SOCK_NONBLOCK, false);
  if (listen(fd, backlog) < 0) {
    int err = errno;
    close(fd);
    if (path[0] != '@') unlink(path.c_str());
    ThrowSystem(env, err, "listen", path);
  }
  return fd;
}

bool ReceiveCredentialed(int fd, std::vector<uint8_t>& buffer, CredentialedDatagram* out) {
  // The kernel passes at most SCM_MAX_FD (253) descriptors per message.
  constexpr size_t kMaxPassedFds = 253;
  union {
    cmsghdr align;
    char bytes[CMSG_SPACE(sizeof(ucred)) + CMSG_SPACE(sizeof(int) * kMaxPassedFds)];
  } control;
  iovec vector{buffer.data(), buffer.size()};
  msghdr message{};
  message.msg_iov = &vector;
  message.msg_iovlen = 1;
  message.msg_control = control.bytes;
  message.msg_controllen = sizeof(control.bytes);
  ssize_t size = recvmsg(fd, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
  if (size < 0) return errno == EINTR;
  *out = CredentialedDatagram{};
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr; header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level != SOL_SOCKET) continue;
    if (header->cmsg_type == SCM_CREDENTIALS && header->cmsg_len == CMSG_LEN(sizeof(ucred))) {
      memcpy(&out->credentials, CMSG_DATA(header), sizeof(ucred));
      out->hasCredentials = true;
    } else if (header->cmsg_type == SCM_RIGHTS) {
      size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      const int* fds = reinterpret_cast<const int*>(CMSG_DATA(header));
      out->passedFds.insert(out->passedFds.end(), fds, fds + count);
    }
  }
  out->truncated = (message.msg_flags & MSG_TRUNC) != 0 || static_cast<size_t>(size) > buffer.size();
  out->size = out->truncated ? 0 : static_cast<size_t>(size);
  return true;
}

}  // namespace unitd
