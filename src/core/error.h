// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace meterd::core {

// What went wrong, in the categories the API maps to HTTP statuses.
enum class ErrorCode {
  kInvalidArgument,   // 400: malformed input; `field` names where
  kUnauthenticated,   // 401
  kPermissionDenied,  // 403
  kNotFound,          // 404
  kConflict,          // 409
  kOutOfRange,        // 400/422: a value outside what is allowed
  kCorruption,        // stored bytes that do not decode
  kUnavailable,       // 503: try again later
  kInternal,          // 500: a bug or an I/O failure
};

std::string_view ErrorCodeName(ErrorCode code);

// An error is a code, a message for people and, for input errors, the field or offset it is about.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;

  static Error Invalid(std::string message, std::string field = {}) {
    return {ErrorCode::kInvalidArgument, std::move(message), std::move(field)};
  }
  static Error NotFound(std::string message) { return {ErrorCode::kNotFound, std::move(message), {}}; }
  static Error Conflict(std::string message) { return {ErrorCode::kConflict, std::move(message), {}}; }
  static Error Corruption(std::string message) { return {ErrorCode::kCorruption, std::move(message), {}}; }
  static Error Internal(std::string message) { return {ErrorCode::kInternal, std::move(message), {}}; }
  static Error Unauthenticated(std::string message) {
    return {ErrorCode::kUnauthenticated, std::move(message), {}};
  }

  // "message (field)" for logs and the CLI.
  std::string ToString() const;
};

template <class T>
using Result = std::expected<T, Error>;

// Shorthand for `return Fail(Error::Invalid(...));` in functions returning Result<T>.
inline std::unexpected<Error> Fail(Error error) { return std::unexpected<Error>(std::move(error)); }

}  // namespace meterd::core
