#pragma once

#include <spdlog/spdlog.h>

#include "vitrina/base/error.hpp"

namespace vitrina::cli {

// Exit codes of the command-line tools: scripts can tell bad input from an unavailable service.
inline int ExitCodeFor(base::ErrorCode code) {
  switch (code) {
    case base::ErrorCode::kInvalidArgument:
    case base::ErrorCode::kNotFound:
    case base::ErrorCode::kConflict:
    case base::ErrorCode::kPayloadTooLarge:
      return 2;
    case base::ErrorCode::kUnavailable:
      return 3;
    default:
      return 1;
  }
}

// Ends a command on an error: its message (safe to show) logged as an error, its detail (libpq's
// text, a path) at debug level, and the exit code returned.
inline int Fail(const base::Error& error) {
  spdlog::error("{}", error.message);
  if (!error.detail.empty()) spdlog::debug("{}", error.detail);
  return ExitCodeFor(error.code);
}

}  // namespace vitrina::cli
