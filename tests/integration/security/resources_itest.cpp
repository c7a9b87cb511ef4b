// Resources a hostile client could exhaust (#16): metrics series, file descriptors.
#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "security/raw_connection.hpp"
#include "support/api_harness.hpp"
#include "support/own_redis.hpp"
#include "support/test_env.hpp"

namespace vitrina::itest {
namespace {

using namespace std::chrono_literals;

std::string LoadedDatabase() {
  static const std::string url =
      LoadDiamondsDatabase("vitrina_security_resources", MakeDiamonds(10));
  return url;
}

class HostileResources : public ::testing::Test {
 protected:
  void SetUp() override { VITRINA_REQUIRE(AdminDatabaseUrl(), "DATABASE_URL is not set"); }
};

TEST_F(HostileResources, InventedMethodsAndPathsCannotGrowMetrics) {
  ServerProcess server(ServerEnv(LoadedDatabase(), SourcePath("datasets/diamonds.yaml")),
                       FreePort());
  const auto before = Fetch(server.port(), "GET", "/metrics").body.size();
  // 10,000 requests, each a method and a path nobody used before, over a few connections.
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&server, t] {
      HttpClient client(server.port());
      for (int i = 0; i < kPerThread; ++i) {
        const auto n = std::to_string(t * kPerThread + i);
        (void)client.Send("M" + n, "/made-up/" + n);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto metrics = Fetch(server.port(), "GET", "/metrics").body;
  EXPECT_LT(metrics.size(), 200u * 1024) << "before: " << before;
  EXPECT_NE(metrics.find("route=\"OTHER (unmatched)\""), std::string::npos);
  EXPECT_EQ(metrics.find("M9999"), std::string::npos);
}

TEST_F(HostileResources, MetricsTokenGuardsTheScrape) {
  auto env = ServerEnv(LoadedDatabase(), SourcePath("datasets/diamonds.yaml"));
  env["METRICS_TOKEN"] = "scrape-secret";
  ServerProcess server(env, FreePort());
  EXPECT_EQ(Fetch(server.port(), "GET", "/metrics").status, 401u);
  EXPECT_EQ(Fetch(server.port(), "GET", "/metrics", "", {{"Authorization", "Bearer wrong"}}).status,
            401u);
  EXPECT_EQ(
      Fetch(server.port(), "GET", "/metrics", "", {{"Authorization", "Bearer scrape-secretX"}})
          .status,
      401u);
  const auto scraped =
      Fetch(server.port(), "GET", "/metrics", "", {{"Authorization", "Bearer scrape-secret"}});
  EXPECT_EQ(scraped.status, 200u);
  EXPECT_NE(scraped.body.find("vitrina_http_request_duration_seconds"), std::string::npos);
}

TEST_F(HostileResources, OutOfDescriptorsTheServerBacksOffAndRecovers) {
  auto env = ServerEnv(LoadedDatabase(), SourcePath("datasets/diamonds.yaml"));
  env["ACCESS_LOG_FLUSH_SECONDS"] = "0";
  ServerProcess server(env, FreePort(), /*open_files_limit=*/256);
  {
    // More connections than the server has descriptors: some are accepted, the rest wait in the
    // backlog while accept() fails with EMFILE.
    std::vector<std::unique_ptr<RawConnection>> connections;
    for (int i = 0; i < 400; ++i) {
      try {
        connections.push_back(std::make_unique<RawConnection>(server.port()));
      } catch (const std::exception&) {
        break;  // the backlog itself is full: enough
      }
    }
    EXPECT_GE(connections.size(), 256u);
    // The accept loop meets EMFILE (and says so), then backs off a few times while they stay.
    EXPECT_TRUE(
        WaitUntil([&] { return server.Log().find("accept failed") != std::string::npos; }, 10s));
    // Held for about twenty 50 ms back-offs: not a synchronisation, the duration the log-rate
    // check below is about (one line per interval, not one per retry).
    std::this_thread::sleep_for(1s);
  }
  // The connections are gone: a new client is served again, on a freed slot (a refused
  // connection means the server died: that is the failure, not a reason to throw).
  EXPECT_TRUE(WaitUntil(
      [&] {
        try {
          return Fetch(server.port(), "GET", "/healthz").status == 200;
        } catch (const std::exception&) {
          return false;
        }
      },
      10s))
      << server.Log().substr(0, 4000);
  // And the failures were logged a handful of times, not once per retry.
  const auto log = server.Log();
  std::size_t lines = 0;
  for (auto at = log.find("accept failed"); at != std::string::npos;
       at = log.find("accept failed", at + 1)) {
    ++lines;
  }
  EXPECT_GE(lines, 1u) << "the test did not run the server out of descriptors";
  EXPECT_LE(lines, 5u) << log.substr(0, 2000);
}

}  // namespace
}  // namespace vitrina::itest
