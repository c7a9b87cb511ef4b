// AUTH_PUBLIC_READS with Firebase configured (docs/api.md, "Public reads"; docs/auth.md,
// "Settings"): `true` opens the catalog reads to anyone, writes and /users still need an active
// admin; unset (the default, false) every catalog read needs a token.
#include <chrono>
#include <functional>
#include <thread>
#include <unistd.h>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/own_redis.hpp"
#include "support/test_env.hpp"

namespace vitrina::itest {
namespace {

using namespace std::chrono_literals;

constexpr const char* kNewDiamond =
    R"({"carat":1.25,"cut":"Ideal","color":"F","clarity":"VS1","depth":61.7,"table":56,)"
    R"("price":9000,"x":6.9,"y":6.95,"z":4.28})";
constexpr const char* kPassword = "secret-password-7";

std::string UniqueEmail(const std::string& name) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return name + "-" + std::to_string(getpid()) + "-" +
         std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now).count()) +
         "@example.com";
}

HeaderList Json(const std::string& token = {}) {
  HeaderList headers{{"Content-Type", "application/json"}};
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return headers;
}

class ApiPublicReads : public ::testing::Test {
 protected:
  void SetUp() override {
    VITRINA_REQUIRE_ENV(emulator, "FIREBASE_AUTH_EMULATOR_HOST");
    VITRINA_REQUIRE_ENV(project, "FIREBASE_PROJECT_ID");
    VITRINA_REQUIRE_ENV(admin_url, "DATABASE_URL");
    emulator_ = emulator;
    project_ = project;
    url_ = LoadDiamondsDatabase("vitrina_api_itest_public_reads", MakeDiamonds(10));
  }

  // A Firebase-backed server; `public_reads` is AUTH_PUBLIC_READS, empty for unset.
  std::unique_ptr<ServerProcess> StartServer(const std::string& public_reads) const {
    auto env = ServerEnv(url_, SourcePath("datasets/diamonds.yaml"));
    env["FIREBASE_AUTH_EMULATOR_HOST"] = emulator_;
    env["FIREBASE_PROJECT_ID"] = project_;
    env["AUTH_PUBLIC_READS"] = public_reads;
    return std::make_unique<ServerProcess>(env, FreePort());
  }

  // Signs up and logs in a new user: {uid, token}.
  static std::pair<std::string, std::string> NewUser(const ServerProcess& server,
                                                     const std::string& name) {
    const auto email = UniqueEmail(name);
    const auto credentials =
        boost::json::serialize(boost::json::object{{"email", email}, {"password", kPassword}});
    const auto signed_up = Fetch(server.port(), "POST", "/signup", credentials, Json());
    EXPECT_EQ(signed_up.status, 201u) << signed_up.body;
    const auto login = Fetch(server.port(), "POST", "/login", credentials, Json());
    EXPECT_EQ(login.status, 200u) << login.body;
    if (signed_up.status != 201 || login.status != 200) return {};
    return {std::string(signed_up.Json().at("uid").as_string()),
            std::string(login.Json().at("access_token").as_string())};
  }

  // The user-status cache keeps a row up to USER_STATUS_FRESHNESS_MS (1 s): asks until `status`.
  static HttpReply EventuallyStatus(unsigned status, const std::function<HttpReply()>& call) {
    HttpReply reply = call();
    WaitUntil(
        [&] {
          reply = call();
          return reply.status == status;
        },
        10s);
    return reply;
  }

  std::string emulator_, project_, url_;
};

TEST_F(ApiPublicReads, TrueOpensCatalogReadsButWritesAndUsersStillNeedAnActiveAdmin) {
  auto server = StartServer("true");
  const auto port = server->port();
  for (const char* target : {"/catalog", "/catalog/1", "/catalog/facets", "/catalog?cut=Fair"}) {
    const auto reply = Fetch(port, "GET", target);
    EXPECT_EQ(reply.status, 200u) << target << ": " << reply.body;
  }
  EXPECT_EQ(Fetch(port, "GET", "/catalog/99999").status, 404u);

  // Anonymous: every write and /users is 401, as without public reads.
  EXPECT_EQ(Fetch(port, "POST", "/catalog", kNewDiamond, Json()).status, 401u);
  EXPECT_EQ(Fetch(port, "PUT", "/catalog/1", kNewDiamond, Json()).status, 401u);
  EXPECT_EQ(Fetch(port, "DELETE", "/catalog/2").status, 401u);
  EXPECT_EQ(Fetch(port, "GET", "/users").status, 401u);
  EXPECT_EQ(Fetch(port, "GET", "/me").status, 401u);

  // A signed-in user who is not an admin: 403.
  const auto user = NewUser(*server, "public-reads");
  const std::string uid = user.first;
  const std::string token = user.second;
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(Fetch(port, "POST", "/catalog", kNewDiamond, Json(token)).status, 403u);
  EXPECT_EQ(Fetch(port, "DELETE", "/catalog/2", {}, Json(token)).status, 403u);
  EXPECT_EQ(Fetch(port, "GET", "/users", {}, Json(token)).status, 403u);

  // The same user made an admin writes; deactivated, no longer, though reads stay open.
  ExecuteSql(url_, "UPDATE users SET is_admin = true WHERE uid = '" + uid + "'");
  const auto created = EventuallyStatus(
      201, [&] { return Fetch(port, "POST", "/catalog", kNewDiamond, Json(token)); });
  EXPECT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(Fetch(port, "GET", "/users", {}, Json(token)).status, 200u);
  ExecuteSql(url_, "UPDATE users SET is_active = false WHERE uid = '" + uid + "'");
  const auto refused = EventuallyStatus(
      403, [&] { return Fetch(port, "POST", "/catalog", kNewDiamond, Json(token)); });
  EXPECT_EQ(refused.status, 403u) << refused.body;
  EXPECT_EQ(Fetch(port, "GET", "/users", {}, Json(token)).status, 403u);
  EXPECT_EQ(Fetch(port, "GET", "/catalog/1").status, 200u);
}

