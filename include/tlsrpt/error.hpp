// error.hpp: the reader's refusal type. Expected failures are values, not exceptions: every
// stage returns Result<T>, and the caller decides (once) what a failure means for the sender.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace tlsrpt {

// Why an input was refused. Every kind is permanent: resending the same bytes fails again.
enum class ErrorKind {
    not_a_report, // no report part, or bytes that are no report format
    malformed,    // broken JSON, gzip, zip or MIME structure
    invalid,      // well-formed JSON that breaks a rule the reader cannot tolerate
    too_large,    // a configured limit was crossed
};

const char* to_string(ErrorKind kind);

struct Error {
    ErrorKind kind = ErrorKind::malformed;
    std::string message; // what is wrong, naming the JSON path or MIME part at fault

    // "kind: message", for logs and stderr.
    std::string describe() const;
};

// A value or an Error. Small on purpose: C++20 has no std::expected.
template <typename T> class Result {
  public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(v_); }

  private:
    std::variant<T, Error> v_;
};

inline Error make_error(ErrorKind kind, std::string message) {
    return Error{kind, std::move(message)};
}

} // namespace tlsrpt
