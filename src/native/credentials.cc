// Who is on the other end of a socket, and whether orphans come to us.

#include <errno.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "errors.h"

namespace unitd {
namespace {

// The control socket's peer: the kernel's record from connect() time, not a claim by the client.
Napi::Value PeerCredentials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = static_cast<int>(ReadInteger(env, info[0], "fd", 0, 0x7FFFFFFF));
  ucred peer;
  socklen_t length = sizeof(peer);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &length) < 0) ThrowSystem(env, errno, "getsockopt SO_PEERCRED");
  Napi::Object result = Napi::Object::New(env);
  result.Set("pid", peer.pid);
  result.Set("uid", peer.uid);
  result.Set("gid", peer.gid);
  return result;
}

// Outside a PID namespace (unitd started by `systemctl` in a container whose PID 1 is
// something else) orphans of our services would go to that PID 1; as a subreaper they come
// to us, so double-forking daemons stay visible and reaped.
Napi::Value SetChildSubreaper(const Napi::CallbackInfo& info) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) ThrowSystem(info.Env(), errno, "prctl PR_SET_CHILD_SUBREAPER");
  return info.Env().Undefined();
}

Napi::Value IsChildSubreaper(const Napi::CallbackInfo& info) {
  int value = 0;
  if (prctl(PR_GET_CHILD_SUBREAPER, &value, 0, 0, 0) < 0) ThrowSystem(info.Env(), errno, "prctl PR_GET_CHILD_SUBREAPER");
  return Napi::Boolean::New(info.Env(), value != 0);
}

}  // namespace

void InitCredentials(Napi::Env env, Napi::Object exports) {
  exports.Set("peerCredentials", Napi::Function::New(env, PeerCredentials, "peerCredentials"));
  exports.Set("setChildSubreaper", Napi::Function::New(env, SetChildSubreaper, "setChildSubreaper"));
  exports.Set("isChildSubreaper", Napi::Function::New(env, IsChildSubreaper, "isChildSubreaper"));
}

}  // namespace unitd
