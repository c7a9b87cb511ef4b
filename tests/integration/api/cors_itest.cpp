// CORS and Cache-Control over real HTTP (docs/api.md, "Browser pages on other origins" and
// "Caching headers"): a `vitrina serve` with the development token and its own Redis, so a list
// request is a MISS and then a HIT. The browser's side of the same is
// tests/integration/console/cors_itest.sh (headless Chromium).
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/own_redis.hpp"
#include "support/test_env.hpp"

namespace vitrina::itest {
namespace {

constexpr const char* kToken = "itest-cors-admin-token";
constexpr const char* kPage = "https://app.example.com";
constexpr const char* kNewDiamond =
    R"({"carat":1.25,"cut":"Ideal","color":"F","clarity":"VS1","depth":61.7,"table":56,)"
    R"("price":9000,"x":6.9,"y":6.95,"z":4.28})";

HeaderList From(const std::string& origin, bool token = false) {
  HeaderList headers{{"Origin", origin}};
  if (token) headers.emplace_back("Authorization", std::string("Bearer ") + kToken);
  return headers;
}

HeaderList Preflight(const std::string& origin, const std::string& method) {
  return {{"Origin", origin},
          {"Access-Control-Request-Method", method},
          {"Access-Control-Request-Headers", "authorization,content-type"}};
}

bool HasCorsHeaders(const HttpReply& reply) {
  for (const auto& [name, value] : reply.headers) {
    if (name.starts_with("access-control-")) return true;
  }
  return false;
}

// Whether the answer's Vary list (every Vary line, comma-joined by the harness) names Origin;
// compression adds Accept-Encoding to catalog answers beside it.
bool VariesOnOrigin(const HttpReply& reply) {
  std::string list = reply.Header("vary");
  for (std::size_t start = 0; start <= list.size();) {
    auto end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    auto token = list.substr(start, end - start);
    token.erase(0, token.find_first_not_of(' '));
    token.erase(token.find_last_not_of(' ') + 1);
    if (token == "Origin") return true;
    start = end + 1;
  }
  return false;
}

class ApiCors : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!AdminDatabaseUrl()) return;
    database_url_ = LoadDiamondsDatabase("vitrina_api_itest_cors", MakeDiamonds(20));
    redis_ = new OwnRedis();
    redis_start_failed_ = !redis_->Start();
  }
  static void TearDownTestSuite() {
    delete redis_;
    redis_ = nullptr;
  }
  void SetUp() override {
    VITRINA_REQUIRE(AdminDatabaseUrl(), "DATABASE_URL is not set");
    ASSERT_FALSE(redis_start_failed_) << "redis-server could not be started";
    redis_->FlushAll();
  }

  static std::map<std::string, std::string> Env(const std::string& origins) {
    auto env = ServerEnv(database_url_, SourcePath("datasets/diamonds.yaml"));
    env["DEV_ADMIN_TOKEN"] = kToken;
    env["REDIS_URL"] = redis_->Url();
    env["REDIS_CLUSTER_NODES"] = "";
    env["CACHE_REDIS_TIMEOUT_MS"] = "1000";  // a loaded machine must not turn HIT into BYPASS
    env["CORS_ALLOWED_ORIGINS"] = origins;
    return env;
  }

  static inline OwnRedis* redis_ = nullptr;
  static inline bool redis_start_failed_ = false;
  static inline std::string database_url_;
};

TEST_F(ApiCors, OffByDefaultNoCorsHeadersAndOptionsAnswersAsBefore) {
  const ServerProcess server(Env(""), FreePort());
  const auto reply = Fetch(server.port(), "GET", "/catalog", {}, From(kPage));
  EXPECT_EQ(reply.status, 200u);
  EXPECT_FALSE(HasCorsHeaders(reply));
  EXPECT_FALSE(VariesOnOrigin(reply)) << reply.Header("vary");
  const auto preflight = Fetch(server.port(), "OPTIONS", "/catalog", {}, Preflight(kPage, "POST"));
  EXPECT_EQ(preflight.status, 405u) << preflight.body;
  EXPECT_EQ(preflight.Header("allow"), "GET, HEAD, POST");
  EXPECT_FALSE(HasCorsHeaders(preflight));
}

