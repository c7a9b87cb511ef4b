#pragma once

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

}  // namespace vitrina::cli
