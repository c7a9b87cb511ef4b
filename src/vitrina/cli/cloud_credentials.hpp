#pragma once

#include <memory>

#include "vitrina/base/access_token.hpp"
#include "vitrina/base/result.hpp"
#include "vitrina/identity/managed_identity.hpp"

namespace vitrina::cli {

// Which outside services a command talks to: it fetches managed-identity tokens for those only.
struct CloudServices {
  bool database = false;
  bool redis = false;
  bool storage = false;
  bool monitor = false;
};

// The managed-identity tokens a command presents instead of secrets, chosen per service (each
// defaults to the secret in its URL or connection string):
//   DATABASE_AUTH=password|managed-identity       PostgreSQL: the token is the password of each
//                                                 new connection; DATABASE_URL names the user
//   REDIS_AUTH=key|managed-identity               Redis: AUTH <object id> <token>, re-sent on
//                                                 open connections when the token is replaced
//   AZURE_STORAGE_AUTH=key|managed-identity       Blob Storage: Authorization: Bearer
//   APPLICATIONINSIGHTS_AUTH=key|managed-identity ingestion: Authorization: Bearer
// managed-identity needs IDENTITY_ENDPOINT and IDENTITY_HEADER, which Azure Container Apps sets
// for an app with a managed identity, and AZURE_CLIENT_ID for a user-assigned identity.
struct CloudCredentials {
  std::unique_ptr<identity::ManagedIdentity> identity;  // owns the sources below
  const base::AccessTokenSource* database = nullptr;
  const base::AccessTokenSource* redis = nullptr;
  const base::AccessTokenSource* storage = nullptr;
  const base::AccessTokenSource* monitor = nullptr;
};

// Reads the variables above and fetches the first token of every service that uses one, so a
// missing role or endpoint stops the command at start with the reason. Services not in `used`
// are not asked for.
base::Result<CloudCredentials> LoadCloudCredentials(const CloudServices& used);

}  // namespace vitrina::cli
