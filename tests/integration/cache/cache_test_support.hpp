#pragma once

// Shared scaffolding of the cache integration tests: a thread pool to run coroutines on, the
// Redis under test (single node from REDIS_URL, cluster from REDIS_CLUSTER_NODES), and a fake
// catalog whose loader reports which database version it read.

#include <atomic>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "support/test_env.hpp"
#include "vitrina/cache/catalog_cache.hpp"
#include "vitrina/cache/core/stored_response.hpp"
#include "vitrina/catalog/spec_file.hpp"
#include "vitrina/redis/client.hpp"
#include "vitrina/redis/connection.hpp"
#include "vitrina/redis/core/address.hpp"

namespace vitrina::cache::testing {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// An io_context run by a few threads, like the server's.
class AsioPool {
 public:
  explicit AsioPool(int threads = 3) : guard_(asio::make_work_guard(io_)) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~AsioPool() {
    guard_.reset();
    io_.stop();
    for (auto& thread : threads_) thread.join();
  }

  asio::any_io_executor executor() { return io_.get_executor(); }

  // Runs a coroutine on the pool and waits for its result.
  template <typename T>
  T Run(asio::awaitable<T> task) {
    std::optional<T> out;
    asio::co_spawn(
        io_, [&]() -> asio::awaitable<void> { out.emplace(co_await std::move(task)); },
        asio::use_future)
        .get();
    return std::move(*out);
  }
  void Run(asio::awaitable<void> task) {
    asio::co_spawn(io_, std::move(task), asio::use_future).get();
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
};

inline asio::awaitable<void> Sleep(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::use_awaitable);
}

enum class RedisMode { kSingle, kCluster };

inline std::string ModeName(const ::testing::TestParamInfo<RedisMode>& info) {
  return info.param == RedisMode::kSingle ? "Single" : "Cluster";
}

// The Redis settings for a mode from the environment, or nullopt (the test skips).
inline std::optional<redis::RedisSettings> RedisFromEnv(RedisMode mode) {
  redis::RedisSettings settings;
  // Patient: how fast Redis answers a loaded machine is not what most cache tests are about, and
  // a timeout there would open a breaker mid-test. Tests about timeouts set their own.
  settings.command_timeout = 2s;
  if (mode == RedisMode::kSingle) {
    const char* url = std::getenv("REDIS_URL");
    if (url == nullptr || *url == '\0') return std::nullopt;
    auto address = redis::core::ParseRedisUrl(url);
    if (!address.ok()) return std::nullopt;
    settings.nodes.push_back(*address);
  } else {
    const char* nodes = std::getenv("REDIS_CLUSTER_NODES");
    if (nodes == nullptr || *nodes == '\0') return std::nullopt;
    auto addresses = redis::core::ParseHostPortList(nodes);
    if (!addresses.ok()) return std::nullopt;
    settings.nodes = *addresses;
    settings.cluster = true;
  }
  return settings;
}

inline catalog::core::DatasetSpec DiamondsSpec() {
  auto spec = catalog::LoadSpecFile(std::string(VITRINA_SOURCE_DIR) + "/datasets/diamonds.yaml");
  if (!spec.ok()) throw std::runtime_error("cannot load diamonds.yaml: " + spec.error().message);
  return std::move(*spec);
}

// Stands in for PostgreSQL: a version number that writes bump, and a loader that reports the
// version it read when it started, after a random delay (to widen race windows).
class FakeCatalog {
 public:
  std::atomic<int> version{1};
  std::atomic<int> loads{0};
  std::chrono::milliseconds max_delay{0};

  Loader MakeLoader() {
    return [this]() -> asio::awaitable<base::Result<std::string>> {
      ++loads;
      const int seen = version.load();
      if (max_delay.count() > 0) {
        thread_local std::mt19937 random{std::random_device{}()};
        co_await Sleep(std::chrono::milliseconds(random() % (max_delay.count() + 1)));
      }
      co_return "body-v" + std::to_string(seen);
    };
  }

