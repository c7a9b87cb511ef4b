#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "vitrina/auth/core/jwt_key_refresh.hpp"
#include "vitrina/auth/core/login_rate_window.hpp"
#include "vitrina/auth/core/user_status_cache.hpp"
#include "vitrina/base/env_reader.hpp"

namespace vitrina::auth {

// Everything the Firebase-facing components need. Built by the composition root (ReadAuthSettings
// below, or by hand in tests); components never read the environment themselves.
struct FirebaseSettings {
  std::string environment = "development";  // VITRINA_ENV: development | production
  std::string project_id;                   // FIREBASE_PROJECT_ID
  std::string api_key;                      // FIREBASE_API_KEY
  // FIREBASE_AUTH_EMULATOR_HOST ("127.0.0.1:9099"): when set, both REST bases point at the
  // emulator and tokens are unsigned; refused in production.
  std::optional<std::string> emulator_host;
  std::string identity_toolkit_url = "https://identitytoolkit.googleapis.com";
  std::string secure_token_url = "https://securetoken.googleapis.com";
  std::string certificates_url =
      "https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com";
  std::chrono::milliseconds http_timeout{5000};
  std::chrono::seconds clock_skew{60};
  core::KeyRefreshPolicy key_refresh;
  // AUTH_TOKEN_CACHE_SECONDS: how long a verified token is trusted without checking its signature
  // again (never past its exp); 0 verifies every request. At most token_cache_entries tokens.
  std::chrono::seconds token_cache_max_age{300};
  std::size_t token_cache_entries = 10'000;

  // The REST bases actually used: the emulator prefixes the production host name to the path.
  std::string IdentityToolkitBase() const;
  std::string SecureTokenBase() const;
};

// Redis itself is the cache's (REDIS_URL or REDIS_CLUSTER_NODES): one Redis stack per service.
struct LoginRateLimitSettings {
  core::LoginRateLimitPolicy policy;
  std::chrono::milliseconds timeout{250};  // per Redis command; a slow Redis fails open
  // Put before every key (the cache's CACHE_KEY_PREFIX: one prefix per deployment).
  std::string key_prefix;
};

struct AuthSettings {
  FirebaseSettings firebase;
  LoginRateLimitSettings login_rate_limit;
  core::UserStatusCacheSettings user_status;
};

// Reads the auth variables (names and defaults in docs/auth.md); problems are collected in `env`.
AuthSettings ReadAuthSettings(base::EnvReader& env);

}  // namespace vitrina::auth
