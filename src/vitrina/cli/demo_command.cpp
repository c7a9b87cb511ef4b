// `vitrina demo cache`: the brief's cache verification flow against a running server, as a table.
// The requests are made here (HTTP through http::SendHttp, Redis through redis::RedisClient);
// expectations and the table are cache/core/cache_demo.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include "vitrina/cache/cache_settings.hpp"
#include "vitrina/cache/core/cache_demo.hpp"
#include "vitrina/cli/commands.hpp"
#include "vitrina/http/client.hpp"
#include "vitrina/redis/client.hpp"
#include "vitrina/redis/settings.hpp"

namespace vitrina::cli {
namespace {

struct DemoOptions {
  std::string url = "http://127.0.0.1:8080";
  std::string redis_url;  // default REDIS_URL (or REDIS_CLUSTER_NODES)
  std::string token;      // default DEV_ADMIN_TOKEN when no email is given
  std::string email;      // default DEMO_ADMIN_EMAIL
  std::string password;   // default DEMO_ADMIN_PASSWORD
};

std::string EnvOr(const char* name, const std::string& fallback = {}) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

struct Exchange {
  cache::core::DemoStep step;
  std::string body;
};

class DemoClient {
 public:
  explicit DemoClient(std::string base_url) : base_url_(std::move(base_url)) {
    while (!base_url_.empty() && base_url_.back() == '/') {
      base_url_.pop_back();
    }
  }
  void SetToken(std::string token) { token_ = std::move(token); }

  Exchange Send(std::string name, const std::string& method, const std::string& target,
                const std::string& body = {}) {
    http::ClientRequest request;
    request.method = method;
    request.url = base_url_ + target;
    request.body = body;
    request.timeout = std::chrono::seconds(30);
    request.max_response_bytes = std::size_t{1} << 30;
    if (!token_.empty()) {
      request.headers.emplace_back("Authorization", "Bearer " + token_);
    }
    if (!body.empty()) {
      request.headers.emplace_back("Content-Type", "application/json");
    }
    Exchange exchange;
    exchange.step.name = std::move(name);
    exchange.step.request = method + " " + target;
    const auto start = std::chrono::steady_clock::now();
    auto response = http::SendHttp(request);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (!response) {
      exchange.step.note =
          response.error().detail.empty() ? response.error().message : response.error().detail;
      return exchange;
    }
    exchange.step.status = static_cast<int>(response->status);
    exchange.step.x_cache = response->Header("x-cache");
    exchange.step.time_ms = std::chrono::duration<double, std::milli>(elapsed).count();
    exchange.body = std::move(response->body);
    return exchange;
  }

 private:
  std::string base_url_;
  std::string token_;
};

// The server's own Redis settings (REDIS_TLS_* included), with --redis-url in place of REDIS_URL.
base::Result<redis::RedisSettings> RedisSettingsFor(const std::string& redis_url) {
  base::EnvReader env([&redis_url](std::string_view name) -> std::optional<std::string> {
    if (!redis_url.empty() && name == "REDIS_CLUSTER_NODES") return std::nullopt;
    if (!redis_url.empty() && name == "REDIS_URL") return redis_url;
    if (const char* value = std::getenv(std::string(name).c_str())) return std::string(value);
    return std::nullopt;
  });
  auto settings = redis::ReadRedisSettings(env);
  if (!env.problems().empty()) {
    return base::MakeError(base::ErrorCode::kInvalidArgument, env.problems().front());
  }
  if (settings.nodes.empty()) {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           "no Redis to check: pass --redis-url or set REDIS_URL");
  }
  settings.command_timeout = std::chrono::seconds(2);
  return settings;
}

// How long the server sends a confirmed copy without asking Redis, read from the same
// environment as the server's (like its Redis settings).
std::chrono::milliseconds ServerLease() {
  auto env = base::EnvReader::FromProcess();
  return cache::ReadLocalLease(env);
}

// One Redis command through the same client the server uses (a cluster is routed by slot), as a
// step of the table: the integer reply in `rows`, or what went wrong in `note`.
cache::core::DemoStep RedisStep(const redis::RedisSettings& settings, redis::RedisArgs args) {
  cache::core::DemoStep step;
  step.name = args.at(0);
  for (const auto& arg : args) {
    if (!step.request.empty()) step.request += ' ';
    step.request += arg;
  }
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::thread thread([&io] { io.run(); });
  {
    auto redis = redis::MakeRedisClient(io.get_executor(), settings);
    const auto start = std::chrono::steady_clock::now();
    // co_spawn needs a default-constructible result, which Result is not: hand it out by reference.
    std::optional<base::Result<redis::RedisReply>> reply;
    boost::asio::co_spawn(
        io,
        [&redis, &reply, args]() -> boost::asio::awaitable<void> {
          reply.emplace(co_await redis->Command(args));
        },
        boost::asio::use_future)
        .get();
    step.time_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!*reply) {
      step.note = "Redis: " + reply->error().message;
    } else if ((*reply)->type != redis::RedisReply::Type::kInteger) {
      step.note = "Redis answered " + (*reply)->text;
    } else {
      step.rows = (*reply)->integer;
    }
    work.reset();
    io.stop();
    thread.join();
  }
  return step;
}

