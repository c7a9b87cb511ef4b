#include "vitrina/redis/core/key_prefix.hpp"

#include <string>

namespace vitrina::redis::core {

base::Status ValidateKeyPrefix(std::string_view prefix) {
  if (prefix.size() > kMaxKeyPrefixBytes) {
    return base::MakeError(
        base::ErrorCode::kInvalidArgument,
        "CACHE_KEY_PREFIX must be at most " + std::to_string(kMaxKeyPrefixBytes) + " bytes");
  }
  for (const char c : prefix) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' || c == '-';
    if (!allowed) {
      return base::MakeError(base::ErrorCode::kInvalidArgument,
                             "CACHE_KEY_PREFIX may hold only letters, digits and _ . : - (found '" +
                                 std::string(1, c) + "')");
    }
  }
  return base::OkStatus();
}

}  // namespace vitrina::redis::core