  static int VersionOf(const CachedResponse& response) {
    return std::stoi(response.body->substr(6));
  }
};

inline cache::core::ItemValues Diamond(std::string cut, std::string color, std::int64_t price) {
  return {{"carat", 0.5},
          {"cut", std::move(cut)},
          {"color", std::move(color)},
          {"clarity", std::string("SI1")},
          {"depth", 61.0},
          {"table", 55.0},
          {"price", price},
          {"x", 5.0},
          {"y", 5.0},
          {"z", 3.0}};
}

// Direct access to the nodes under test, bypassing the cache (what a user does with redis-cli).
class RedisProbe {
 public:
  RedisProbe(AsioPool& pool, const redis::RedisSettings& settings)
      : pool_(pool),
        client_(redis::MakeRedisClient(pool.executor(), settings)),
        settings_(settings) {
    if (settings.cluster) {
      // The masters: ask a seed for CLUSTER SLOTS through the client and keep the owners.
      redis::RedisArgs args = {"CLUSTER", "SLOTS"};
      auto reply = pool_.Run(client_->Command(std::move(args)));
      if (reply.ok()) {
        for (const auto& range : reply->elements) {
          redis::core::RedisAddress address;
          address.host = range.elements[2].elements[0].text;
          address.port = static_cast<int>(range.elements[2].elements[1].integer);
          nodes_.push_back(address);
        }
      }
    } else {
      nodes_ = settings.nodes;
    }
  }

  base::Result<redis::RedisReply> Command(redis::RedisArgs args) {
    return pool_.Run(client_->Command(std::move(args)));
  }
  bool Exists(const std::string& key) {
    redis::RedisArgs args = {"EXISTS", key};
    auto reply = Command(std::move(args));
    return reply.ok() && reply->integer == 1;
  }
  // Sends a keyless command to every master (FLUSHALL, CLIENT PAUSE ...).
  void OnEveryNode(const redis::RedisArgs& args) {
    for (const auto& node : nodes_) {
      redis::RedisConnectionSettings connection;
      connection.address = node;
      connection.command_timeout = 2s;
      redis::RedisConnection direct(pool_.executor(), connection);
      auto reply = pool_.Run(direct.Command(args));
      ASSERT_TRUE(reply.ok()) << node.HostPort();
    }
  }
  redis::RedisClient& client() { return *client_; }

 private:
  AsioPool& pool_;
  std::unique_ptr<redis::RedisClient> client_;
  redis::RedisSettings settings_;
  std::vector<redis::core::RedisAddress> nodes_;
};

// One server instance's cache: its own Redis client and CatalogCache.
struct CacheInstance {
  CacheInstance(AsioPool& pool, const redis::RedisSettings& redis_settings,
                const catalog::core::DatasetSpec& spec, CacheSettings settings)
      : redis(redis::MakeRedisClient(pool.executor(), redis_settings)),
        cache(pool.executor(), *redis, spec, settings) {
    cache.Start();
  }
  ~CacheInstance() { cache.Stop(); }

  std::unique_ptr<redis::RedisClient> redis;
  CatalogCache cache;
};

inline CacheSettings FastSettings() {
  CacheSettings settings;
  settings.ttl = 60s;
  settings.probe_interval = 100ms;
  return settings;
}

inline cache::core::CacheKey Key(std::vector<cache::core::CanonicalParam> params) {
  return cache::core::CacheKey::ForCatalog(std::move(params));
}

// Base fixture: skips without the environment, flushes the nodes before each test.
class CacheTest : public ::testing::TestWithParam<RedisMode> {
 protected:
  void SetUp() override {
    auto settings = RedisFromEnv(GetParam());
    VITRINA_REQUIRE(settings, (GetParam() == RedisMode::kSingle
                                   ? "REDIS_URL is not set: no single-node Redis to test against"
                                   : "REDIS_CLUSTER_NODES is not set: no Redis Cluster"));
    redis_settings_ = *settings;
    probe_ = std::make_unique<RedisProbe>(pool_, redis_settings_);
    const redis::RedisArgs flush = {"FLUSHALL"};
    probe_->OnEveryNode(flush);
  }
  void TearDown() override { probe_.reset(); }

  std::unique_ptr<CacheInstance> NewInstance(CacheSettings settings = FastSettings()) {
    return std::make_unique<CacheInstance>(pool_, redis_settings_, spec_, settings);
  }
  CachedResponse Get(CatalogCache& cache, const cache::core::CacheKey& key, FakeCatalog& db) {
    auto response = pool_.Run(cache.Get(key, db.MakeLoader()));
    EXPECT_TRUE(response.ok());
    return *response;
  }

  AsioPool pool_;
  catalog::core::DatasetSpec spec_ = DiamondsSpec();
  redis::RedisSettings redis_settings_;
  std::unique_ptr<RedisProbe> probe_;
};

}  // namespace vitrina::cache::testing