int RunDemoCache(DemoOptions options) {
  if (options.redis_url.empty()) {
    options.redis_url = EnvOr("REDIS_URL");
  }
  if (options.email.empty()) {
    options.email = EnvOr("DEMO_ADMIN_EMAIL");
  }
  if (options.password.empty()) {
    options.password = EnvOr("DEMO_ADMIN_PASSWORD");
  }
  if (options.token.empty() && options.email.empty()) {
    options.token = EnvOr("DEV_ADMIN_TOKEN");
  }
  const auto redis = RedisSettingsFor(options.redis_url);
  if (!redis) {
    std::fprintf(stderr, "vitrina demo cache: %s\n", redis.error().message.c_str());
    return 2;
  }
  if (options.token.empty() && (options.email.empty() || options.password.empty())) {
    std::fprintf(stderr,
                 "vitrina demo cache: no admin credentials: pass --token or --email/--password "
                 "(or set DEMO_ADMIN_EMAIL/DEMO_ADMIN_PASSWORD, or DEV_ADMIN_TOKEN)\n");
    return 2;
  }

  DemoClient client(options.url);
  client.SetToken(options.token);  // replaced by the login's token when logging in
  std::vector<cache::core::DemoStep> steps;
  const auto report = [&steps]() {
    std::printf("%s", cache::core::FormatDemoTable(steps).c_str());
    const auto failures = cache::core::DemoFailures(steps);
    if (failures.empty()) {
      std::printf("\nall expectations met\n");
      return 0;
    }
    std::printf("\n%zu expectation(s) failed:\n", failures.size());
    for (const auto& failure : failures) {
      std::printf("  - %s\n", failure.c_str());
    }
    return 1;
  };

  if (options.token.empty()) {
    const std::string credentials = boost::json::serialize(
        boost::json::object{{"email", options.email}, {"password", options.password}});
    auto login = client.Send("login", "POST", "/login", credentials);
    login.step.x_cache.clear();
    login.step.note = "as " + options.email;
    cache::core::CheckDemoStep(login.step, {.status = 200, .x_cache = {}, .rows = std::nullopt});
    boost::system::error_code error;
    const auto json = boost::json::parse(login.body, error);
    const auto* token =
        !error && json.is_object() ? json.as_object().if_contains("access_token") : nullptr;
    if (token == nullptr || !token->is_string()) {
      if (login.step.failures.empty()) {
        login.step.failures.push_back("no access_token in answer");
      }
      steps.push_back(std::move(login.step));
      return report();
    }
    client.SetToken(std::string(token->as_string()));
    steps.push_back(std::move(login.step));
  }
  // Opens the connection, so the first timed request does not pay for it.
  (void)client.Send("warm-up", "GET", "/healthz");

  const std::string fair = "/catalog?cut=Fair";
  const std::string ideal = "/catalog?cut=Ideal";
  // The flow starts with a miss, whatever was asked before (a curl, an earlier demo).
  auto cold = RedisStep(*redis, {"DEL", "catalog:cut=Fair"});
  cold.name = "0 Redis";
  if (cold.rows) {
    cold.note = "start cold";
  } else {
    cold.failures.push_back("could not delete the key");
  }
  steps.push_back(cold);
  if (!cold.rows) return report();
  // A DEL is no invalidation: the server may send a copy it confirmed less than a lease ago.
  std::this_thread::sleep_for(ServerLease() + std::chrono::milliseconds(10));

  auto miss = client.Send("1 GET (cold)", "GET", fair);
  miss.step.rows = cache::core::CatalogBodyCount(miss.body);
  miss.step.note = "PostgreSQL, then stored as catalog:cut=Fair";
  cache::core::CheckDemoStep(miss.step, {.status = 200, .x_cache = {"MISS"}, .rows = std::nullopt});
  steps.push_back(miss.step);
  if (!miss.step.status) {
    return report();
  }

  auto hit = client.Send("2 GET (warm)", "GET", fair);
  hit.step.rows = cache::core::CatalogBodyCount(hit.body);
  hit.step.note = cache::core::SpeedupNote(miss.step.time_ms, hit.step.time_ms);
  cache::core::CheckDemoStep(hit.step, {.status = 200, .x_cache = {"HIT"}, .rows = miss.step.rows});
  if (hit.body != miss.body) {
    hit.step.failures.push_back("body differs from the miss's");
  }
  steps.push_back(hit.step);

  auto prime = client.Send("3 GET other key", "GET", ideal);
  prime.step.rows = cache::core::CatalogBodyCount(prime.body);
  prime.step.note = "cached before the write";
  cache::core::CheckDemoStep(prime.step,
                             {.status = 200, .x_cache = {"MISS", "HIT"}, .rows = std::nullopt});
  steps.push_back(prime.step);

  auto created = client.Send("4 POST cut=Fair", "POST", "/catalog", cache::core::DemoDiamondJson());
  const auto id = cache::core::ItemBodyId(created.body);
  created.step.x_cache.clear();
  created.step.note = id ? "created id " + std::to_string(*id) : "";
  cache::core::CheckDemoStep(created.step, {.status = 201, .x_cache = {}, .rows = std::nullopt});
  if (created.step.status == 201 && !id) {
    created.step.failures.push_back("no id in the answer");
  }
  steps.push_back(created.step);

  auto exists = RedisStep(*redis, {"EXISTS", "catalog:cut=Fair"});
  exists.name = "5 Redis";
  if (exists.rows) {
    exists.note = *exists.rows == 0 ? "deleted before the 201 was sent" : "still cached";
  }
  cache::core::CheckDemoStep(exists, {.status = std::nullopt, .x_cache = {}, .rows = 0});
  steps.push_back(exists);

  auto after = client.Send("6 GET (after write)", "GET", fair);
  after.step.rows = cache::core::CatalogBodyCount(after.body);
  const std::optional<std::int64_t> one_more =
      miss.step.rows ? std::optional<std::int64_t>(*miss.step.rows + 1) : std::nullopt;
  after.step.note = "count one higher: the new item is there";
  cache::core::CheckDemoStep(after.step, {.status = 200, .x_cache = {"MISS"}, .rows = one_more});
  steps.push_back(after.step);

  auto untouched = client.Send("7 GET other key", "GET", ideal);
  untouched.step.rows = cache::core::CatalogBodyCount(untouched.body);
  untouched.step.note = "a cut=Fair write cannot change it: still cached";
  cache::core::CheckDemoStep(untouched.step,
                             {.status = 200, .x_cache = {"HIT"}, .rows = prime.step.rows});
  steps.push_back(untouched.step);

  if (id) {
    auto removed = client.Send("8 DELETE (cleanup)", "DELETE", "/catalog/" + std::to_string(*id));
    removed.step.x_cache.clear();
    removed.step.note = "so the demo can run again";
    cache::core::CheckDemoStep(removed.step, {.status = 204, .x_cache = {}, .rows = std::nullopt});
    steps.push_back(removed.step);
  }
  return report();
}

}  // namespace

void AddDemoCommand(CLI::App& app, CommandContext& context) {
  auto* demo = app.add_subcommand("demo", "Show features of a running server");
  demo->require_subcommand(1);
  auto options = std::make_shared<DemoOptions>();
  auto* cache = demo->add_subcommand(
      "cache",
      "Run the cache verification flow (miss, hit, write, invalidation) against a running server "
      "and print a table; exits non-zero when an expectation fails");
  cache->add_option("--url", options->url, "Base URL of the server")->capture_default_str();
  cache->add_option("--redis-url", options->redis_url,
                    "Redis the server uses (default: REDIS_URL, or REDIS_CLUSTER_NODES)");
  cache->add_option("--token", options->token,
                    "Admin bearer token (default: DEV_ADMIN_TOKEN when no email is given)");
  cache->add_option("--email", options->email,
                    "Admin email, logs in via POST /login (default: DEMO_ADMIN_EMAIL)");
  cache->add_option("--password", options->password,
                    "Admin password (default: DEMO_ADMIN_PASSWORD)");
  cache->callback([&context, options] { context.exit_code = RunDemoCache(*options); });
}

}  // namespace vitrina::cli
