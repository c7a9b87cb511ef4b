#pragma once

// A test suite whose tests share one `vitrina serve` started on a Redis of the suite's own
// (emptied before each test) and a database of generated diamonds: for API tests that look into
// Redis, stop it or fill it, without touching the run's shared Redis.

#include <map>
#include <string>

#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/own_redis.hpp"
#include "support/test_env.hpp"

namespace vitrina::itest {

// `Suite` is the fixture deriving from it (CRTP): each suite gets statics of its own.
template <typename Suite>
class OwnRedisApiSuite : public ::testing::Test {
 protected:
  // The suite's Redis (append-only: it keeps its data across a restart), a database named
  // `database` of `rows` diamonds, and a server on both whose writes take `admin_token`, with
  // Env(extra). Without an admin database URL nothing starts: SetUp then fails or skips.
  static void StartSuite(const std::string& database, int rows, bool append_only,
                         const std::string& admin_token,
                         const std::map<std::string, std::string>& extra = {}) {
    if (!AdminDatabaseUrl()) return;
    admin_token_ = admin_token;
    redis_ = new OwnRedis({.port = 0, .append_only = append_only, .extra_args = "", .tls = {}});
    if (!redis_->Start()) {
      redis_start_failed_ = true;
      return;
    }
    database_url_ = LoadDiamondsDatabase(database, MakeDiamonds(rows));
    server_ = new ServerProcess(Env(extra), FreePort());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete redis_;
    redis_ = nullptr;
  }
  void SetUp() override {
    VITRINA_REQUIRE(AdminDatabaseUrl(), "DATABASE_URL is not set");
    // redis-server is installed by tools/install-deps.sh: not starting is a failure.
    ASSERT_FALSE(redis_start_failed_) << "redis-server could not be started";
    redis_->FlushAll();
  }

  // The suite server's variables, with `extra` over them (for a second server of a test's own).
  static std::map<std::string, std::string> Env(
      const std::map<std::string, std::string>& extra = {}) {
    auto env = ServerEnv(database_url_, SourcePath("datasets/diamonds.yaml"));
    env["DEV_ADMIN_TOKEN"] = admin_token_;
    env["REDIS_URL"] = redis_->Url();
    env["REDIS_CLUSTER_NODES"] = "";
    // The 50 ms default is for production; a loaded test machine (sanitizers, parallel builds)
    // would open the breaker on a slow reply and turn expected MISS/HIT into BYPASS. A stopped
    // Redis refuses connections at once, so outages are still detected immediately.
    env["CACHE_REDIS_TIMEOUT_MS"] = "1000";
    for (const auto& [name, value] : extra) env[name] = value;
    return env;
  }

  static inline OwnRedis* redis_ = nullptr;
  static inline bool redis_start_failed_ = false;
  static inline std::string database_url_;
  static inline std::string admin_token_;
  static inline ServerProcess* server_ = nullptr;
};

}  // namespace vitrina::itest
