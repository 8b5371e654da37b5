// Listening sockets and FIFOs for .socket units (systemd.socket(5)). Node cannot bind a
// datagram or seqpacket unix socket, set most socket options, create a FIFO, or watch an
// fd for readability without reading it: Accept=no sockets must stay untouched until the
// service takes them. Every fd is O_CLOEXEC and O_NONBLOCK, as systemd creates them.

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <uv.h>

#include <memory>
#include <string>
#include <vector>

#include "errors.h"

namespace unitd {
namespace {

bool Has(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  return !v.IsUndefined() && !v.IsNull();
}

int IntField(Napi::Env env, const Napi::Object& o, const char* key, int64_t min, int64_t max) {
  return static_cast<int>(ReadInteger(env, o.Get(key), std::string("spec.") + key, min, max));
}

// Applies one option; a refusal is a warning (systemd logs and carries on), not a failure.
void Option(int fd, int level, int name, int value, const char* label, std::vector<std::string>* warnings) {
  if (setsockopt(fd, level, name, &value, sizeof(value)) < 0) warnings->push_back(std::string(label) + " failed: " + strerror(errno));
}

// fd_set_rcvbuf()/fd_set_sndbuf() of systemd: the kernel caps SO_RCVBUF at net.core.rmem_max
// (and stores twice the value); when the cap bit, the privileged SO_RCVBUFFORCE sets it anyway.
void BufferOption(int fd, int name, int forceName, int value, const char* label, std::vector<std::string>* warnings) {
  auto exact = [&]() {
    int current = 0;
    socklen_t length = sizeof(current);
    return getsockopt(fd, SOL_SOCKET, name, &current, &length) == 0 && static_cast<int64_t>(current) == 2 * static_cast<int64_t>(value);
  };
  if (exact()) return;
  if (setsockopt(fd, SOL_SOCKET, name, &value, sizeof(value)) < 0) {
    warnings->push_back(std::string(label) + " failed: " + strerror(errno));
    return;
  }
  if (exact()) return;
  if (setsockopt(fd, SOL_SOCKET, forceName, &value, sizeof(value)) < 0) warnings->push_back(std::string(label) + " failed: " + strerror(errno));
}

// socket_apply_socket_options(): after listen(2), in systemd 252's order, which matters: IP_TOS
// also sets the socket priority from the TOS bits (rt_tos2priority), over Priority=.
void ApplySocketOptions(Napi::Env env, const Napi::Object& spec, int fd, int domain, std::vector<std::string>* warnings) {
  auto flag = [&](const char* key) { return Has(spec, key) && spec.Get(key).ToBoolean().Value(); };
  auto number = [&](const char* key) { return IntField(env, spec, key, 0, INT32_MAX); };
  if (flag("keepAlive")) Option(fd, SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE", warnings);
  if (Has(spec, "keepAliveTimeSec")) Option(fd, IPPROTO_TCP, TCP_KEEPIDLE, number("keepAliveTimeSec"), "TCP_KEEPIDLE", warnings);
  if (Has(spec, "keepAliveIntervalSec")) Option(fd, IPPROTO_TCP, TCP_KEEPINTVL, number("keepAliveIntervalSec"), "TCP_KEEPINTVL", warnings);
  if (Has(spec, "keepAliveProbes")) Option(fd, IPPROTO_TCP, TCP_KEEPCNT, number("keepAliveProbes"), "TCP_KEEPCNT", warnings);
  if (Has(spec, "deferAcceptSec")) Option(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, number("deferAcceptSec"), "TCP_DEFER_ACCEPT", warnings);
  if (flag("noDelay")) Option(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY", warnings);
  if (flag("broadcast")) Option(fd, SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST", warnings);
  if (flag("passCredentials")) Option(fd, SOL_SOCKET, SO_PASSCRED, 1, "SO_PASSCRED", warnings);
  if (flag("passSecurity")) Option(fd, SOL_SOCKET, SO_PASSSEC, 1, "SO_PASSSEC", warnings);
  if (Has(spec, "priority")) Option(fd, SOL_SOCKET, SO_PRIORITY, number("priority"), "SO_PRIORITY", warnings);
  if (Has(spec, "receiveBuffer")) BufferOption(fd, SO_RCVBUF, SO_RCVBUFFORCE, number("receiveBuffer"), "SO_RCVBUF", warnings);
  if (Has(spec, "sendBuffer")) BufferOption(fd, SO_SNDBUF, SO_SNDBUFFORCE, number("sendBuffer"), "SO_SNDBUF", warnings);
  if (Has(spec, "mark")) Option(fd, SOL_SOCKET, SO_MARK, number("mark"), "SO_MARK", warnings);
  if (Has(spec, "ipTos")) Option(fd, IPPROTO_IP, IP_TOS, number("ipTos"), "IP_TOS", warnings);
  if (Has(spec, "ipTtl")) {
    // socket_set_ttl(): the option of the socket's own family (AF_UNIX: a warning, as systemd's).
    int ttl = IntField(env, spec, "ipTtl", INT32_MIN, INT32_MAX);
    if (domain == AF_INET) Option(fd, IPPROTO_IP, IP_TTL, ttl, "IP_TTL/IPV6_UNICAST_HOPS", warnings);
    else if (domain == AF_INET6) Option(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl, "IP_TTL/IPV6_UNICAST_HOPS", warnings);
    else warnings->push_back(std::string("IP_TTL/IPV6_UNICAST_HOPS failed: ") + strerror(EAFNOSUPPORT));
  }
}

// setBlocking(fd, blocking): clears or sets O_NONBLOCK on the open file description, which PID 1
// shares with every process the fd is passed to (systemd's flags_fds(), NonBlocking=no).
Napi::Value SetBlocking(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = static_cast<int>(ReadInteger(env, info[0], "fd", 0, INT32_MAX));
  bool blocking = info[1].ToBoolean().Value();
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0) ThrowSystem(env, errno, "fcntl");
  int next = blocking ? (flags & ~O_NONBLOCK) : (flags | O_NONBLOCK);
  if (next != flags && fcntl(fd, F_SETFL, next) < 0) ThrowSystem(env, errno, "fcntl");
  return env.Undefined();
}

// listenSocket({family, type, host?, port?, path?, backlog, mode?, bindIPv6Only?, options...})
//   → {fd, warnings}. Throws a system error naming the syscall and the address.
Napi::Value ListenSocket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) ThrowType(env, "spec", "an object");
  Napi::Object spec = info[0].As<Napi::Object>();
  std::string family = ReadString(env, spec.Get("family"), "spec.family");
  std::string type = ReadString(env, spec.Get("type"), "spec.type");
  std::string label = ReadString(env, spec.Get("label"), "spec.label");
  int sockType = type == "stream" ? SOCK_STREAM : type == "dgram" ? SOCK_DGRAM : type == "seqpacket" ? SOCK_SEQPACKET : -1;
  if (sockType < 0) ThrowRange(env, "spec.type", "must be stream, dgram or seqpacket");

  sockaddr_storage storage{};
  socklen_t length = 0;
  int domain;
  std::string path;
  if (family == "unix") {
    domain = AF_UNIX;
    path = ReadString(env, spec.Get("path"), "spec.path");
    auto* un = reinterpret_cast<sockaddr_un*>(&storage);
    if (path.empty() || path.size() >= sizeof(un->sun_path)) ThrowRange(env, "spec.path", "must be 1..107 bytes");
    un->sun_family = AF_UNIX;
    memcpy(un->sun_path, path.data(), path.size());
    if (path[0] == '@') {
      un->sun_path[0] = '\0';  // abstract namespace: the length counts, no terminator
      length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
    } else {
      length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
    }
  } else if (family == "inet" || family == "inet6") {
    std::string host = ReadString(env, spec.Get("host"), "spec.host");
    int port = IntField(env, spec, "port", 1, 65535);
    if (family == "inet") {
      domain = AF_INET;
      auto* in = reinterpret_cast<sockaddr_in*>(&storage);
      in->sin_family = AF_INET;
      in->sin_port = htons(static_cast<uint16_t>(port));
      if (inet_pton(AF_INET, host.c_str(), &in->sin_addr) != 1) ThrowRange(env, "spec.host", "is not an IPv4 address");
      length = sizeof(sockaddr_in);
    } else {
      domain = AF_INET6;
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons(static_cast<uint16_t>(port));
      if (inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr) != 1) ThrowRange(env, "spec.host", "is not an IPv6 address");
      if (Has(spec, "scope")) {
        std::string scope = ReadString(env, spec.Get("scope"), "spec.scope");
        in6->sin6_scope_id = if_nametoindex(scope.c_str());
        if (in6->sin6_scope_id == 0) ThrowSystem(env, errno, "if_nametoindex", scope);
      }
      length = sizeof(sockaddr_in6);
    }
  } else {
    ThrowRange(env, "spec.family", "must be unix, inet or inet6");
  }

