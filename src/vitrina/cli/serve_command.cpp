// `vitrina serve`: the composition root of the HTTP API. Only this file knows the configuration;
// components get plain settings structs and references to what they use.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "vitrina/api/auth_handlers.hpp"
#include "vitrina/api/catalog_handlers.hpp"
#include "vitrina/api/core/openapi.hpp"
#include "vitrina/api/docs_handlers.hpp"
#include "vitrina/api/health_handlers.hpp"
#include "vitrina/api/observability.hpp"
#include "vitrina/api/routes.hpp"
#include "vitrina/api/users_handlers.hpp"
#include "vitrina/auth/auth_settings.hpp"
#include "vitrina/auth/firebase_authenticator.hpp"
#include "vitrina/auth/firebase_identity_client.hpp"
#include "vitrina/auth/pg_user_directory.hpp"
#include "vitrina/auth/redis_login_rate_limiter.hpp"
#include "vitrina/auth/token_verifier_factory.hpp"
#include "vitrina/base/env_reader.hpp"
#include "vitrina/cache/cache_settings.hpp"
#include "vitrina/cache/catalog_cache.hpp"
#include "vitrina/cache/catalog_reload_listener.hpp"
#include "vitrina/catalog/pg_catalog_repository.hpp"
#include "vitrina/catalog/spec_file.hpp"
#include "vitrina/cli/buffered_stdout_sink.hpp"
#include "vitrina/cli/commands.hpp"
#include "vitrina/cli/config.hpp"
#include "vitrina/cli/exit_codes.hpp"
#include "vitrina/db/async_pool.hpp"
#include "vitrina/db/connection.hpp"
#include "vitrina/http/core/dev_token_authenticator.hpp"
#include "vitrina/http/core/middleware.hpp"
#include "vitrina/http/server.hpp"
#include "vitrina/redis/client.hpp"
#include "vitrina/telemetry/core/access_log_line.hpp"
#include "vitrina/telemetry/core/metrics.hpp"
#include "vitrina/telemetry/core/metrics_catalog.hpp"
#include "vitrina/telemetry/telemetry.hpp"
#include "vitrina/telemetry/telemetry_settings.hpp"

namespace vitrina::cli {
namespace {

// One JSON object per line, so log shippers need no parsing rules.
void WriteAccessLine(const http::core::AccessRecord& record) {
  static const auto access = spdlog::get("access");
  const auto text = telemetry::core::FormatAccessLogFields(
      {.request_id = record.request_id,
       .method = record.method,
       .route = record.route,
       .path = record.path,
       .status = record.status,
       .duration = std::chrono::microseconds(std::llround(record.duration_ms * 1000)),
       .bytes = record.response_bytes,
       .cache = record.cache,
       .trace_id = record.trace_id,
       .error_code = record.error_code,
       .error_detail = record.error_detail});
  if (record.status >= 500) {
    access->error("{}", text);
  } else {
    access->info("{}", text);
  }
}

// `flush_interval` 0: every access line is written at once; otherwise they are written in blocks
// at least that often (BufferedStdoutSink).
void SetUpLogging(const std::string& level, std::chrono::seconds flush_interval) {
  spdlog::set_level(spdlog::level::from_str(level));
  // A sink of its own: a pattern set on a shared sink would reformat every other logger too.
  spdlog::sink_ptr sink;
  if (flush_interval.count() > 0) {
    sink = std::make_shared<BufferedStdoutSink>();
  } else {
    sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  }
  auto access = std::make_shared<spdlog::logger>("access", std::move(sink));
  access->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l",%v)");
  access->set_level(spdlog::get_level());
  access->flush_on(spdlog::level::err);
  spdlog::register_logger(access);
  if (flush_interval.count() > 0) spdlog::flush_every(flush_interval);
}

void FlushAccessLog() {
  if (const auto access = spdlog::get("access")) access->flush();
}

// Stands in for Redis when neither REDIS_URL nor REDIS_CLUSTER_NODES is set (cache disabled).
class NoRedis final : public redis::RedisClient {
 public:
  boost::asio::awaitable<base::Result<redis::RedisReply>> Command(redis::RedisArgs) override {
    co_return base::MakeError(base::ErrorCode::kUnavailable, "Redis is not configured");
  }
  std::string Describe() const override { return "none"; }
};

// Runs after a write committed and before its response: drops every cached answer it affects,
// then deletes the write's cache_outbox row. When Redis could not confirm, the row stays and the
// CatalogReloadListener of every instance flushes the cache once Redis answers
// (cache/invalidation_outbox.hpp).
class CacheInvalidator final : public catalog::CatalogWriteListener {
 public:
  CacheInvalidator(const catalog::core::DatasetSpec& spec, cache::CatalogCache& cache,
                   catalog::PgCatalogRepository& repository)
      : spec_(spec), cache_(cache), repository_(repository) {}

