// Errors as values: Result<T> carries either a T or an Error (message + kind).
// The pipeline returns these; only src/cli turns them into messages and exit codes
// (runtime failure = 1, usage error = 2, as in docs/formats.md#cli-contract).
#pragma once
#include <string>
#include <utility>
#include <variant>

namespace pt {

enum class ErrorKind { runtime = 1, usage = 2 };

struct Error {
  std::string message;
  ErrorKind kind = ErrorKind::runtime;
};

inline Error runtime_error(std::string message) { return Error{std::move(message), ErrorKind::runtime}; }
inline Error usage_error(std::string message) { return Error{std::move(message), ErrorKind::usage}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

inline Result<void> ok() { return {}; }

}  // namespace pt

#define PT_CAT_INNER_(a, b) a##b
#define PT_CAT_(a, b) PT_CAT_INNER_(a, b)

// Return the error of a Result-valued expression from the enclosing function.
#define PT_TRY(expr)                                         \
  do {                                                       \
    auto&& pt_try_result_ = (expr);                          \
    if (!pt_try_result_.ok()) return pt_try_result_.error(); \
  } while (0)

// `PT_ASSIGN_OR_RETURN(auto x, f());` declares x from the value, or returns the error.
#define PT_ASSIGN_OR_RETURN(lhs, expr) PT_ASSIGN_OR_RETURN_IMPL_(PT_CAT_(pt_res_, __LINE__), lhs, expr)
#define PT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.error();              \
  lhs = std::move(tmp).value()
