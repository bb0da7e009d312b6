// Result<T>: a value or a typed Error, returned across every module boundary instead of exceptions.
//
// An Error carries a code that maps to an HTTP status (HttpStatusFor) and a CLI exit code
// (ExitCodeFor), a human message, and optional per-field errors (JSON pointer + detail) that the
// HTTP layer renders into RFC 9457 problem documents.
//
// Thread safety: value types; no shared state.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace loom {

enum class ErrorCode {
  kInvalidArgument,    // 400: the input is malformed or fails validation
  kUnauthenticated,    // 401: no or unknown credentials
  kPermissionDenied,   // 403: credentials lack the role
  kNotFound,           // 404
  kConflict,           // 409: illegal state transition, duplicate
  kPayloadTooLarge,    // 413
  kUnprocessable,      // 422: well-formed, but a required field is missing or breaks a rule
  kResourceExhausted,  // 429: rate limited
  kUnavailable,        // 503: temporarily cannot accept (queue full, store down)
  kInternal,           // 500: a broken invariant or an unexpected library failure
};

struct FieldError {
  std::string pointer;  // JSON pointer into the request body, e.g. "/payload/summary"
  std::string detail;
};

struct [[nodiscard]] Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::vector<FieldError> fields;

  static Error Invalid(std::string msg, std::vector<FieldError> fields = {}) {
    return {ErrorCode::kInvalidArgument, std::move(msg), std::move(fields)};
  }
  static Error Unprocessable(std::string msg, std::vector<FieldError> fields = {}) {
    return {ErrorCode::kUnprocessable, std::move(msg), std::move(fields)};
  }
  static Error NotFound(std::string msg) { return {ErrorCode::kNotFound, std::move(msg), {}}; }
  static Error Conflict(std::string msg) { return {ErrorCode::kConflict, std::move(msg), {}}; }
  static Error Unavailable(std::string msg) {
    return {ErrorCode::kUnavailable, std::move(msg), {}};
  }
  static Error Internal(std::string msg) { return {ErrorCode::kInternal, std::move(msg), {}}; }
  static Error Unauthenticated(std::string msg) {
    return {ErrorCode::kUnauthenticated, std::move(msg), {}};
  }
  static Error PermissionDenied(std::string msg) {
    return {ErrorCode::kPermissionDenied, std::move(msg), {}};
  }
};

int HttpStatusFor(ErrorCode code);
int ExitCodeFor(ErrorCode code);
// A short stable slug for the code, used in problem `type` URIs and metrics labels.
const char* ErrorCodeName(ErrorCode code);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // REQUIRES: !ok()
  const Error& error() const& {
    assert(!ok());
    return std::get<1>(v_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& {
    assert(!ok_);
    return error_;
  }
  Error&& error() && {
    assert(!ok_);
    return std::move(error_);
  }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;
inline Status OkStatus() { return Status(); }

}  // namespace loom