TEST_F(ApiCors, APreflightFromAnAllowedOriginIsAnsweredWithoutAToken) {
  const ServerProcess server(Env(std::string(kPage) + ", http://localhost:5173"), FreePort());
  const auto reply = Fetch(server.port(), "OPTIONS", "/catalog/7", {}, Preflight(kPage, "DELETE"));
  EXPECT_EQ(reply.status, 204u) << reply.body;
  EXPECT_EQ(reply.Header("access-control-allow-origin"), kPage);
  EXPECT_EQ(reply.Header("access-control-allow-methods"), "GET, HEAD, POST, PUT, PATCH, DELETE");
  EXPECT_NE(reply.Header("access-control-allow-headers").find("Authorization"), std::string::npos);
  EXPECT_NE(reply.Header("access-control-allow-headers").find("Content-Type"), std::string::npos);
  EXPECT_EQ(reply.Header("access-control-max-age"), "600");
  EXPECT_TRUE(VariesOnOrigin(reply)) << reply.Header("vary");
  EXPECT_EQ(reply.Header("access-control-allow-credentials"), "");
  EXPECT_EQ(reply.Header("cache-control"), "no-store");
  EXPECT_FALSE(reply.Header("x-request-id").empty());  // through the pipeline, logged
  // An OPTIONS that is no preflight is routed as before.
  EXPECT_EQ(Fetch(server.port(), "OPTIONS", "/catalog", {}, From(kPage)).status, 405u);
}

TEST_F(ApiCors, APreflightFromAnotherOriginIsRefusedWithoutCorsHeaders) {
  const ServerProcess server(Env(kPage), FreePort());
  for (const std::string origin :
       {"https://evil.example", "http://app.example.com", "https://app.example.com:8443"}) {
    const auto reply = Fetch(server.port(), "OPTIONS", "/catalog", {}, Preflight(origin, "POST"));
    EXPECT_EQ(reply.status, 403u) << origin;
    EXPECT_FALSE(HasCorsHeaders(reply)) << origin;
    EXPECT_TRUE(VariesOnOrigin(reply)) << reply.Header("vary");
  }
}

TEST_F(ApiCors, AMissAndAHitBothCarryTheOriginAndTheExposedHeaders) {
  const ServerProcess server(Env(kPage), FreePort());
  // The reload listener flushes the cache once when it connects: until another query stays cached,
  // that flush could delete what the MISS below stores.
  ASSERT_TRUE(WaitUntil(
      [&] { return Fetch(server.port(), "GET", "/catalog?cut=Good").Header("x-cache") == "HIT"; },
      std::chrono::seconds(10)));
  for (const char* expected : {"MISS", "HIT"}) {
    const auto reply = Fetch(server.port(), "GET", "/catalog?cut=Fair", {}, From(kPage, true));
    ASSERT_EQ(reply.status, 200u) << reply.body;
    EXPECT_EQ(reply.Header("x-cache"), expected);
    EXPECT_EQ(reply.Header("access-control-allow-origin"), kPage) << expected;
    const std::string exposed = reply.Header("access-control-expose-headers");
    for (const char* name : {"X-Cache", "X-Cache-Bypass", "X-Cache-Key", "ETag", "Server-Timing",
                             "X-Request-Id", "Location"}) {
      EXPECT_NE(exposed.find(name), std::string::npos) << name << " on a " << expected;
    }
    EXPECT_TRUE(VariesOnOrigin(reply)) << expected << reply.Header("vary");
  }
  // The 304 of a revalidation, too.
  const auto first = Fetch(server.port(), "GET", "/catalog?cut=Fair", {}, From(kPage));
  HeaderList conditional = From(kPage);
  conditional.emplace_back("If-None-Match", first.Header("etag"));
  const auto revalidated = Fetch(server.port(), "GET", "/catalog?cut=Fair", {}, conditional);
  EXPECT_EQ(revalidated.status, 304u);
  EXPECT_EQ(revalidated.Header("access-control-allow-origin"), kPage);
}

TEST_F(ApiCors, ADisallowedOriginIsAnsweredWithoutCorsHeadersButVaryOrigin) {
  const ServerProcess server(Env(kPage), FreePort());
  for (const HeaderList& headers : {From("https://evil.example"), HeaderList{}}) {
    const auto reply = Fetch(server.port(), "GET", "/catalog?cut=Fair", {}, headers);
    EXPECT_EQ(reply.status, 200u);
    EXPECT_FALSE(HasCorsHeaders(reply));
    // Another origin's (or no origin's) answer must not be served to the page from a cache.
    EXPECT_TRUE(VariesOnOrigin(reply)) << reply.Header("vary");
  }
}

TEST_F(ApiCors, ErrorsAndWritesCarryTheOriginSoAPageCanReadThem) {
  const ServerProcess server(Env(kPage), FreePort());
  const auto unauthorized = Fetch(server.port(), "POST", "/catalog", kNewDiamond, From(kPage));
  EXPECT_EQ(unauthorized.status, 401u);
  EXPECT_EQ(unauthorized.Header("access-control-allow-origin"), kPage);
  EXPECT_EQ(unauthorized.Header("cache-control"), "no-store");
  HeaderList write = From(kPage, true);
  write.emplace_back("Content-Type", "application/json");
  const auto created = Fetch(server.port(), "POST", "/catalog", kNewDiamond, write);
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(created.Header("access-control-allow-origin"), kPage);
  EXPECT_FALSE(created.Header("location").empty());
  EXPECT_EQ(created.Header("cache-control"), "no-store");
  const auto missing = Fetch(server.port(), "GET", "/no/such/route", {}, From(kPage));
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.Header("access-control-allow-origin"), kPage);
}

