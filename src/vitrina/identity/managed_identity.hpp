#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vitrina/base/access_token.hpp"
#include "vitrina/base/env_reader.hpp"
#include "vitrina/base/result.hpp"
#include "vitrina/identity/core/token_schedule.hpp"

namespace vitrina::identity {

// The audiences Vitrina asks tokens for (NOTES-services, "Managed identities").
inline constexpr std::string_view kPostgresResource = "https://ossrdbms-aad.database.windows.net";
inline constexpr std::string_view kStorageResource = "https://storage.azure.com/";
inline constexpr std::string_view kMonitorResource = "https://monitor.azure.com/";
inline constexpr std::string_view kRedisResource = "https://redis.azure.com";

struct ManagedIdentitySettings {
  std::string endpoint;   // IDENTITY_ENDPOINT, set by Azure Container Apps and App Service
  std::string header;     // IDENTITY_HEADER, likewise; a secret, never logged
  std::string client_id;  // AZURE_CLIENT_ID: a user-assigned identity; empty: system-assigned
  std::chrono::milliseconds timeout{5000};  // one token request
  core::RefreshPolicy refresh;
};

// IDENTITY_ENDPOINT, IDENTITY_HEADER and AZURE_CLIENT_ID; nullopt when IDENTITY_ENDPOINT is unset
// (the process has no managed identity). Problems go to `env`.
std::optional<ManagedIdentitySettings> ReadManagedIdentitySettings(base::EnvReader& env);

// The tokens of this process's managed identity, one per resource, each replaced by a background
// thread before it expires (core::TokenSchedule decides when; a failed refresh is retried with
// backoff while the old token still works).
class ManagedIdentity {
 public:
  explicit ManagedIdentity(ManagedIdentitySettings settings);
  ~ManagedIdentity();  // stops the refresh thread; the sources must no longer be used
  ManagedIdentity(const ManagedIdentity&) = delete;
  ManagedIdentity& operator=(const ManagedIdentity&) = delete;

  // The token source of `resource`. The first call for a resource fetches its first token
  // before it returns, so a process that cannot get one stops at start-up with the endpoint's
  // reason; later calls return the same source. Sources live as long as this object.
  base::Result<const base::AccessTokenSource*> Source(std::string_view resource);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vitrina::identity