  boost::asio::awaitable<void> OnWriteCommitted(const catalog::WriteOutcome& outcome) override {
    std::vector<cache::core::ItemValues> versions;
    for (const auto* stored : {&outcome.old_item, &outcome.new_item}) {
      if (!*stored) continue;
      cache::core::ItemValues values;
      const auto& item = (*stored)->item;
      for (std::size_t i = 0; i < item.values.size() && i < spec_.columns.size(); ++i) {
        values.emplace(spec_.columns[i].name, item.values[i]);
      }
      versions.push_back(std::move(values));
    }
    const auto status = co_await cache_.InvalidateForWrite(std::move(versions));
    if (!status) {
      spdlog::warn("cache invalidation failed, outbox row {} kept: {}",
                   outcome.outbox_id.value_or(0), status.error().message);
      co_return;
    }
    if (!outcome.outbox_id) co_return;
    // Best effort: a row left behind costs one cache flush, never a stale answer.
    const auto deleted = co_await repository_.DeleteOutboxRow(*outcome.outbox_id);
    if (!deleted) {
      spdlog::warn("cache outbox row {} not deleted: {}", *outcome.outbox_id,
                   deleted.error().message);
    }
  }

 private:
  const catalog::core::DatasetSpec& spec_;
  cache::CatalogCache& cache_;
  catalog::PgCatalogRepository& repository_;
};

http::ServerSettings ServerSettingsFrom(const Config& config) {
  http::ServerSettings settings;
  settings.host = config.host;
  settings.port = config.port;
  settings.threads = config.threads;
  settings.request_timeout = std::chrono::milliseconds(config.request_timeout_ms);
  settings.body_limit = static_cast<std::size_t>(config.body_limit_bytes);
  settings.shutdown_grace = std::chrono::milliseconds(config.shutdown_grace_ms);
  return settings;
}

// Firebase identity: token verification, the users table, sign-up and login. Members are declared
// in dependency order; the thread pool for blocking calls comes last, so it is joined first.
struct Identity {
  std::unique_ptr<auth::core::TokenVerifier> verifier;
  std::unique_ptr<auth::core::IdentityProvider> provider;
  std::unique_ptr<auth::PgUserDirectory> directory;
  std::unique_ptr<auth::core::UserStatusCache> status;
  std::unique_ptr<auth::RedisLoginRateLimiter> limiter;
  std::unique_ptr<auth::core::SignupService> signup;
  std::unique_ptr<auth::core::LoginService> login;
  boost::asio::thread_pool blocking{4};
  std::unique_ptr<auth::FirebaseAuthenticator> authenticator;
  std::unique_ptr<api::AuthHandlers> auth_handlers;
  std::unique_ptr<api::UsersHandlers> users_handlers;
};

base::Result<std::unique_ptr<Identity>> BuildIdentity(const auth::AuthSettings& settings,
                                                      const Config& config) {
  auto identity = std::make_unique<Identity>();
  // Refuses the emulator in production: the service must not start then.
  auto verifier = auth::MakeTokenVerifier(settings.firebase);
  if (!verifier) return verifier.error();
  identity->verifier = std::move(*verifier);
  auto provider = auth::MakeIdentityProvider(settings.firebase);
  if (!provider) return provider.error();
  identity->provider = std::move(*provider);
  identity->directory = std::make_unique<auth::PgUserDirectory>(
      auth::PgUserDirectorySettings{.database_url = config.database_url, .pool_size = 4});
  identity->status =
      std::make_unique<auth::core::UserStatusCache>(*identity->directory, settings.user_status);
  identity->limiter = std::make_unique<auth::RedisLoginRateLimiter>(settings.login_rate_limit);
  identity->signup =
      std::make_unique<auth::core::SignupService>(*identity->provider, *identity->directory);
  identity->login = std::make_unique<auth::core::LoginService>(
      *identity->provider, *identity->directory, *identity->limiter);
  identity->authenticator = std::make_unique<auth::FirebaseAuthenticator>(
      *identity->verifier, *identity->status, identity->blocking);
  identity->auth_handlers = std::make_unique<api::AuthHandlers>(
      *identity->signup, *identity->login, identity->blocking, config.trusted_proxy_hops);
  identity->users_handlers = std::make_unique<api::UsersHandlers>(
      *identity->directory, *identity->status, identity->blocking);
  return identity;
}

int RunServe(bool print_sql) {
  auto config = LoadConfig();
  if (!config) {
    spdlog::error("{}", config.error().message);
    return ExitCodeFor(config.error().code);
  }
  SetUpLogging(config->log_level, config->access_log_flush);
  auto spec = catalog::LoadSpecFile(config->dataset_spec);
  if (!spec) {
    spdlog::error("{}", spec.error().message);
    return ExitCodeFor(spec.error().code);
  }
  if (print_sql) {
    // For benchmarks and reviews: exactly the statements the server prepares.
    for (const auto& statement : catalog::CatalogPreparedStatements(*spec)) {
      std::printf("-- %s\n%s;\n", statement.name.c_str(), statement.sql.c_str());
    }
    return 0;
  }

  // Firebase when it is configured (emulator host or project id); otherwise the development token.
  auto env = base::EnvReader::FromProcess();
  const auto cache_config = cache::ReadCacheConfig(env);
  const bool firebase = env.OptionalString("FIREBASE_AUTH_EMULATOR_HOST").has_value() ||
                        env.OptionalString("FIREBASE_PROJECT_ID").has_value();
  std::unique_ptr<Identity> identity;
  bool public_reads = true;
  std::optional<auth::AuthSettings> auth_settings;
  if (firebase) {
    auth_settings = auth::ReadAuthSettings(env);
    public_reads = env.Boolean("AUTH_PUBLIC_READS", false);
  }
  const auto telemetry_settings = telemetry::ReadTelemetrySettings(env);
  const bool metrics_enabled = env.Boolean("METRICS_ENABLED", true);
  if (!env.problems().empty()) {
    std::string message = "invalid configuration:";
    for (const auto& problem : env.problems()) message += "\n  " + problem;
    spdlog::error("{}", message);
    return ExitCodeFor(base::ErrorCode::kInvalidArgument);
  }
  // Without a connection string this is a no-op; a malformed one stops start-up.
  auto created_telemetry = telemetry::Telemetry::Create(telemetry_settings);
  if (!created_telemetry) {
    spdlog::error("APPLICATIONINSIGHTS_CONNECTION_STRING: {}", created_telemetry.error().message);
    return ExitCodeFor(created_telemetry.error().code);
  }
  telemetry::Telemetry& telemetry = **created_telemetry;
  telemetry::core::MetricsRegistry registry;
  telemetry::core::ServiceMetrics metrics(registry);
  telemetry.RegisterMetrics(registry);
  telemetry.ExportCounterDelta("Cache hits", metrics.cache_results.WithLabels({"hit"}));
  telemetry.ExportCounterDelta("Cache misses", metrics.cache_results.WithLabels({"miss"}));
  telemetry.ExportCounterDelta("Cache bypasses", metrics.cache_results.WithLabels({"bypass"}));

  if (auth_settings) {
    auto built = BuildIdentity(*auth_settings, *config);
    if (!built) {
      spdlog::error("{}", built.error().message);
      return ExitCodeFor(built.error().code);
    }
    identity = std::move(*built);
  }

  http::Server server(ServerSettingsFrom(*config));
  db::AsyncPool pool(
      server.Executors(),
      db::PoolSettings{.url = config->database_url,
                       .size = config->db_pool_size,
                       .timeout = std::chrono::milliseconds(config->request_timeout_ms),
                       .statements = catalog::CatalogPreparedStatements(*spec)});
  catalog::PgCatalogRepository repository(*spec, pool);
  http::core::DevTokenAuthenticator dev_authenticator(config->dev_admin_token);
  http::core::Authenticator& authenticator =
      identity ? static_cast<http::core::Authenticator&>(*identity->authenticator)
               : dev_authenticator;

  // The cache's background work (breaker probe, reload listener) and the Redis connections it uses
  // run on their own event loop, so they can be stopped after the server's. Requests use the
  // connections of their own I/O thread.
  boost::asio::io_context cache_io;
  auto cache_work = boost::asio::make_work_guard(cache_io);
  std::thread cache_thread([&cache_io] { cache_io.run(); });
  std::unique_ptr<redis::RedisClient> redis;
  if (cache_config.redis.nodes.empty()) {
    redis = std::make_unique<NoRedis>();
  } else {
    redis = redis::MakePerExecutorRedisClient(server.Executors(), cache_io.get_executor(),
                                              cache_config.redis);
  }
  cache::CatalogCache catalog_cache(cache_io.get_executor(), *redis, *spec, cache_config.cache);
  // Also runs with the cache off, for vitrina_etl_runs; it then leaves the outbox to the
  // instances that have a cache (their rows would otherwise be deleted unflushed).
  cache::CatalogReloadListener reload_listener(
      {.database_url = config->database_url,
       .drain_outbox = cache_config.cache.enabled,
       .on_etl_runs =
           [&metrics](const cache::EtlRunCounts& counts) {
             metrics.etl_runs.WithLabels({"running"}).Set(static_cast<double>(counts.running));
             metrics.etl_runs.WithLabels({"succeeded"}).Set(static_cast<double>(counts.succeeded));
             metrics.etl_runs.WithLabels({"failed"}).Set(static_cast<double>(counts.failed));
           }},
      catalog_cache, cache_io.get_executor());
  CacheInvalidator invalidator(*spec, catalog_cache, repository);
  reload_listener.Start();
  if (cache_config.cache.enabled) {
    catalog_cache.Start();
    spdlog::info("catalog cache on {} (TTL {} s)", redis->Describe(),
                 cache_config.cache.ttl.count());
  } else {
    spdlog::info("catalog cache disabled: responses carry X-Cache: DISABLED");
  }

  std::vector<api::ReadinessCheck> checks{
      {"postgres", [&repository] { return repository.Ping(); }}};
  if (cache_config.cache.enabled) {
    // Reported, never required: without Redis the API still serves (X-Cache: BYPASS).
    checks.push_back({.name = "redis",
                      .probe = [&catalog_cache]() -> boost::asio::awaitable<base::Status> {
                        const auto health = catalog_cache.Health();
                        if (health.usable) co_return base::OkStatus();
                        co_return base::MakeError(base::ErrorCode::kUnavailable, "cache not usable",
                                                  "breaker " + health.breaker);
                      },
                      .required = false});
  }
  api::HealthHandlers health(std::move(checks));
  api::DocsHandlers docs(api::core::BuildOpenApiJson(*spec), config->docs_dir);
  if (!docs.has_assets()) {
    spdlog::warn("Swagger UI files not found in DOCS_DIR='{}': /docs is unavailable",
                 config->docs_dir);
  }
  api::CatalogHandlers catalog(*spec, repository, repository, {&invalidator}, &catalog_cache);
  api::RequestObservability observability(
      metrics, telemetry,
      {.postgresql = db::DatabaseTarget(config->database_url), .redis = redis->Describe()});
  api::MetricsHandlers metrics_handlers(registry, [&pool, &metrics, &catalog_cache] {
    const auto usage = pool.CurrentUsage();
    auto& connections = metrics.pool_connections;
    connections.WithLabels({"postgresql", "size"}).Set(usage.size);
    connections.WithLabels({"postgresql", "in_use"}).Set(usage.in_use);
    connections.WithLabels({"postgresql", "idle"}).Set(usage.size - usage.in_use);
    connections.WithLabels({"postgresql", "waiting"}).Set(usage.waiting);
    const auto local = catalog_cache.LocalUsage();
    auto& copies = metrics.cache_local_copies;
    copies.WithLabels({"entries"}).Set(static_cast<double>(local.entries));
    copies.WithLabels({"bytes"}).Set(static_cast<double>(local.bytes));
    copies.WithLabels({"max_bytes"}).Set(static_cast<double>(local.max_bytes));
    copies.WithLabels({"files"}).Set(static_cast<double>(local.files));
  });
  const http::core::Pipeline pipeline(
      api::BuildRoutes({.health = health,
                        .docs = docs,
                        .catalog = catalog,
                        .auth = identity ? identity->auth_handlers.get() : nullptr,
                        .users = identity ? identity->users_handlers.get() : nullptr,
                        .public_reads = public_reads,
                        .metrics = metrics_enabled ? &metrics_handlers : nullptr}),
      {observability.Middleware(), http::core::RequestLogging(WriteAccessLine),
       http::core::RecoverFromExceptions(), http::core::RequireAccess(authenticator)});

  spdlog::info("serving dataset '{}' (table '{}') from {}", spec->name, spec->table,
               db::RedactDatabaseUrl(config->database_url));
  if (identity) {
    spdlog::info("authentication: Firebase ID tokens{}, catalog reads {}",
                 env.OptionalString("FIREBASE_AUTH_EMULATOR_HOST") ? " (emulator)" : "",
                 public_reads ? "public" : "need a token");
  } else {
    spdlog::info("authentication: development token (FIREBASE_PROJECT_ID is not set)");
    if (!config->dev_admin_token) spdlog::info("DEV_ADMIN_TOKEN is not set: writes answer 401");
  }
  if (telemetry.enabled()) {
    spdlog::info("telemetry: Application Insights as ai.cloud.role '{}'",
                 telemetry_settings.cloud_role);
  } else {
    spdlog::info("telemetry: off (APPLICATIONINSIGHTS_CONNECTION_STRING is not set)");
  }
  if (metrics_enabled) spdlog::info("metrics: GET /metrics (public: restrict it at the ingress)");
  telemetry.Start();
  pool.Warm();
  const http::ServerEvents events{[](std::string_view text) { spdlog::info("{}", text); },
                                  [](std::string_view text) { spdlog::error("{}", text); }};
  auto outcome = server.Run(pipeline, events);
  const auto stop_cache = [&] {
    reload_listener.Stop();
    catalog_cache.Stop();
    cache_work.reset();
    cache_io.stop();
    cache_thread.join();
  };
  if (!outcome) {
    stop_cache();
    telemetry.Stop();
    spdlog::error("{}", outcome.error().message);
    return ExitCodeFor(outcome.error().code);
  }
  if (*outcome == http::ShutdownOutcome::kForced) {
    // Requests are still suspended inside the stopped event loops; unwinding them now would race
    // with the pool they hold. Leave without running destructors.
    spdlog::error("forced shutdown: requests were still running after SHUTDOWN_GRACE_MS");
    telemetry.Stop();  // its threads are its own: what was tracked is still flushed
    FlushAccessLog();
    spdlog::shutdown();
    std::_Exit(1);
  }
  stop_cache();
  pool.Close();
  // After the server drained: sends the last metric interval and flushes the queue.
  telemetry.Stop();
  const auto sent = telemetry.stats();
  if (telemetry.enabled()) {
    spdlog::info("telemetry: {} items sent, {} dropped", sent.sent, sent.dropped());
  }
  FlushAccessLog();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app, CommandContext& context) {
  auto* command = app.add_subcommand("serve", "Serve the catalog HTTP API (configured by env)");
  auto print_sql = std::make_shared<bool>(false);
  command->add_flag("--print-sql", *print_sql, "Print the named SQL statements and exit");
  command->callback([&context, print_sql] { context.exit_code = RunServe(*print_sql); });
}

}  // namespace vitrina::cli
