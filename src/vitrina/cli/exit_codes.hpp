#pragma once

#include "vitrina/core/error.hpp"

namespace vitrina::cli {

// Exit codes of the command-line tools: scripts can tell bad input from an unavailable service.
inline int ExitCodeFor(core::ErrorCode code) {
  switch (code) {
    case core::ErrorCode::kInvalidArgument:
    case core::ErrorCode::kNotFound:
    case core::ErrorCode::kConflict:
    case core::ErrorCode::kPayloadTooLarge:
      return 2;
    case core::ErrorCode::kUnavailable:
      return 3;
    default:
      return 1;
  }
}

}  // namespace vitrina::cli
