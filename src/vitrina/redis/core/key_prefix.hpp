#pragma once

#include <string_view>

#include "vitrina/base/result.hpp"

namespace vitrina::redis::core {

inline constexpr std::size_t kMaxKeyPrefixBytes = 64;

// A prefix put before every key one deployment writes (CACHE_KEY_PREFIX), so that deployments
// sharing a Redis ("staging:" and "prod:", or two datasets) never read or delete each other's
// keys. At most 64 bytes of letters, digits and _ . : - ; in particular no braces: a hash tag in
// the prefix would put every key of the deployment into one Redis Cluster slot, and the cache's
// version keys "{K}:v" rely on K having none. Empty is valid (no prefix).
base::Status ValidateKeyPrefix(std::string_view prefix);

}  // namespace vitrina::redis::core