TEST_F(ApiPublicReads, UnsetEveryCatalogReadNeedsAToken) {
  auto server = StartServer("");
  const auto port = server->port();
  for (const char* target : {"/catalog", "/catalog/1", "/catalog/facets"}) {
    const auto reply = Fetch(port, "GET", target);
    EXPECT_EQ(reply.status, 401u) << target << ": " << reply.body;
    EXPECT_EQ(reply.Header("www-authenticate"), "Bearer") << target;
  }
  const std::string token = NewUser(*server, "private-reads").second;
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(Fetch(port, "GET", "/catalog/1", {}, Json(token)).status, 200u);
  // Still open: what a load balancer and a browser need before anyone logs in.
  EXPECT_EQ(Fetch(port, "GET", "/healthz").status, 200u);
  EXPECT_EQ(Fetch(port, "GET", "/openapi.json").status, 200u);
}

// RFC 9111 (docs/api.md, "Caching headers"): what downstream caches may keep, by read policy.
TEST_F(ApiPublicReads, CatalogReadsArePrivateWithATokenAndSharedWhenPublic) {
  auto server = StartServer("");
  const auto user = NewUser(*server, "cache-control");
  ASSERT_FALSE(user.second.empty());
  for (const char* target : {"/catalog", "/catalog/1", "/catalog/facets"}) {
    const auto reply = Fetch(server->port(), "GET", target, {}, Json(user.second));
    EXPECT_EQ(reply.status, 200u) << target << ": " << reply.body;
    EXPECT_EQ(reply.Header("cache-control"), "private, no-cache") << target;
  }
  // The 304 of a revalidation says the same (RFC 9111 section 4.3.4).
  const auto first = Fetch(server->port(), "GET", "/catalog", {}, Json(user.second));
  HeaderList conditional = Json(user.second);
  conditional.emplace_back("If-None-Match", first.Header("etag"));
  const auto revalidated = Fetch(server->port(), "GET", "/catalog", {}, conditional);
  EXPECT_EQ(revalidated.status, 304u);
  EXPECT_EQ(revalidated.Header("cache-control"), "private, no-cache");
  // Sign-up, login, /me and the 401 of a missing token are never stored.
  const auto email = UniqueEmail("cache-control-login");
  const auto credentials =
      boost::json::serialize(boost::json::object{{"email", email}, {"password", kPassword}});
  const auto signed_up = Fetch(server->port(), "POST", "/signup", credentials, Json());
  EXPECT_EQ(signed_up.status, 201u);
  EXPECT_EQ(signed_up.Header("cache-control"), "no-store");
  const auto login = Fetch(server->port(), "POST", "/login", credentials, Json());
  EXPECT_EQ(login.status, 200u);
  EXPECT_EQ(login.Header("cache-control"), "no-store");
  EXPECT_EQ(Fetch(server->port(), "GET", "/me", {}, Json(user.second)).Header("cache-control"),
            "no-store");
  EXPECT_EQ(Fetch(server->port(), "GET", "/catalog").Header("cache-control"), "no-store");
  server.reset();

  auto env = ServerEnv(url_, SourcePath("datasets/diamonds.yaml"));
  env["FIREBASE_AUTH_EMULATOR_HOST"] = emulator_;
  env["FIREBASE_PROJECT_ID"] = project_;
  env["AUTH_PUBLIC_READS"] = "true";
  env["CACHE_CONTROL_S_MAXAGE_SECONDS"] = "120";
  env["CACHE_CONTROL_STALE_WHILE_REVALIDATE_SECONDS"] = "15";
  const ServerProcess open(env, FreePort());
  for (const char* target : {"/catalog", "/catalog/1", "/catalog/facets"}) {
    const auto reply = Fetch(open.port(), "GET", target);
    EXPECT_EQ(reply.status, 200u) << target;
    EXPECT_EQ(reply.Header("cache-control"),
              "public, max-age=0, s-maxage=120, stale-while-revalidate=15")
        << target;
  }
  EXPECT_EQ(Fetch(open.port(), "GET", "/catalog/99999").Header("cache-control"), "no-store");
}

}  // namespace
}  // namespace vitrina::itest
