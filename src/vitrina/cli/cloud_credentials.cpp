#include "vitrina/cli/cloud_credentials.hpp"

#include <string>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>

#include "vitrina/base/env_reader.hpp"
#include "vitrina/cli/process_env.hpp"

namespace vitrina::cli {
namespace {

struct ServiceAuth {
  const char* variable;
  const char* secret_choice;  // the default: the secret in the service's URL or string
  std::string_view resource;
  bool used;
  const base::AccessTokenSource* CloudCredentials::*source;
};

}  // namespace

base::Result<CloudCredentials> LoadCloudCredentials(const CloudServices& used) {
  const ServiceAuth services[] = {
      {"DATABASE_AUTH", "password", identity::kPostgresResource, used.database,
       &CloudCredentials::database},
      {"REDIS_AUTH", "key", identity::kRedisResource, used.redis, &CloudCredentials::redis},
      {"AZURE_STORAGE_AUTH", "key", identity::kStorageResource, used.storage,
       &CloudCredentials::storage},
      {"APPLICATIONINSIGHTS_AUTH", "key", identity::kMonitorResource, used.monitor,
       &CloudCredentials::monitor},
  };
  auto env = ProcessEnv();
  std::vector<const ServiceAuth*> wanted;
  for (const auto& service : services) {
    const auto choice = env.Choice(service.variable, service.secret_choice,
                                   {service.secret_choice, "managed-identity"});
    if (choice == "managed-identity" && service.used) wanted.push_back(&service);
  }
  auto settings = identity::ReadManagedIdentitySettings(env);
  if (!wanted.empty() && !settings && env.problems().empty()) {
    env.AddProblem(std::string(wanted.front()->variable) +
                   "=managed-identity needs IDENTITY_ENDPOINT and IDENTITY_HEADER (Azure Container "
                   "Apps sets them for an app with a managed identity)");
  }
  if (!env.problems().empty()) {
    std::string message = "invalid configuration:";
    for (const auto& problem : env.problems()) message += "\n  " + problem;
    return base::MakeError(base::ErrorCode::kInvalidArgument, message);
  }
  CloudCredentials credentials;
  if (wanted.empty()) return credentials;
  credentials.identity = std::make_unique<identity::ManagedIdentity>(std::move(*settings));
  for (const auto* service : wanted) {
    auto source = credentials.identity->Source(service->resource);
    if (!source.ok()) {
      return base::MakeError(base::ErrorCode::kUnavailable,
                             std::string(service->variable) + "=managed-identity: no token for " +
                                 std::string(service->resource) + ": " + source.error().detail);
    }
    credentials.*(service->source) = *source;
    spdlog::info("{}: managed identity token for {}", service->variable, service->resource);
  }
  return credentials;
}

}  // namespace vitrina::cli
