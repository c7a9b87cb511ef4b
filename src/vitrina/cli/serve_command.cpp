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
#include "vitrina/api/core/cache_control.hpp"
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
#include "vitrina/cache/write_invalidator.hpp"
#include "vitrina/catalog/pg_catalog_repository.hpp"
#include "vitrina/catalog/spec_file.hpp"
#include "vitrina/cli/buffered_stdout_sink.hpp"
#include "vitrina/cli/cloud_credentials.hpp"
#include "vitrina/cli/commands.hpp"
#include "vitrina/cli/config.hpp"
#include "vitrina/cli/exit_codes.hpp"
#include "vitrina/cli/process_env.hpp"
#include "vitrina/db/async_pool.hpp"
#include "vitrina/db/connection.hpp"
#include "vitrina/http/core/cors.hpp"
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
  // The text as the message, not through a "{}" format: it is complete already.
  access->log(record.status >= 500 ? spdlog::level::err : spdlog::level::info,
              spdlog::string_view_t(text));
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

http::ServerSettings ServerSettingsFrom(const Config& config) {
  http::ServerSettings settings;
  settings.host = config.host;
  settings.port = config.port;
  settings.threads = config.threads;
  settings.request_timeout = std::chrono::milliseconds(config.request_timeout_ms);
  settings.body_limit = static_cast<std::size_t>(config.body_limit_bytes);
  settings.shutdown_grace = std::chrono::milliseconds(config.shutdown_grace_ms);
  settings.max_connections = config.max_connections;
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

// `redis` (run on `redis_executor`) is the service's one Redis client; it must outlive the result.
base::Result<std::unique_ptr<Identity>> BuildIdentity(
    const auth::AuthSettings& settings, const Config& config,
    const base::AccessTokenSource* database_token, redis::RedisClient& redis,
    const boost::asio::any_io_executor& redis_executor) {
  auto identity = std::make_unique<Identity>();
  // Refuses the emulator in production: the service must not start then.
  auto verifier = auth::MakeTokenVerifier(settings.firebase);
  if (!verifier) return verifier.error();
  identity->verifier = std::move(*verifier);
  auto provider = auth::MakeIdentityProvider(settings.firebase);
  if (!provider) return provider.error();
  identity->provider = std::move(*provider);
  identity->directory = std::make_unique<auth::PgUserDirectory>(auth::PgUserDirectorySettings{
      .database_url = config.database_url, .pool_size = 4, .database_token = database_token});
  identity->status =
      std::make_unique<auth::core::UserStatusCache>(*identity->directory, settings.user_status);
  identity->limiter = std::make_unique<auth::RedisLoginRateLimiter>(redis, redis_executor,
                                                                    settings.login_rate_limit);
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

// What `serve` reads from the environment besides Config, checked all at once.
struct ServeSettings {
  cache::CacheConfig cache;
  std::optional<auth::AuthSettings> auth;  // set when Firebase is configured
  bool public_reads = true;
  bool emulator = false;
  telemetry::TelemetrySettings telemetry;
  bool metrics_enabled = true;
  std::string metrics_token;    // empty: /metrics is public (restrict it at the ingress)
  http::core::CorsPolicy cors;  // off unless CORS_ALLOWED_ORIGINS is set
  api::core::PublicReadCaching public_caching;
  api::CatalogStreamSettings streams;
};

// CORS_* (docs/api.md, "Browser pages on other origins"); a bad value is a start-up problem.
void ReadCors(base::EnvReader& env, ServeSettings& settings) {
  http::core::CorsSettings cors;
  cors.allowed_origins = env.OptionalString("CORS_ALLOWED_ORIGINS").value_or("");
  cors.allow_credentials = env.Boolean("CORS_ALLOW_CREDENTIALS", false);
  // Chromium keeps a preflight at most 2 h, Firefox 24 h.
  cors.max_age = std::chrono::seconds(env.Integer("CORS_MAX_AGE_SECONDS", 600, 0, 86'400));
  auto policy = http::core::CorsPolicy::Create(cors);
  if (policy) {
    settings.cors = std::move(*policy);
  } else {
    env.AddProblem(policy.error().message);
  }
}

base::Result<ServeSettings> ReadServeSettings() {
  auto env = ProcessEnv();
  ServeSettings settings;
  settings.cache = cache::ReadCacheConfig(env);
  // Firebase when it is configured (emulator host or project id); otherwise the development token.
  settings.emulator = env.OptionalString("FIREBASE_AUTH_EMULATOR_HOST").has_value();
  if (settings.emulator || env.OptionalString("FIREBASE_PROJECT_ID").has_value()) {
    settings.auth = auth::ReadAuthSettings(env);
    // One prefix for every key of the deployment (docs/cache.md, "Sharing a Redis").
    settings.auth->login_rate_limit.key_prefix = settings.cache.cache.key_prefix;
    settings.public_reads = env.Boolean("AUTH_PUBLIC_READS", false);
  }
  settings.telemetry = telemetry::ReadTelemetrySettings(env);
  settings.metrics_enabled = env.Boolean("METRICS_ENABLED", true);
  settings.metrics_token = env.OptionalString("METRICS_TOKEN").value_or("");
  ReadCors(env, settings);
  settings.streams.whole_max_bytes = static_cast<std::size_t>(env.Integer(
      "CATALOG_STREAM_AFTER_BYTES", std::int64_t{8} * 1024 * 1024, 0, std::int64_t{1} << 40));
  settings.streams.batch_rows =
      static_cast<std::size_t>(env.Integer("CATALOG_STREAM_BATCH_ROWS", 1000, 1, 1'000'000));
  settings.streams.max_streams = static_cast<int>(env.Integer("CATALOG_MAX_STREAMS", 4, 1, 4096));
  settings.public_caching.shared_max_age =
      std::chrono::seconds(env.Integer("CACHE_CONTROL_S_MAXAGE_SECONDS", 60, 0, 86'400));
  settings.public_caching.stale_while_revalidate = std::chrono::seconds(
      env.Integer("CACHE_CONTROL_STALE_WHILE_REVALIDATE_SECONDS", 30, 0, 86'400));
  if (!env.problems().empty()) {
    std::string message = "invalid configuration:";
    for (const auto& problem : env.problems()) message += "\n  " + problem;
    return base::MakeError(base::ErrorCode::kInvalidArgument, message);
  }
  return settings;
}

// The cache and everything that shares its event loop: the Redis client for work off the I/O
// threads (breaker probe, reload listener, login rate limits), the reload listener and the write
// invalidator. Requests use the Redis connections of their own I/O thread. The loop runs on a
// thread of its own so it can be stopped after the server's. Stop() is idempotent.
class CacheStack {
 public:
  CacheStack(const cache::CacheConfig& config, const Config& serve_config,
             const base::AccessTokenSource* database_token, const catalog::core::DatasetSpec& spec,
             http::Server& server, catalog::PgCatalogRepository& repository,
             telemetry::core::ServiceMetrics& metrics)
      : work_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {
    redis_ =
        redis::MakePerExecutorRedisClient(server.Executors(), io_.get_executor(), config.redis);
    cache_ = std::make_unique<cache::CatalogCache>(io_.get_executor(), *redis_, spec, config.cache);
    // Also runs with the cache off, for vitrina_etl_runs; it then leaves the outbox to the
    // instances that have a cache (their rows would otherwise be deleted unflushed).
    listener_ = std::make_unique<cache::CatalogReloadListener>(
        cache::CatalogReloadListenerSettings{
            .database_url = serve_config.database_url,
            .table = spec.table,
            .database_token = database_token,
            .drain_outbox = config.cache.enabled,
            .on_etl_runs =
                [&metrics](const cache::EtlRunCounts& counts) {
                  metrics.etl_runs.WithLabels({"running"}).Set(static_cast<double>(counts.running));
                  metrics.etl_runs.WithLabels({"succeeded"})
                      .Set(static_cast<double>(counts.succeeded));
                  metrics.etl_runs.WithLabels({"failed"}).Set(static_cast<double>(counts.failed));
                }},
        *cache_, io_.get_executor());
    invalidator_ = std::make_unique<cache::WriteInvalidator>(spec, *cache_, repository);
    listener_->Start();
    if (config.cache.enabled) cache_->Start();
  }
  ~CacheStack() { Stop(); }
  CacheStack(const CacheStack&) = delete;
  CacheStack& operator=(const CacheStack&) = delete;

  void Stop() {
    if (!thread_.joinable()) return;
    listener_->Stop();
    cache_->Stop();
    work_.reset();
    io_.stop();
    thread_.join();
  }

  redis::RedisClient& redis() { return *redis_; }
  boost::asio::any_io_executor executor() { return io_.get_executor(); }
  cache::CatalogCache& cache() { return *cache_; }
  cache::WriteInvalidator& invalidator() { return *invalidator_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
  std::unique_ptr<redis::RedisClient> redis_;
  std::unique_ptr<cache::CatalogCache> cache_;
  std::unique_ptr<cache::CatalogReloadListener> listener_;
  std::unique_ptr<cache::WriteInvalidator> invalidator_;
};

std::vector<api::ReadinessCheck> ReadinessChecks(catalog::PgCatalogRepository& repository,
                                                 cache::CatalogCache& catalog_cache,
                                                 bool cache_enabled) {
  std::vector<api::ReadinessCheck> checks{
      {"postgres", [&repository] { return repository.Ping(); }}};
  if (cache_enabled) {
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
  return checks;
}

// The gauges /metrics reads at scrape time.
void RefreshGauges(const db::AsyncPool& pool, telemetry::core::ServiceMetrics& metrics,
                   const cache::CatalogCache& catalog_cache, const api::CatalogStreams& streams) {
  const auto usage = pool.CurrentUsage();
  auto& connections = metrics.pool_connections;
  connections.WithLabels({"postgresql", "size"}).Set(usage.size);
  connections.WithLabels({"postgresql", "in_use"}).Set(usage.in_use);
  connections.WithLabels({"postgresql", "idle"}).Set(usage.size - usage.in_use);
  connections.WithLabels({"postgresql", "waiting"}).Set(usage.waiting);
  metrics.catalog_streams.WithLabels({"open"}).Set(streams.open_streams());
  metrics.catalog_streams.WithLabels({"max"}).Set(streams.settings().max_streams);
  const auto local = catalog_cache.LocalUsage();
  auto& copies = metrics.cache_local_copies;
  copies.WithLabels({"entries"}).Set(static_cast<double>(local.entries));
  copies.WithLabels({"bytes"}).Set(static_cast<double>(local.bytes));
  copies.WithLabels({"max_bytes"}).Set(static_cast<double>(local.max_bytes));
  copies.WithLabels({"files"}).Set(static_cast<double>(local.files));
  const auto counters = catalog_cache.Counters();
  auto& compression = metrics.cache_compression;
  compression.WithLabels({"compressions"}).Set(static_cast<double>(counters.compressions));
  compression.WithLabels({"variant_hits"}).Set(static_cast<double>(counters.variant_hits));
  compression.WithLabels({"variant_stores"}).Set(static_cast<double>(counters.variant_stores));
  compression.WithLabels({"variant_refused"}).Set(static_cast<double>(counters.variant_refused));
  compression.WithLabels({"recompressions"}).Set(static_cast<double>(counters.recompressions));
  metrics.cache_loads.WithLabels({"loads"}).Set(static_cast<double>(counters.loader_calls));
  metrics.cache_loads.WithLabels({"coalesced"}).Set(static_cast<double>(counters.coalesced));
}

void LogStartup(const Config& config, const ServeSettings& settings,
                const catalog::core::DatasetSpec& spec, const std::string& redis,
                bool telemetry_enabled) {
  spdlog::info("serving dataset '{}' (table '{}') from {}", spec.name, spec.table,
               db::RedactDatabaseUrl(config.database_url));
  if (settings.cache.cache.enabled) {
    spdlog::info("catalog cache on {} (TTL {} s)", redis, settings.cache.cache.ttl.count());
  } else {
    spdlog::info("catalog cache disabled: responses carry X-Cache: DISABLED");
  }
  if (settings.auth) {
    spdlog::info("authentication: Firebase ID tokens{}, catalog reads {}",
                 settings.emulator ? " (emulator)" : "",
                 settings.public_reads ? "public" : "need a token");
    if (redis == "none") spdlog::warn("login rate limiting is off: no Redis is configured");
  } else {
    spdlog::info("authentication: development token (FIREBASE_PROJECT_ID is not set)");
    if (!config.dev_admin_token) spdlog::info("DEV_ADMIN_TOKEN is not set: writes answer 401");
  }
  if (telemetry_enabled) {
    spdlog::info(
        "telemetry: Application Insights as ai.cloud.role '{}', {:.4g}% of operations sampled in "
        "(failures always), batches {}",
        settings.telemetry.cloud_role, settings.telemetry.sampling_percentage,
        settings.telemetry.gzip_level > 0
            ? "gzip level " + std::to_string(settings.telemetry.gzip_level)
            : std::string("uncompressed"));
  } else {
    spdlog::info("telemetry: off (APPLICATIONINSIGHTS_CONNECTION_STRING is not set)");
  }
  if (settings.cors.enabled()) {
    std::string origins;
    for (const auto& origin : settings.cors.origins()) {
      origins += (origins.empty() ? "" : ", ") + origin;
    }
    spdlog::info("CORS: pages on {} may call the API",
                 settings.cors.allows_any_origin() ? std::string("any origin") : origins);
  }
  if (settings.metrics_enabled) {
    spdlog::info(
        settings.metrics_token.empty()
            ? "metrics: GET /metrics (public: set METRICS_TOKEN or restrict it at the ingress)"
            : "metrics: GET /metrics with the METRICS_TOKEN bearer token");
  }
}

// Serves until SIGTERM/SIGINT; returns the process exit code. Members of the caller outlive it.
int ServeUntilStopped(http::Server& server, const http::core::Pipeline& pipeline,
                      CacheStack& cache_stack, db::AsyncPool& pool,
                      telemetry::Telemetry& telemetry) {
  telemetry.Start();
  pool.Warm();
  const http::ServerEvents events{[](std::string_view text) { spdlog::info("{}", text); },
                                  [](std::string_view text) { spdlog::error("{}", text); }};
  auto outcome = server.Run(pipeline, events);
  if (!outcome) {
    cache_stack.Stop();
    telemetry.Stop();
    return Fail(outcome.error());
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
  cache_stack.Stop();
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

int RunServe(bool print_sql) {
  auto config = LoadConfig();
  if (!config) return Fail(config.error());
  SetUpLogging(config->log_level, config->access_log_flush);
  auto spec = catalog::LoadSpecFile(config->dataset_spec);
  if (!spec) return Fail(spec.error());
  if (print_sql) {
    // For benchmarks and reviews: exactly the statements the server prepares.
    for (const auto& statement : catalog::CatalogPreparedStatements(*spec)) {
      std::printf("-- %s\n%s;\n", statement.name.c_str(), statement.sql.c_str());
    }
    return 0;
  }
  auto settings = ReadServeSettings();
  if (!settings) return Fail(settings.error());
  // Declared before everything that holds its token sources, so it outlives them.
  auto credentials =
      LoadCloudCredentials({.database = true,
                            .redis = settings->cache.cache.enabled,
                            .storage = false,
                            .monitor = settings->telemetry.connection_string.has_value()});
  if (!credentials) return Fail(credentials.error());
  settings->telemetry.bearer = credentials->monitor;
  settings->cache.redis.token = credentials->redis;
  // Without a connection string this is a no-op; a malformed one stops start-up.
  auto created_telemetry = telemetry::Telemetry::Create(settings->telemetry);
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

  http::Server server(ServerSettingsFrom(*config));
  db::AsyncPool pool(
      server.Executors(),
      db::PoolSettings{.url = config->database_url,
                       .size = config->db_pool_size,
                       .timeout = std::chrono::milliseconds(config->request_timeout_ms),
                       .statements = catalog::CatalogPreparedStatements(*spec),
                       .password_token = credentials->database});
  catalog::PgCatalogRepository repository(*spec, pool);
  CacheStack cache_stack(settings->cache, *config, credentials->database, *spec, server, repository,
                         metrics);
  std::unique_ptr<Identity> identity;
  if (settings->auth) {
    auto built = BuildIdentity(*settings->auth, *config, credentials->database, cache_stack.redis(),
                               cache_stack.executor());
    if (!built) return Fail(built.error());
    identity = std::move(*built);
  }
  http::core::DevTokenAuthenticator dev_authenticator(config->dev_admin_token);
  http::core::Authenticator& authenticator =
      identity ? static_cast<http::core::Authenticator&>(*identity->authenticator)
               : dev_authenticator;

  auto& catalog_cache = cache_stack.cache();
  api::HealthHandlers health(
      ReadinessChecks(repository, catalog_cache, settings->cache.cache.enabled));
  api::DocsHandlers docs(api::core::BuildOpenApiJson(*spec), config->docs_dir);
  if (!docs.has_assets()) {
    spdlog::warn("Swagger UI files not found in DOCS_DIR='{}': /docs is unavailable",
                 config->docs_dir);
  }
  api::ConsoleHandlers console(config->console_dir);
  if (!console.installed()) {
    spdlog::warn("web console not found in CONSOLE_DIR='{}': / is unavailable",
                 config->console_dir);
  }
  api::CatalogStreams streams(repository, settings->streams);
  api::CatalogHandlers catalog(*spec, repository, repository, {&cache_stack.invalidator()},
                               &catalog_cache, config->trusted_proxy_hops, &streams);
  api::RequestObservability observability(metrics, telemetry,
                                          {.postgresql = db::DatabaseTarget(config->database_url),
                                           .redis = cache_stack.redis().Describe()});
  api::MetricsHandlers metrics_handlers(
      registry,
      [&pool, &metrics, &catalog_cache, &streams] {
        RefreshGauges(pool, metrics, catalog_cache, streams);
      },
      settings->metrics_token);
  const api::core::CachePolicy cache_policy(settings->public_reads, settings->public_caching);
  std::vector<http::core::Middleware> middleware{observability.Middleware(),
                                                 http::core::RequestLogging(WriteAccessLine),
                                                 api::core::CacheControl(cache_policy)};
  // Off: not in the chain at all, so an answer costs nothing for it.
  if (settings->cors.enabled()) middleware.push_back(http::core::Cors(settings->cors));
  middleware.push_back(http::core::RecoverFromExceptions());
  middleware.push_back(http::core::RequireAccess(authenticator));
  const http::core::Pipeline pipeline(
      api::BuildRoutes({.health = health,
                        .docs = docs,
                        .console = console,
                        .catalog = catalog,
                        .auth = identity ? identity->auth_handlers.get() : nullptr,
                        .users = identity ? identity->users_handlers.get() : nullptr,
                        .public_reads = settings->public_reads,
                        .metrics = settings->metrics_enabled ? &metrics_handlers : nullptr}),
      std::move(middleware));
  LogStartup(*config, *settings, *spec, cache_stack.redis().Describe(), telemetry.enabled());
  return ServeUntilStopped(server, pipeline, cache_stack, pool, telemetry);
}

}  // namespace

void AddServeCommand(CLI::App& app, CommandContext& context) {
  auto* command = app.add_subcommand("serve", "Serve the catalog HTTP API (configured by env)");
  auto print_sql = std::make_shared<bool>(false);
  command->add_flag("--print-sql", *print_sql, "Print the named SQL statements and exit");
  command->callback([&context, print_sql] { context.exit_code = RunServe(*print_sql); });
}

}  // namespace vitrina::cli
