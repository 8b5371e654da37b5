#include "errors.h"

#include <cerrno>
#include <cmath>
#include <cstring>

namespace unitd {

void ThrowType(Napi::Env env, const std::string& field, const std::string& expected) {
  throw Napi::TypeError::New(env, field + " must be " + expected);
}

void ThrowRange(Napi::Env env, const std::string& field, const std::string& problem) {
  throw Napi::RangeError::New(env, field + " " + problem);
}

const char* ErrnoName(int err) {
  const char* name = strerrorname_np(err);  // glibc >= 2.32
  return name != nullptr ? name : "EUNKNOWN";
}

Napi::Error SystemError(Napi::Env env, int err, const std::string& syscall, const std::string& path) {
  std::string message = syscall;
  if (!path.empty()) message += " " + path;
  message += ": ";
  message += strerror(err);
  Napi::Error error = Napi::Error::New(env, message);
  Napi::Object fields = error.Value();
  fields.Set("code", ErrnoName(err));
  fields.Set("errno", -err);  // negative, like Node's system errors
  fields.Set("syscall", syscall);
  if (!path.empty()) fields.Set("path", path);
  return error;
}

void ThrowSystem(Napi::Env env, int err, const std::string& syscall, const std::string& path) {
  throw SystemError(env, err, syscall, path);
}

std::string ReadString(Napi::Env env, const Napi::Value& value, const std::string& field) {
  if (!value.IsString()) ThrowType(env, field, "a string");
  std::string text = value.As<Napi::String>().Utf8Value();
  // A NUL would silently cut the string short at the C boundary.
  if (text.find('\0') != std::string::npos) ThrowRange(env, field, "must not contain NUL bytes");
  return text;
}

int64_t ReadInteger(Napi::Env env, const Napi::Value& value, const std::string& field, int64_t min, int64_t max) {
  if (!value.IsNumber()) ThrowType(env, field, "an integer");
  double number = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(number) || std::floor(number) != number) ThrowType(env, field, "an integer");
  if (number < static_cast<double>(min) || number > static_cast<double>(max)) {
    ThrowRange(env, field, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                               " (got " + std::to_string(static_cast<long long>(number)) + ")");
  }
  return static_cast<int64_t>(number);
}

}  // namespace unitd
