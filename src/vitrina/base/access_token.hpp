#pragma once

#include <chrono>
#include <string>

#include "vitrina/base/result.hpp"

namespace vitrina::base {

// A bearer token for one Azure resource (an audience), as a managed identity receives it from
// Microsoft Entra ID.
struct AccessToken {
  std::string value;  // never logged
  std::chrono::system_clock::time_point expires_on;
  // The identity's object id (the token's "oid" claim, read without verifying the token: the
  // service that receives it verifies it). Azure Managed Redis wants it as the AUTH user name.
  std::string object_id;
};

// Where a client gets the token it presents instead of a password or key (PostgreSQL, Redis,
// Blob Storage, Application Insights ingestion). Lower layers see only this interface; the
// managed-identity implementation (identity/) is wired in by the composition root.
// Thread-safe. Current() never waits on the network: it returns the token held now, which the
// implementation refreshes in the background well before it expires, or kUnavailable when it
// holds none that is still valid (the reason is in the detail).
class AccessTokenSource {
 public:
  virtual ~AccessTokenSource() = default;
  virtual Result<AccessToken> Current() const = 0;
};

}  // namespace vitrina::base
