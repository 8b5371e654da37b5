// AF_UNIX datagram sockets with sender credentials, bound and read the same way by the notify socket
// (datagram.cc) and the log sockets (log-socket.cc).
#pragma once
#include <napi.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <string>
#include <vector>

namespace unitd {

// Fills a sockaddr_un; '@name' is a Linux abstract name (leading NUL, no trailing NUL).
// Throws a RangeError naming `field` for an empty, relative or over-long path.
socklen_t UnixAddress(Napi::Env env, const std::string& path, const std::string& field, sockaddr_un* address);

// socket(SOCK_DGRAM | SOCK_CLOEXEC [| SOCK_NONBLOCK]) with SO_PASSCRED, bound to `path`. A stale
// socket file at the path is replaced (systemd does so too); anything else there is reported.
int BindCredentialedDatagram(Napi::Env env, const std::string& path, bool nonblocking);

// A non-blocking SOCK_STREAM socket bound to `path` (stale socket files replaced) and listening.
int ListenStream(Napi::Env env, const std::string& path, int backlog);

// One datagram read without blocking, with what came along with it.
struct CredentialedDatagram {
  size_t size = 0;
  bool truncated = false;  // longer than the buffer: the data is incomplete
  bool hasCredentials = false;
  ucred credentials{};
  std::vector<int> passedFds;  // SCM_RIGHTS, O_CLOEXEC; the caller owns and closes them
};

// recvmsg(MSG_DONTWAIT) into `buffer`. False when nothing is waiting (EAGAIN) or on an error
// other than EINTR; true when a datagram was taken, kept or not.
bool ReceiveCredentialed(int fd, std::vector<uint8_t>& buffer, CredentialedDatagram* out);

}  // namespace unitd