TEST_F(ApiCors, AWildcardAllowsEveryOriginWithoutVary) {
  const ServerProcess server(Env("*"), FreePort());
  const auto reply = Fetch(server.port(), "GET", "/catalog", {}, From("https://any.example"));
  EXPECT_EQ(reply.Header("access-control-allow-origin"), "*");
  EXPECT_FALSE(VariesOnOrigin(reply)) << reply.Header("vary");
  const auto preflight =
      Fetch(server.port(), "OPTIONS", "/catalog", {}, Preflight("https://any.example", "POST"));
  EXPECT_EQ(preflight.status, 204u);
  EXPECT_EQ(preflight.Header("access-control-allow-origin"), "*");
}

TEST_F(ApiCors, ABadConfigurationStopsStartUpNamingTheVariable) {
  struct Case {
    std::map<std::string, std::string> env;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{{"CORS_ALLOWED_ORIGINS", "*"}, {"CORS_ALLOW_CREDENTIALS", "true"}},
       "CORS_ALLOWED_ORIGINS=* cannot be combined with CORS_ALLOW_CREDENTIALS=true"},
      {{{"CORS_ALLOWED_ORIGINS", "https://app.example.com/"}},
       "CORS_ALLOWED_ORIGINS: 'https://app.example.com/' is not an origin"},
      {{{"CORS_MAX_AGE_SECONDS", "-5"}}, "CORS_MAX_AGE_SECONDS"},
      {{{"CACHE_CONTROL_S_MAXAGE_SECONDS", "soon"}}, "CACHE_CONTROL_S_MAXAGE_SECONDS"},
      {{{"CACHE_CONTROL_STALE_WHILE_REVALIDATE_SECONDS", "-1"}},
       "CACHE_CONTROL_STALE_WHILE_REVALIDATE_SECONDS"},
  };
  for (const auto& bad : cases) {
    auto env = Env("");
    for (const auto& [name, value] : bad.env) env[name] = value;
    const auto port = FreePort();
    env["PORT"] = std::to_string(port);
    const auto result = RunVitrina({"serve"}, env, 20'000);
    EXPECT_GT(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find(bad.message), std::string::npos) << result.output;
    EXPECT_FALSE(IsListening(port));
  }
}

TEST_F(ApiCors, CacheControlPerEndpoint) {
  auto env = Env("");
  env["CACHE_CONTROL_S_MAXAGE_SECONDS"] = "300";
  env["CACHE_CONTROL_STALE_WHILE_REVALIDATE_SECONDS"] = "60";
  env["METRICS_ENABLED"] = "true";
  const ServerProcess server(env, FreePort());
  const auto port = server.port();
  // The development token leaves reads public: shared caches may keep them.
  const std::string reads = "public, max-age=0, s-maxage=300, stale-while-revalidate=60";
  for (const char* target : {"/catalog", "/catalog?cut=Fair", "/catalog/1", "/catalog/facets"}) {
    const auto reply = Fetch(port, "GET", target);
    EXPECT_EQ(reply.status, 200u) << target;
    EXPECT_EQ(reply.Header("cache-control"), reads) << target;
  }
  for (const char* target : {"/healthz", "/readyz", "/metrics"}) {
    EXPECT_EQ(Fetch(port, "GET", target).Header("cache-control"), "no-store") << target;
  }
  EXPECT_EQ(Fetch(port, "GET", "/openapi.json").Header("cache-control"), "no-cache");
  EXPECT_EQ(Fetch(port, "GET", "/").Header("cache-control"), "no-cache");
  EXPECT_EQ(Fetch(port, "GET", "/console/app.js").Header("cache-control"), "no-cache");
  EXPECT_EQ(Fetch(port, "GET", "/catalog/99999").Header("cache-control"), "no-store");
  EXPECT_EQ(Fetch(port, "GET", "/catalog?price_min=x").Header("cache-control"), "no-store");
  EXPECT_EQ(Fetch(port, "DELETE", "/catalog").Header("cache-control"), "no-store");  // 405
  HeaderList write = {{"Authorization", std::string("Bearer ") + kToken},
                      {"Content-Type", "application/json"}};
  const auto created = Fetch(port, "POST", "/catalog", kNewDiamond, write);
  ASSERT_EQ(created.status, 201u);
  EXPECT_EQ(created.Header("cache-control"), "no-store");
  const auto& location = created.Header("location");
  EXPECT_EQ(Fetch(port, "PUT", location, kNewDiamond, write).Header("cache-control"), "no-store");
  EXPECT_EQ(Fetch(port, "DELETE", location, {}, write).Header("cache-control"), "no-store");
}

}  // namespace
}  // namespace vitrina::itest
