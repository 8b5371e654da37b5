// Error helpers shared by the addon's modules: every failure reaches JavaScript as
// a TypeError/RangeError naming the field, or as an Error carrying errno details
// like Node's own system errors (code, errno, syscall, path).
#pragma once
#include <napi.h>
#include <string>

namespace unitd {

[[noreturn]] void ThrowType(Napi::Env env, const std::string& field, const std::string& expected);
[[noreturn]] void ThrowRange(Napi::Env env, const std::string& field, const std::string& problem);
// Builds an Error like Node's: message "<syscall> <path>: <strerror>", code "ENOENT", errno, syscall, path.
Napi::Error SystemError(Napi::Env env, int err, const std::string& syscall, const std::string& path = "");
[[noreturn]] void ThrowSystem(Napi::Env env, int err, const std::string& syscall, const std::string& path = "");
const char* ErrnoName(int err);

// Readers for fields of a JS object; each throws TypeError/RangeError naming `field`.
std::string ReadString(Napi::Env env, const Napi::Value& value, const std::string& field);
int64_t ReadInteger(Napi::Env env, const Napi::Value& value, const std::string& field, int64_t min, int64_t max);

}  // namespace unitd