  int fd = socket(domain, sockType | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) ThrowSystem(env, errno, "socket", label);
  std::vector<std::string> warnings;
  auto flag = [&](const char* key) { return Has(spec, key) && spec.Get(key).ToBoolean().Value(); };
  auto number = [&](const char* key) { return IntField(env, spec, key, 0, INT32_MAX); };

  // socket_address_listen(): the address options before bind(2).
  if (domain == AF_INET6 && Has(spec, "bindIPv6Only")) {
    std::string only = ReadString(env, spec.Get("bindIPv6Only"), "spec.bindIPv6Only");
    if (only != "default") Option(fd, IPPROTO_IPV6, IPV6_V6ONLY, only == "ipv6-only" ? 1 : 0, "IPV6_V6ONLY", &warnings);
  }
  if (domain != AF_UNIX) {
    int ipLevel = domain == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
    if (flag("reusePort")) Option(fd, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT", &warnings);
    if (flag("freeBind")) Option(fd, ipLevel, domain == AF_INET6 ? IPV6_FREEBIND : IP_FREEBIND, 1, "IP_FREEBIND/IPV6_FREEBIND", &warnings);
    if (flag("transparent")) Option(fd, ipLevel, domain == AF_INET6 ? IPV6_TRANSPARENT : IP_TRANSPARENT, 1, "IP_TRANSPARENT/IPV6_TRANSPARENT", &warnings);
  }
  // Every family, unix sockets too (systemd sets it unconditionally).
  Option(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR", &warnings);

  // Unix nodes get SocketMode= through the umask at bind time, as systemd does.
  mode_t mode = Has(spec, "mode") ? static_cast<mode_t>(IntField(env, spec, "mode", 0, 07777)) : 0666;
  bool fsNode = domain == AF_UNIX && path[0] != '@';
  mode_t old = fsNode ? umask(~mode & 0777) : 0;
  int r = bind(fd, reinterpret_cast<sockaddr*>(&storage), length);
  if (r < 0 && errno == EADDRINUSE && fsNode) {
    // A node left by an earlier run: replace it (socket_address_listen()).
    unlink(path.c_str());
    r = bind(fd, reinterpret_cast<sockaddr*>(&storage), length);
  }
  int bindErrno = errno;
  if (fsNode) umask(old);
  if (r < 0) {
    close(fd);
    ThrowSystem(env, bindErrno, "bind", label);
  }
  if (sockType != SOCK_DGRAM) {
    int backlog = Has(spec, "backlog") ? number("backlog") : SOMAXCONN;
    if (listen(fd, backlog) < 0) {
      int e = errno;
      close(fd);
      ThrowSystem(env, e, "listen", label);
    }
  }
  ApplySocketOptions(env, spec, fd, domain, &warnings);
  Napi::Object result = Napi::Object::New(env);
  result.Set("fd", fd);
  Napi::Array list = Napi::Array::New(env, warnings.size());
  for (size_t i = 0; i < warnings.size(); i++) list.Set(static_cast<uint32_t>(i), warnings[i]);
  result.Set("warnings", list);
  return result;
}

// openFifo(path, mode) → fd: mkfifo (an existing FIFO is reused) and open read-write, so
// the FIFO never reports end-of-file while no writer is connected.
Napi::Value OpenFifo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = ReadString(env, info[0], "path");
  mode_t mode = static_cast<mode_t>(ReadInteger(env, info[1], "mode", 0, 07777));
  mode_t old = umask(~mode & 0777);
  int r = mkfifo(path.c_str(), mode);
  int e = errno;
  umask(old);
  if (r < 0 && e != EEXIST) ThrowSystem(env, e, "mkfifo", path);
  int fd = open(path.c_str(), O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW);
  if (fd < 0) ThrowSystem(env, errno, "open", path);
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
    close(fd);
    ThrowSystem(env, EEXIST, "mkfifo", path);
  }
  return Napi::Number::New(env, fd);
}

std::string FormatAddress(const sockaddr_storage& sa, std::string* host, int* port) {
  char text[INET6_ADDRSTRLEN] = "";
  if (sa.ss_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(&sa);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
    *host = text;
    *port = ntohs(in->sin_port);
    return *host + ":" + std::to_string(*port);
  }
  if (sa.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(&sa);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      // A v4 peer on a dual-stack socket is named in its IPv4 form (instance names, REMOTE_ADDR).
      inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], text, sizeof(text));
    } else {
      inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
    }
    *host = text;
    *port = ntohs(in6->sin6_port);
    return *host + ":" + std::to_string(*port);
  }
  return "";
}

