// Status and Result<T>: values for expected failures (LevelDB's Status idea).
// A Status is either ok or carries a closed error code and a human-readable message.
// Result<T> holds either a T or a non-ok Status; reading the wrong side is a
// programmer error and asserts.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "protocol/base/assert.h"

namespace ckptsim {

enum class StatusCode {
  kOk,
  kInvalidArgument,   // bad input: malformed config, scenario, trace
  kNotFound,          // e.g. no completed checkpoint to restore
  kUnavailable,       // peer crashed, link cut, storage unreachable
  kBackpressured,     // bounded queue is full; retry when credit returns
  kCorruption,        // checksum mismatch, torn or half-written data
  kIoError,           // failed write, fsync, rename
  kTimeout,           // an operation expired
  kAborted,           // superseded or cancelled work (e.g. subsumed checkpoint)
  kResourceExhausted  // a configured bound was reached (full storage)
};

const char* status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status error(StatusCode code, std::string message) {
    CKPT_ASSERT(code != StatusCode::kOk, "an error status needs an error code");
    return Status(code, std::move(message));
  }
  static Status invalid_argument(std::string m) { return error(StatusCode::kInvalidArgument, std::move(m)); }
  static Status not_found(std::string m) { return error(StatusCode::kNotFound, std::move(m)); }
  static Status unavailable(std::string m) { return error(StatusCode::kUnavailable, std::move(m)); }
  static Status backpressured(std::string m) { return error(StatusCode::kBackpressured, std::move(m)); }
  static Status corruption(std::string m) { return error(StatusCode::kCorruption, std::move(m)); }
  static Status io_error(std::string m) { return error(StatusCode::kIoError, std::move(m)); }
  static Status timeout(std::string m) { return error(StatusCode::kTimeout, std::move(m)); }
  static Status aborted(std::string m) { return error(StatusCode::kAborted, std::move(m)); }
  static Status resource_exhausted(std::string m) { return error(StatusCode::kResourceExhausted, std::move(m)); }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string to_string() const;

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : storage_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : storage_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    CKPT_ASSERT(!std::get<Status>(storage_).is_ok(), "a Result built from a Status must be an error");
  }

  bool is_ok() const { return std::holds_alternative<T>(storage_); }
  const T& value() const& {
    CKPT_ASSERT(is_ok(), "value() on an error Result");
    return std::get<T>(storage_);
  }
  T& value() & {
    CKPT_ASSERT(is_ok(), "value() on an error Result");
    return std::get<T>(storage_);
  }
  T&& value() && {
    CKPT_ASSERT(is_ok(), "value() on an error Result");
    return std::get<T>(std::move(storage_));
  }
  const Status& status() const {
    CKPT_ASSERT(!is_ok(), "status() on an ok Result");
    return std::get<Status>(storage_);
  }

 private:
  std::variant<T, Status> storage_;
};

}  // namespace ckptsim
