// Which Redis `vitrina serve` caches in (docs/cache.md, "Settings"): with neither REDIS_URL nor
// REDIS_CLUSTER_NODES the cache is off (`X-Cache: DISABLED`, docs/api.md), and with both the
// cluster wins.
#include <chrono>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/own_redis.hpp"
#include "support/test_env.hpp"

namespace vitrina::itest {
namespace {

// The first node of "host:port,host:port,...", for redis-cli.
std::string FirstClusterPort(const std::string& nodes) {
  const auto first = nodes.substr(0, nodes.find(','));
  return first.substr(first.rfind(':') + 1);
}

class CacheBackendApi : public ::testing::Test {
 protected:
  void SetUp() override {
    VITRINA_REQUIRE(AdminDatabaseUrl(), "DATABASE_URL is not set");
    url_ = LoadDiamondsDatabase("vitrina_api_itest_cache_backend", MakeDiamonds(20));
  }
  std::map<std::string, std::string> Env(const std::string& redis_url,
                                         const std::string& cluster_nodes) const {
    auto env = ServerEnv(url_, SourcePath("datasets/diamonds.yaml"));
    env["REDIS_URL"] = redis_url;  // empty: unset
    env["REDIS_CLUSTER_NODES"] = cluster_nodes;
    // Patient on a loaded machine: a slow reply must not turn MISS/HIT into BYPASS here.
    env["CACHE_REDIS_TIMEOUT_MS"] = "1000";
    return env;
  }
  std::string url_;
};

TEST_F(CacheBackendApi, WithoutAnyRedisVariableTheCacheIsDisabled) {
  ServerProcess server(Env("", ""), FreePort());
  for (int i = 0; i < 2; ++i) {
    const auto reply = Fetch(server.port(), "GET", "/catalog?cut=Fair");
    ASSERT_EQ(reply.status, 200u) << reply.body;
    EXPECT_EQ(reply.Header("x-cache"), "DISABLED") << "request " << i;
  }
  // No Redis to check, so /readyz lists none.
  const auto ready = Fetch(server.port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 200u) << ready.body;
  EXPECT_FALSE(ready.Json().at("checks").as_object().contains("redis")) << ready.body;
}

TEST_F(CacheBackendApi, RedisClusterNodesWinOverRedisUrl) {
  VITRINA_REQUIRE_ENV(cluster_nodes, "REDIS_CLUSTER_NODES");
  OwnRedis single;
  ASSERT_TRUE(single.Start()) << "redis-server could not be started";
  const auto cluster_cli = "redis-cli -c -p " + FirstClusterPort(cluster_nodes) + " ";
  const std::string key = "catalog:color=E&cut=Fair";
  Capture(cluster_cli + "DEL '" + key + "'");

  ServerProcess server(Env(single.Url(), cluster_nodes), FreePort());
  const auto miss = Fetch(server.port(), "GET", "/catalog?cut=Fair&color=E");
  ASSERT_EQ(miss.status, 200u) << miss.body;
  EXPECT_EQ(miss.Header("x-cache"), "MISS") << server.Log();
  EXPECT_EQ(miss.Header("x-cache-key"), key);
  EXPECT_EQ(Fetch(server.port(), "GET", "/catalog?cut=Fair&color=E").Header("x-cache"), "HIT");
  // Stored in the cluster; the single node was never written to.
  EXPECT_EQ(Capture(cluster_cli + "EXISTS '" + key + "'"), "1");
  EXPECT_EQ(single.Cli("DBSIZE"), "0");
  Capture(cluster_cli + "DEL '" + key + "'");
}

}  // namespace
}  // namespace vitrina::itest