// acceptConnection(fd, spec?) → {fd, local, remote, remoteHost?, remotePort?, peerPid?, peerUid?, warnings}
// or null when nothing is queued. The connection is O_CLOEXEC and blocking, as systemd hands it to
// the instance, and gets the listening port's options (`spec`, listenSocket's), as systemd 252's
// socket_dispatch_io() applies socket_apply_socket_options() to the accepted fd too.
Napi::Value AcceptConnection(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int listenFd = static_cast<int>(ReadInteger(env, info[0], "fd", 0, INT32_MAX));
  sockaddr_storage remote{};
  socklen_t length = sizeof(remote);
  int fd = accept4(listenFd, reinterpret_cast<sockaddr*>(&remote), &length, SOCK_CLOEXEC);
  if (fd < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) return env.Null();
    ThrowSystem(env, errno, "accept4");
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("fd", fd);
  sockaddr_storage local{};
  socklen_t localLength = sizeof(local);
  getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localLength);
  std::vector<std::string> warnings;
  if (info.Length() > 1 && info[1].IsObject()) {
    try {
      ApplySocketOptions(env, info[1].As<Napi::Object>(), fd, local.ss_family, &warnings);
    } catch (...) {
      close(fd);  // a bad spec must not leak the connection
      throw;
    }
  }
  Napi::Array list = Napi::Array::New(env, warnings.size());
  for (size_t i = 0; i < warnings.size(); i++) list.Set(static_cast<uint32_t>(i), warnings[i]);
  result.Set("warnings", list);
  std::string host;
  int port = 0;
  if (remote.ss_family == AF_UNIX) {
    ucred cred{};
    socklen_t credLength = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &credLength) == 0) {
      result.Set("peerPid", static_cast<double>(cred.pid));
      result.Set("peerUid", static_cast<double>(cred.uid));
    }
  } else {
    std::string localHost;
    int localPort = 0;
    result.Set("local", FormatAddress(local, &localHost, &localPort));
    result.Set("remote", FormatAddress(remote, &host, &port));
    result.Set("remoteHost", host);
    result.Set("remotePort", port);
  }
  return result;
}

