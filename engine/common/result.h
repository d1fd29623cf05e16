// Result<T>: a value or an Error, the way every fallible call in Ledgerflow reports
// failure. Error codes form a closed set so that callers (and the REST layer, which maps
// them to HTTP statuses) can switch on them.
//
// The error style (one for the whole tree):
//  * Expected failures (bad input, missing rows, conflicts, IO) are returned as
//    Result<T>/Error, never thrown. Propagate with LF_TRY / LF_TRY_ASSIGN (below).
//  * Error::code says what kind of failure it is (and so the HTTP status); Error::reason
//    names the specific case a caller branches on (ErrorReason). Error::message is for
//    people only: no code may inspect its text. A caller that needs to tell two failures
//    apart asks for a reason to be added here and set where the error is made.
//  * Exceptions appear only inside calls into third-party code that throws (nlohmann::json
//    .at()/parse, yaml-cpp, std::sto*, Boost); they are caught at the boundary that makes
//    the call and turned into an Error there. The last-resort boundaries that catch
//    anything are the HTTP router (a throwing handler answers 500) and the API worker pool
//    (api/service: a throwing read answers 500).
// Thread-safety: plain value types; no shared state.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ledgerflow {

enum class ErrorCode {
  invalid_argument,
  not_found,
  conflict,
  unauthenticated,
  forbidden,
  unavailable,
  io_error,
  corruption,
};

std::string_view to_string(ErrorCode code);

// The specific cases callers tell apart, beyond the code. Extend it when a caller needs to
// branch on a new case (and set it where that error is made); `none` for everything else.
enum class ErrorReason {
  none,
  // conflict: the stored idempotency key already exists (a concurrent request with the
  // same key committed first); running the request again replays or refuses it.
  idempotency_key_taken,
  // conflict: the Idempotency-Key was used before with a different request.
  idempotency_key_reused,
  // conflict: another instance of the workflow already has this business key.
  business_key_taken,
  // forbidden: the user is excluded from acting on a task (segregation of duties).
  segregation_of_duties,
  // forbidden: the user is not a candidate (user, role, delegate or assignee) of a task.
  not_a_candidate,
  // forbidden: the workflow's permissions (start, signals) do not allow the user.
  not_permitted,
};

std::string_view to_string(ErrorReason reason);

struct Error {
  ErrorCode code = ErrorCode::invalid_argument;
  std::string message;
  ErrorReason reason = ErrorReason::none;

  static Error invalid(std::string msg) { return {ErrorCode::invalid_argument, std::move(msg)}; }
  static Error io(std::string msg) { return {ErrorCode::io_error, std::move(msg)}; }
  // This error with `r` as its reason (for producers that get the Error from a helper).
  Error with_reason(ErrorReason r) && {
    reason = r;
    return std::move(*this);
  }
  bool is(ErrorReason r) const { return reason == r; }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

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

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success carries nothing.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace ledgerflow

// Propagation in functions that return a Result:
//   LF_TRY(store.submit_sync(ws));            // returns the Error if it failed
//   LF_TRY_ASSIGN(auto rows, store.tasks(f));  // declares rows = the value, or returns
// `expr` is evaluated once. LF_TRY_ASSIGN expands to statements (not one expression), so it
// cannot be the body of an unbraced if/for.
#define LF_TRY(expr)                                                 \
  do {                                                               \
    auto lf_try_result_ = (expr);                                    \
    if (!lf_try_result_) return lf_try_result_.error();              \
  } while (false)
#define LF_TRY_CONCAT_(a, b) a##b
#define LF_TRY_NAME_(line) LF_TRY_CONCAT_(lf_try_value_, line)
#define LF_TRY_ASSIGN(lhs, expr) LF_TRY_ASSIGN_(LF_TRY_NAME_(__LINE__), lhs, expr)
#define LF_TRY_ASSIGN_(tmp, lhs, expr) \
  auto tmp = (expr);                   \
  if (!tmp) return tmp.error();        \
  lhs = std::move(*tmp)
