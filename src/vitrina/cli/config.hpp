#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "vitrina/base/result.hpp"

namespace vitrina::cli {

// Every setting of the service, read from the environment once at start-up (documented with its
// default in .env.example). Only the composition root sees this struct; components receive plain
// settings structs built from it.
struct Config {
  std::string environment;  // development | production
  std::string host;
  std::uint16_t port = 8080;
  int threads = 2;
  std::string database_url;
  int db_pool_size = 8;
  std::string dataset_spec;
  std::string migrations_dir;
  std::optional<std::string> azure_storage_connection_string;
  std::string azure_storage_ca_file;  // trusted CAs (PEM) for Blob Storage; "": the system's store
  std::string log_level;
  // Access-log lines are written in blocks at least this often; 0: each line at once.
  std::chrono::seconds access_log_flush{1};

  // HTTP server (vitrina serve).
  int request_timeout_ms = 10'000;
  std::int64_t body_limit_bytes = std::int64_t{1024} * 1024;
  int shutdown_grace_ms = 15'000;
  int max_connections = 10'000;
  std::string docs_dir;     // swagger-ui-dist, for /docs
  std::string console_dir;  // the web console's files (src/console), for / and /console/
  // Our proxies in front of the service that append to X-Forwarded-For (Azure Container Apps
  // ingress: 1); 0 ignores the header. Decides the client address of per-address limits.
  int trusted_proxy_hops = 0;
  std::optional<std::string> dev_admin_token;  // until identity lands: the admin bearer token
};

// Reads and validates the environment; a malformed value is an error naming the variable and
// what is wrong with it (all problems at once, one per line).
base::Result<Config> LoadConfig();

}  // namespace vitrina::cli
