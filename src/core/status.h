// One error currency for the whole project: Status (code + message) and Result<T, E>.
//
// Result<T, E> is shaped like std::expected<T, E> (has_value, operator*, error) so that a move to
// <expected> later is a rename. Status::ok() costs nothing on success: the message string stays
// empty and no allocation happens.
//
// Thread safety: values; no shared state.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/assert.h"

namespace gatehouse::core {

// Generic error classes. Areas with richer failure modes (auth, store) define their own precise
// enums and use Result<T, ThatError>; gateway/ maps those to HTTP in one place.
enum class Code {
  kOk = 0,
  kInvalidArgument,    // the caller's input is wrong (bad config value, bad token format)
  kNotFound,           // a named thing does not exist
  kAlreadyExists,      // create of something that exists
  kPermissionDenied,   // the caller may not do this
  kUnavailable,        // a dependency is down or unreachable; retrying may help
  kDeadlineExceeded,   // a timeout fired
  kResourceExhausted,  // a size, count or rate limit was hit
  kIoError,            // a file or socket operation failed
  kCancelled,          // the operation was cancelled (shutdown, client gone)
  kInternal,           // an invariant broke; a bug
};

std::string_view to_string(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<code>: <message>", or "ok".
  std::string to_string() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status invalid_argument(std::string m) {
  return {Code::kInvalidArgument, std::move(m)};
}
inline Status not_found(std::string m) {
  return {Code::kNotFound, std::move(m)};
}
inline Status unavailable(std::string m) {
  return {Code::kUnavailable, std::move(m)};
}
inline Status io_error(std::string m) {
  return {Code::kIoError, std::move(m)};
}
inline Status resource_exhausted(std::string m) {
  return {Code::kResourceExhausted, std::move(m)};
}
inline Status internal_error(std::string m) {
  return {Code::kInternal, std::move(m)};
}

// Wraps an error value so Result<T, E> can be built from it even when T and E convert into each
// other (mirrors std::unexpected).
template <class E>
struct Unexpected {
  E error;
};
template <class E>
Unexpected<std::decay_t<E>> unexpected(E&& e) {
  return {std::forward<E>(e)};
}

template <class T, class E = Status>
class [[nodiscard]] Result {
 public:
  // Implicit from a value or an error, as with std::expected.
  // The Result and E checks come first: constraints are checked left to right, and testing
  // is_constructible<T, Result> first can recurse without end for some T (clang 14).
  template <class U = T>
  requires(!std::is_same_v<std::decay_t<U>, Result>) &&
      (!std::is_same_v<std::decay_t<U>, E>)&&std::is_constructible_v<T, U&&> Result(U&& value)
      : v_(std::in_place_index<0>, std::forward<U>(value)) {}
  Result(E error) : v_(std::in_place_index<1>, std::move(error)) {}
  template <class G>
  Result(Unexpected<G> u) : v_(std::in_place_index<1>, std::move(u.error)) {}

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  // Requires: has_value().
  T& operator*() & {
    GH_ASSERT(has_value());
    return *std::get_if<0>(&v_);
  }
  const T& operator*() const& {
    GH_ASSERT(has_value());
    return *std::get_if<0>(&v_);
  }
  T&& operator*() && {
    GH_ASSERT(has_value());
    return std::move(*std::get_if<0>(&v_));
  }
  T* operator->() { return &**this; }
  const T* operator->() const { return &**this; }

  // Requires: !has_value().
  const E& error() const& {
    GH_ASSERT(!has_value());
    return *std::get_if<1>(&v_);
  }
  E&& error() && {
    GH_ASSERT(!has_value());
    return std::move(*std::get_if<1>(&v_));
  }

 private:
  std::variant<T, E> v_;
};

}  // namespace gatehouse::core
