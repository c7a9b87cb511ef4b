// Application Insights ingestion with a managed identity's bearer token
// (APPLICATIONINSIGHTS_AUTH=managed-identity), as on a resource with local authentication
// disabled: `vitrina serve` as the CLI wires it sends to a tools/appinsights-capture.py of the
// test's own that answers 401 unless a batch carries "Authorization: Bearer <token>" for
// https://monitor.azure.com/, from an Entra tenant, within its lifetime, and issued by this
// test's tools/identity-endpoint.py (the stand-in for the signature check). The capture records
// each batch's Authorization header and answer (GET /batches).
#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "identity/identity_endpoint.hpp"
#include "support/api_harness.hpp"
#include "support/own_redis.hpp"
#include "support/test_env.hpp"

namespace vitrina::itest {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

constexpr const char* kMonitorAudience = "https://monitor.azure.com/";

struct Batch {
  unsigned status = 0;
  long items = 0;
  std::string authorization;  // "" when the request had none
  std::string reason;
};

// The capture on a free port, requiring the identity endpoint's bearer tokens.
class BearerCapture {
 public:
  explicit BearerCapture(const IdentityEndpoint& endpoint)
      : port_(FreePort()),
        out_(std::filesystem::temp_directory_path() /
             ("vitrina-bearer-capture-" + std::to_string(::getpid()) + "-" + std::to_string(port_) +
              ".jsonl")) {
    const auto pid =
        Capture("python3 " + SourcePath("tools/appinsights-capture.py") + " --quiet --port " +
                std::to_string(port_) + " --out " + out_.string() + " --require-bearer-audience " +
                kMonitorAudience + " --bearer-issued-url http://127.0.0.1:" +
                std::to_string(endpoint.port()) + "/issued >/dev/null 2>&1 & echo $!");
    pid_ = std::stoi(pid);
    started_ = WaitUntil([this] { return IsListening(port_); }, seconds(10));
  }
  ~BearerCapture() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
    std::error_code ignored;
    std::filesystem::remove(out_, ignored);
    std::filesystem::remove(out_.string() + ".1", ignored);
  }
  BearerCapture(const BearerCapture&) = delete;
  BearerCapture& operator=(const BearerCapture&) = delete;

  bool started() const { return started_; }
  std::string IngestionEndpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<Batch> Batches() const {
    std::vector<Batch> batches;
    std::istringstream lines(Fetch(port_, "GET", "/batches").body);
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) continue;
      const auto record = json::parse(line).as_object();
      Batch batch;
      batch.status = static_cast<unsigned>(record.at("status").to_number<int>());
      batch.items = record.at("items").to_number<long>();
      if (record.at("authorization").is_string()) {
        batch.authorization = std::string(record.at("authorization").as_string());
      }
      batch.reason = std::string(record.at("reason").as_string());
      batches.push_back(std::move(batch));
    }
    return batches;
  }

 private:
  std::uint16_t port_;
  std::filesystem::path out_;
  int pid_ = -1;
  bool started_ = false;
};

// The tokens the endpoint issued for the ingestion audience, in issue order.
std::vector<std::string> MonitorTokens(const IdentityEndpoint& endpoint) {
  std::vector<std::string> tokens;
  std::istringstream lines(endpoint.Issued());
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    const auto issued = json::parse(line).as_object();
    if (issued.at("resource").as_string() == kMonitorAudience) {
      tokens.emplace_back(issued.at("access_token").as_string());
    }
  }
  return tokens;
}

// vitrina_telemetry_items_total{outcome="<outcome>"} of the server's /metrics, or -1.
double TelemetryItems(const ServerProcess& server, const std::string& outcome) {
  const auto metrics = Fetch(server.port(), "GET", "/metrics").body;
  const std::string name = "vitrina_telemetry_items_total{outcome=\"" + outcome + "\"} ";
  const auto at = metrics.find(name);
  return at == std::string::npos ? -1 : std::stod(metrics.substr(at + name.size()));
}

class ManagedIdentityIngestion : public ::testing::Test {
 protected:
  void SetUp() override {
    VITRINA_REQUIRE_ENV(database, "DATABASE_URL");
    if (url_.empty()) url_ = LoadDiamondsDatabase("vitrina_itest_mi_ingestion", MakeDiamonds(10));
  }

  // A server sending its telemetry to `capture`, with the identity's token unless `auth` is "key".
  static std::unique_ptr<ServerProcess> StartServer(const IdentityEndpoint& endpoint,
                                                    const BearerCapture& capture,
                                                    const std::string& auth) {
    auto env = ServerEnv(url_, SourcePath("datasets/diamonds.yaml"));
    for (const auto& [name, value] : endpoint.ProcessEnv()) env[name] = value;
    env["APPLICATIONINSIGHTS_CONNECTION_STRING"] =
        "InstrumentationKey=00000000-0000-0000-0000-0000000000it;IngestionEndpoint=" +
        capture.IngestionEndpoint();
    env["APPLICATIONINSIGHTS_AUTH"] = auth;
    env["CACHE_ENABLED"] = "false";
    env["TELEMETRY_FLUSH_INTERVAL_MS"] = "100";
    env["TELEMETRY_METRIC_INTERVAL_S"] = "1";  // a batch every second even without requests
    env["TELEMETRY_MAX_RETRIES"] = "1";
    env["TELEMETRY_SHUTDOWN_DEADLINE_MS"] = "1000";
    return std::make_unique<ServerProcess>(env, FreePort());
  }

