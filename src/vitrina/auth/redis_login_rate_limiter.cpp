#include "vitrina/auth/redis_login_rate_limiter.hpp"

#include <optional>
#include <string>

#include <boost/url/parse.hpp>
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

namespace vitrina::auth {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Both scripts touch exactly one key (KEYS[1]).
// Returns {failures, seconds left in the window}.
constexpr const char* kReadCounterScript =
    "return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('TTL', KEYS[1])}";
// Counts one failure; the first failure opens the window. A key that somehow lost its expiry gets
// one again, so a counter can never block forever.
constexpr const char* kCountFailureScript =
    "local n = redis.call('INCR', KEYS[1]) "
    "if n == 1 or redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end "
    "return n";

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

struct RedisAddress {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;
  std::string database;
};

std::optional<RedisAddress> ParseRedisUrl(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "redis") return std::nullopt;
  RedisAddress address;
  if (!parsed->host().empty()) address.host = parsed->host();
  if (parsed->has_port()) address.port = parsed->port_number();
  if (parsed->has_password()) address.password = parsed->password();
  auto path = std::string(parsed->path());
  if (path.size() > 1) address.database = path.substr(1);
  return address;
}

timeval ToTimeval(std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(timeout.count() / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((timeout.count() % 1000) * 1000);
  return tv;
}

}  // namespace

struct RedisLoginRateLimiter::Connection {
  redisContext* context = nullptr;
  std::optional<SteadyClock::time_point> retry_connect_at;
  std::optional<SteadyClock::time_point> last_warning;

  ~Connection() { Close(); }
  void Close() {
    if (context != nullptr) redisFree(context);
    context = nullptr;
  }

  // Logs at most every 10 s: a Redis outage during an attack must not flood the logs.
  void Warn(const std::string& what) {
    const auto now = SteadyClock::now();
    if (last_warning && now - *last_warning < std::chrono::seconds(10)) return;
    last_warning = now;
    spdlog::warn("auth: login rate limiting is off (failing open): {}", what);
  }

  bool Ensure(const LoginRateLimitSettings& settings) {
    if (context != nullptr) return true;
    const auto now = SteadyClock::now();
    // After a failed connect, do not make every login wait for another connect timeout.
    if (retry_connect_at && now < *retry_connect_at) return false;
    const auto address = ParseRedisUrl(settings.redis_url);
    if (!address) {
      Warn("REDIS_URL is not a redis:// URL");
      retry_connect_at = now + std::chrono::seconds(1);
      return false;
    }
    context =
        redisConnectWithTimeout(address->host.c_str(), address->port, ToTimeval(settings.timeout));
    if (context == nullptr || context->err != 0) {
      Warn("cannot connect to Redis: " +
           std::string(context != nullptr ? context->errstr : "out of memory"));
      Close();
      retry_connect_at = now + std::chrono::seconds(1);
      return false;
    }
    redisSetTimeout(context, ToTimeval(settings.timeout));
    if (!address->password.empty() && !Command({"AUTH", address->password})) return false;
    if (!address->database.empty() && !Command({"SELECT", address->database})) return false;
    retry_connect_at.reset();
    return true;
  }

  ReplyPtr Command(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    ReplyPtr reply(static_cast<redisReply*>(
        redisCommandArgv(context, static_cast<int>(argv.size()), argv.data(), lengths.data())));
    if (!reply) {
      Warn(std::string("Redis command failed: ") + context->errstr);
      Close();  // the connection state is unknown after an I/O error or timeout
      return nullptr;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
      Warn("Redis error: " + std::string(reply->str, reply->len));
      return nullptr;
    }
    return reply;
  }
};

RedisLoginRateLimiter::RedisLoginRateLimiter(LoginRateLimitSettings settings)
    : settings_(std::move(settings)), connection_(std::make_unique<Connection>()) {}

RedisLoginRateLimiter::~RedisLoginRateLimiter() = default;

core::RateLimitDecision RedisLoginRateLimiter::Check(const core::LoginAttempt& attempt) {
  std::lock_guard lock(mutex_);
  auto read = [this](const std::string& key, const core::RateLimitRule& rule) {
    if (!connection_->Ensure(settings_)) return core::RateLimitDecision::Allow();
    auto reply = connection_->Command({"EVAL", kReadCounterScript, "1", key});
    if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
        reply->element[0]->type != REDIS_REPLY_INTEGER ||
        reply->element[1]->type != REDIS_REPLY_INTEGER) {
      return core::RateLimitDecision::Allow();
    }
    return core::DecideRateLimit(reply->element[0]->integer,
                                 std::chrono::seconds(reply->element[1]->integer), rule);
  };
  return core::Stricter(
      read(core::LoginEmailRateLimitKey(attempt.email), settings_.per_email),
      read(core::LoginAddressRateLimitKey(attempt.client_address), settings_.per_address));
}

void RedisLoginRateLimiter::RecordFailure(const core::LoginAttempt& attempt) {
  std::lock_guard lock(mutex_);
  auto count = [this](const std::string& key, const core::RateLimitRule& rule) {
    if (!connection_->Ensure(settings_)) return;
    (void)connection_->Command(
        {"EVAL", kCountFailureScript, "1", key, std::to_string(rule.window.count())});
  };
  count(core::LoginEmailRateLimitKey(attempt.email), settings_.per_email);
  count(core::LoginAddressRateLimitKey(attempt.client_address), settings_.per_address);
}

}  // namespace vitrina::auth