// new NativeReadableWatch(fd, onReadable()): calls back while `fd` is readable, reading nothing.
// close() stops watching; the fd itself stays open (its owner closes it).
class ReadableWatchWrap : public Napi::ObjectWrap<ReadableWatchWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeReadableWatch", {InstanceMethod("close", &ReadableWatchWrap::Close)});
  }

  explicit ReadableWatchWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ReadableWatchWrap>(info) {
    Napi::Env env = info.Env();
    int fd = static_cast<int>(ReadInteger(env, info[0], "fd", 0, INT32_MAX));
    if (info.Length() < 2 || !info[1].IsFunction()) ThrowType(env, "onReadable", "a function");
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    poll_ = new uv_poll_t;
    int r = uv_poll_init(loop, poll_, fd);
    if (r < 0) {
      delete poll_;
      poll_ = nullptr;
      ThrowSystem(env, -r, "uv_poll_init");
    }
    poll_->data = this;
    uv_poll_start(poll_, UV_READABLE, &ReadableWatchWrap::OnReadable);
    onReadable_ = Napi::Persistent(info[1].As<Napi::Function>());
    context_ = std::make_unique<Napi::AsyncContext>(env, "unitd.ReadableWatch");
    Ref();
  }

  ~ReadableWatchWrap() override { Shutdown(); }

 private:
  static void OnReadable(uv_poll_t* handle, int status, int /*events*/) {
    auto* self = static_cast<ReadableWatchWrap*>(handle->data);
    if (self == nullptr || status < 0) return;
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    try {
      self->onReadable_.MakeCallback(self->Value(), {}, *self->context_);
    } catch (const Napi::Error& error) {
      napi_fatal_exception(env, error.Value());
    }
  }

  void Shutdown() {
    if (poll_ == nullptr) return;
    uv_poll_stop(poll_);
    poll_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
    poll_ = nullptr;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    bool wasOpen = poll_ != nullptr;
    Shutdown();
    if (wasOpen) Unref();
    return info.Env().Undefined();
  }

  uv_poll_t* poll_ = nullptr;
  Napi::FunctionReference onReadable_;
  std::unique_ptr<Napi::AsyncContext> context_;
};

}  // namespace

void InitListen(Napi::Env env, Napi::Object exports) {
  exports.Set("listenSocket", Napi::Function::New(env, ListenSocket));
  exports.Set("openFifo", Napi::Function::New(env, OpenFifo));
  exports.Set("setBlocking", Napi::Function::New(env, SetBlocking));
  exports.Set("acceptConnection", Napi::Function::New(env, AcceptConnection));
  exports.Set("NativeReadableWatch", ReadableWatchWrap::Define(env));
}

}  // namespace unitd