  static std::string url_;
};

std::string ManagedIdentityIngestion::url_;

TEST_F(ManagedIdentityIngestion, BatchesCarryTheIdentitysTokenAndEachNewOneAfterARefresh) {
  // 6 s tokens: replaced after 3 s, so a token held past its expiry would be refused.
  IdentityEndpoint endpoint(6);
  ASSERT_TRUE(endpoint.started());
  BearerCapture capture(endpoint);
  ASSERT_TRUE(capture.started());
  auto server = StartServer(endpoint, capture, "managed-identity");

  // Batches accepted under three different tokens: the first and two refreshes.
  const auto accepted_tokens = [&] {
    std::vector<std::string> tokens;
    for (const auto& batch : capture.Batches()) {
      if (batch.status == 200 &&
          std::find(tokens.begin(), tokens.end(), batch.authorization) == tokens.end()) {
        tokens.push_back(batch.authorization);
      }
    }
    return tokens;
  };
  EXPECT_TRUE(WaitUntil(
      [&] {
        Fetch(server->port(), "GET", "/catalog?limit=1");  // requests to report, besides metrics
        return accepted_tokens().size() >= 3;
      },
      seconds(60)))
      << accepted_tokens().size() << " tokens seen";

  // Every batch was accepted, each carried the token the endpoint had issued last at that point
  // (in issue order, never an older one again), and every token issued was used.
  const auto issued = MonitorTokens(endpoint);
  const auto batches = capture.Batches();
  ASSERT_FALSE(batches.empty());
  std::size_t newest = 0;
  for (const auto& batch : batches) {
    EXPECT_EQ(batch.status, 200U) << batch.reason;
    EXPECT_GT(batch.items, 0);
    const auto found = std::find(issued.begin(), issued.end(),
                                 batch.authorization.substr(std::string("Bearer ").size()));
    ASSERT_NE(found, issued.end()) << batch.authorization;
    const auto index = static_cast<std::size_t>(found - issued.begin());
    EXPECT_GE(index, newest) << "an older token was sent again";
    newest = std::max(newest, index);
  }
  EXPECT_GE(issued.size(), 3U);
  EXPECT_GT(TelemetryItems(*server, "sent"), 0);
  EXPECT_EQ(TelemetryItems(*server, "dropped_rejected"), 0);
}

TEST_F(ManagedIdentityIngestion, WithoutAValidTokenBatchesAreRefusedAndTheServerSaysSo) {
  IdentityEndpoint endpoint(3600);
  ASSERT_TRUE(endpoint.started());
  BearerCapture capture(endpoint);
  ASSERT_TRUE(capture.started());
  const struct {
    const char* name;
    const char* auth;    // APPLICATIONINSIGHTS_AUTH
    const char* claims;  // of the tokens the endpoint issues
    const char* reason;  // the capture's, for the 401
  } cases[] = {
      // Local authentication disabled, the instrumentation key alone: no Authorization at all.
      {"no token", "key", "{}", "no Authorization header"},
      // A token for Blob Storage, not for ingestion.
      {"another audience", "managed-identity", R"({"aud": "https://storage.azure.com/"})",
       "the token's audience is 'https://storage.azure.com/'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    endpoint.SetClaims(c.claims);
    const auto before = capture.Batches().size();
    auto server = StartServer(endpoint, capture, c.auth);
    // The refusals are counted where operators look: the telemetry metric and the log.
    EXPECT_TRUE(
        WaitUntil([&] { return TelemetryItems(*server, "dropped_rejected") > 0; }, seconds(30)));
    EXPECT_EQ(TelemetryItems(*server, "sent"), 0);
    EXPECT_TRUE(WaitUntil(
        [&] {
          return server->Log().find("Application Insights ingestion refused a batch") !=
                 std::string::npos;
        },
        seconds(10)))
        << server->Log();
    const auto log = server->Log();
    EXPECT_NE(log.find("(HTTP 401: "), std::string::npos) << log;
    EXPECT_NE(log.find("The credentials were refused"), std::string::npos) << log;

    const auto batches = capture.Batches();
    ASSERT_GT(batches.size(), before);
    for (auto batch = batches.begin() + static_cast<std::ptrdiff_t>(before); batch != batches.end();
         ++batch) {
      EXPECT_EQ(batch->status, 401U);
      EXPECT_NE(batch->reason.find(c.reason), std::string::npos) << batch->reason;
      if (std::string(c.auth) == "key") {
        EXPECT_EQ(batch->authorization, "");
      } else {
        // The bearer was sent: the token the endpoint issued, which ingestion refuses.
        const auto issued = MonitorTokens(endpoint);
        ASSERT_FALSE(issued.empty());
        EXPECT_EQ(batch->authorization, "Bearer " + issued.back());
      }
    }
    server.reset();
  }
}

}  // namespace
}  // namespace vitrina::itest
