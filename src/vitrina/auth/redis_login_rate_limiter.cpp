#include "vitrina/auth/redis_login_rate_limiter.hpp"

#include <future>
#include <string>
#include <tuple>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <spdlog/spdlog.h>

namespace vitrina::auth {
namespace {

namespace asio = boost::asio;
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

// After a failure, Redis is not asked again for this long.
constexpr auto kBackOff = std::chrono::seconds(1);
constexpr auto kWarningInterval = std::chrono::seconds(10);

// Owns the arguments: the coroutine may outlive the caller's wait. (Optional because
// asio::use_future needs a default-constructible value.)
asio::awaitable<std::optional<base::Result<redis::RedisReply>>> SendCommand(
    redis::RedisClient& client, redis::RedisArgs args) {
  co_return co_await client.Command(std::move(args));
}

}  // namespace

RedisLoginRateLimiter::RedisLoginRateLimiter(redis::RedisClient& client,
                                             asio::any_io_executor executor,
                                             LoginRateLimitSettings settings)
    : client_(client), executor_(std::move(executor)), settings_(std::move(settings)) {}

void RedisLoginRateLimiter::Warn(const std::string& what) {
  const auto now = SteadyClock::now().time_since_epoch().count();
  auto last = last_warning_.load();
  const auto interval = std::chrono::duration_cast<SteadyClock::duration>(kWarningInterval);
  // Logs at most every 10 s: a Redis outage during an attack must not flood the logs.
  if (last != 0 && now - last < interval.count()) return;
  if (!last_warning_.compare_exchange_strong(last, now)) return;
  spdlog::warn("auth: login rate limiting is off (failing open): {}", what);
}

std::optional<redis::RedisReply> RedisLoginRateLimiter::Run(redis::RedisArgs args) {
  const auto now = SteadyClock::now();
  if (now.time_since_epoch().count() < skip_until_.load()) return std::nullopt;
  auto future = asio::co_spawn(executor_, SendCommand(client_, std::move(args)), asio::use_future);
  std::string failure;
  if (future.wait_for(settings_.timeout) != std::future_status::ready) {
    failure = "Redis did not answer within " + std::to_string(settings_.timeout.count()) + " ms";
  } else {
    try {
      auto reply = *future.get();
      if (!reply) {
        failure = reply.error().message;
      } else if (reply->IsError()) {
        failure = "Redis error: " + reply->text;
      } else {
        return std::move(*reply);
      }
    } catch (const std::exception& error) {  // the executor stopped under the command
      failure = error.what();
    }
  }
  skip_until_.store((SteadyClock::now() + kBackOff).time_since_epoch().count());
  Warn(failure + " (" + client_.Describe() + ")");
  return std::nullopt;
}

// A fixed-window counter: {failures, seconds left}; {0, -2} when there is none.
std::optional<std::pair<std::int64_t, std::chrono::seconds>> RedisLoginRateLimiter::ReadCounter(
    const std::string& key) {
  redis::RedisArgs args{"EVAL", kReadCounterScript, "1", key};
  const auto reply = Run(std::move(args));
  if (!reply || reply->type != redis::RedisReply::Type::kArray || reply->elements.size() != 2 ||
      reply->elements[0].type != redis::RedisReply::Type::kInteger ||
      reply->elements[1].type != redis::RedisReply::Type::kInteger) {
    return std::nullopt;
  }
  return std::pair{reply->elements[0].integer, std::chrono::seconds(reply->elements[1].integer)};
}

std::int64_t RedisLoginRateLimiter::CountFailure(const std::string& key,
                                                 std::chrono::seconds window) {
  redis::RedisArgs args{"EVAL", kCountFailureScript, "1", key, std::to_string(window.count())};
  const auto reply = Run(std::move(args));
  return reply && reply->type == redis::RedisReply::Type::kInteger ? reply->integer : 0;
}

core::RateLimitDecision RedisLoginRateLimiter::Check(const core::LoginAttempt& attempt) {
  const auto& policy = settings_.policy;
  core::LoginCounters counters;
  const auto pair =
      ReadCounter(Key(core::LoginEmailAndAddressKey(attempt.email, attempt.client_address)));
  const auto address = ReadCounter(Key(core::LoginAddressRateLimitKey(attempt.client_address)));
  // A counter that could not be read counts as zero: fail open.
  if (pair) std::tie(counters.pair_failures, counters.pair_ttl) = *pair;
  if (address) std::tie(counters.address_failures, counters.address_ttl) = *address;
  redis::RedisArgs backoff{"PTTL", Key(core::LoginEmailBackoffKey(attempt.email))};
  const auto left = Run(std::move(backoff));
  if (left && left->type == redis::RedisReply::Type::kInteger && left->integer > 0) {
    counters.backoff_left = std::chrono::milliseconds(left->integer);
    redis::RedisArgs known{"EXISTS",
                           Key(core::LoginKnownAddressKey(attempt.email, attempt.client_address))};
    const auto exists = Run(std::move(known));
    counters.known_address = exists && exists->integer == 1;
  }
  return core::DecideLogin(counters, policy);
}

void RedisLoginRateLimiter::RecordFailure(const core::LoginAttempt& attempt) {
  const auto& policy = settings_.policy;
  (void)CountFailure(Key(core::LoginEmailAndAddressKey(attempt.email, attempt.client_address)),
                     policy.per_email_and_address.window);
  (void)CountFailure(Key(core::LoginAddressRateLimitKey(attempt.client_address)),
                     policy.per_address.window);
  const auto failures =
      CountFailure(Key(core::LoginEmailFailuresKey(attempt.email)), policy.email_backoff.window);
  const auto delay = core::EmailBackoffDelay(failures, policy.email_backoff);
  if (delay.count() > 0) {
    redis::RedisArgs backoff{"SET", Key(core::LoginEmailBackoffKey(attempt.email)), "1", "PX",
                             std::to_string(delay.count())};
    (void)Run(std::move(backoff));
  }
}

void RedisLoginRateLimiter::RecordSuccess(const core::LoginAttempt& attempt) {
  const auto lifetime = settings_.policy.email_backoff.known_address_lifetime;
  redis::RedisArgs known{"SET",
                         Key(core::LoginKnownAddressKey(attempt.email, attempt.client_address)),
                         "1", "EX", std::to_string(lifetime.count())};
  (void)Run(std::move(known));
  // The owner is back: their own earlier typos from here no longer count.
  redis::RedisArgs forget{
      "DEL", Key(core::LoginEmailAndAddressKey(attempt.email, attempt.client_address))};
  (void)Run(std::move(forget));
}

}  // namespace vitrina::auth
