#include "vitrina/cli/config.hpp"

#include <thread>

#include "vitrina/base/env_reader.hpp"
#include "vitrina/cli/process_env.hpp"
#include "vitrina/http/core/client_address.hpp"

namespace vitrina::cli {

base::Result<Config> LoadConfig() {
  auto env = ProcessEnv();
  Config config;
  config.environment = env.Choice("VITRINA_ENV", "development", {"development", "production"});
  config.host = env.String("HOST", "127.0.0.1");
  config.port = static_cast<std::uint16_t>(env.Integer("PORT", 8080, 1, 65535));
  const auto cores = static_cast<std::int64_t>(std::max(1U, std::thread::hardware_concurrency()));
  config.threads = static_cast<int>(env.Integer("THREADS", cores, 1, 256));
  config.database_url = env.Url("DATABASE_URL", "postgresql://postgres@127.0.0.1:25400/vitrina",
                                {"postgresql://", "postgres://"});
  config.db_pool_size = static_cast<int>(env.Integer("DB_POOL_SIZE", 8, 1, 512));
  config.dataset_spec = env.String("DATASET_SPEC", "datasets/diamonds.yaml");
  config.migrations_dir = env.String("MIGRATIONS_DIR", "migrations");
  config.azure_storage_connection_string = env.OptionalString("AZURE_STORAGE_CONNECTION_STRING");
  config.azure_storage_ca_file = env.ReadableFile("AZURE_STORAGE_CA_FILE");
  config.log_level = env.Choice("LOG_LEVEL", "info", {"trace", "debug", "info", "warn", "error"});
  config.access_log_flush = std::chrono::seconds(env.Integer("ACCESS_LOG_FLUSH_SECONDS", 1, 0, 60));
  config.request_timeout_ms =
      static_cast<int>(env.Integer("REQUEST_TIMEOUT_MS", 10'000, 10, 600'000));
  config.body_limit_bytes = env.Integer("BODY_LIMIT_BYTES", std::int64_t{1024} * 1024, 1,
                                        std::int64_t{1024} * 1024 * 1024);
  config.shutdown_grace_ms = static_cast<int>(env.Integer("SHUTDOWN_GRACE_MS", 15'000, 0, 600'000));
  config.max_connections = static_cast<int>(env.Integer("MAX_CONNECTIONS", 10'000, 1, 1'000'000));
  config.docs_dir = env.String("DOCS_DIR", "tools/node/node_modules/swagger-ui-dist");
  config.console_dir = env.String("CONSOLE_DIR", "src/console");
  config.trusted_proxy_hops =
      static_cast<int>(env.Integer("TRUSTED_PROXY_HOPS", 0, 0, http::core::kMaxTrustedProxyHops));
  config.dev_admin_token = env.OptionalString("DEV_ADMIN_TOKEN");
  if (!env.problems().empty()) {
    std::string message = "invalid configuration:";
    for (const auto& problem : env.problems()) message += "\n  " + problem;
    return base::MakeError(base::ErrorCode::kInvalidArgument, message);
  }
  return config;
}

}  // namespace vitrina::cli
