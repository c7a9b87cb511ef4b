// Managed-identity tokens against a local stand-in of the identity endpoint of Azure Container
// Apps (tools/identity-endpoint.py, the same protocol: IDENTITY_ENDPOINT, X-IDENTITY-HEADER),
// with real services configured to accept the tokens it issues: a PostgreSQL of the test's own
// where a role's password (scram-sha-256) is the token, and a redis-server of the test's own
// where an ACL user named by the identity's object id has the token as its password.
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>

#include "cache/cache_test_support.hpp"
#include "identity/identity_endpoint.hpp"
#include "support/api_harness.hpp"
#include "support/own_redis.hpp"
#include "support/test_env.hpp"
#include "vitrina/db/connection.hpp"
#include "vitrina/identity/managed_identity.hpp"

namespace vitrina::cache::testing {
namespace {

using itest::IdentityEndpoint;
constexpr const char* kObjectId = itest::kIdentityObjectId;

TEST(ManagedIdentityTest, FirstTokenArrivesAndIsReplacedBeforeItExpires) {
  IdentityEndpoint endpoint(4);
  ASSERT_TRUE(endpoint.started());
  identity::ManagedIdentity managed(endpoint.Settings());
  auto source = managed.Source(identity::kPostgresResource);
  ASSERT_TRUE(source.ok()) << source.error().detail;
  auto first = (*source)->Current();
  ASSERT_TRUE(first.ok()) << first.error().detail;
  EXPECT_EQ(first->object_id, kObjectId);
  EXPECT_GT(first->expires_on, std::chrono::system_clock::now());
  // The same source for the same resource, another for another resource.
  auto again = managed.Source(identity::kPostgresResource);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *source);
  auto storage = managed.Source(identity::kStorageResource);
  ASSERT_TRUE(storage.ok());
  EXPECT_NE(*storage, *source);

  // A 4 s token is fetched again after half its life, before it expires; every token handed out
  // meanwhile is still valid.
  std::string replaced;
  EXPECT_TRUE(itest::WaitUntil(
      [&] {
        auto now = (*source)->Current();
        EXPECT_TRUE(now.ok()) << now.error().detail;
        if (now.ok() && now->value != first->value) replaced = now->value;
        return !replaced.empty();
      },
      6s));
}

TEST(ManagedIdentityTest, FailedRefreshKeepsTheTokenItHolds) {
  IdentityEndpoint endpoint(4);
  ASSERT_TRUE(endpoint.started());
  identity::ManagedIdentity managed(endpoint.Settings());
  auto source = managed.Source(identity::kRedisResource);
  ASSERT_TRUE(source.ok()) << source.error().detail;
  const auto first = (*source)->Current();
  ASSERT_TRUE(first.ok());
  endpoint.FailNext(3);  // the refresh due after 2 s fails three times, retried after 0.1-0.4 s
  std::this_thread::sleep_for(2500ms);
  auto held = (*source)->Current();
  ASSERT_TRUE(held.ok()) << held.error().detail;
  EXPECT_TRUE(itest::WaitUntil(
      [&] {
        auto now = (*source)->Current();
        return now.ok() && now->value != first->value;
      },
      3s));
}

TEST(ManagedIdentityTest, WrongHeaderStopsAtTheFirstToken) {
  IdentityEndpoint endpoint(3600);
  ASSERT_TRUE(endpoint.started());
  identity::ManagedIdentity managed(endpoint.Settings("not-the-header"));
  auto source = managed.Source(identity::kMonitorResource);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().code, base::ErrorCode::kUnavailable);
  EXPECT_NE(source.error().detail.find("HTTP 401"), std::string::npos) << source.error().detail;
}

// A PostgreSQL of the test's own (tools/services.sh), whose pg_hba.conf asks the role `entra_app`
// for a scram-sha-256 password on TCP: the shared one trusts every connection, which would accept
// any token.
class OwnPostgres {
 public:
  OwnPostgres() : state_("/tmp/vitrina-itest-pg-" + std::to_string(::getpid())) {
    const auto started =
        itest::Capture(itest::SourcePath("tools/services.sh") + " start " + state_ + " " +
                       std::to_string(itest::FreePort()) + " postgres 2>&1");
    std::ifstream env(state_ + "/env");
    for (std::string line; std::getline(env, line);) {
      if (line.rfind("DATABASE_URL=", 0) == 0) url_ = line.substr(13);
    }
    if (url_.empty()) {
      failure_ = "tools/services.sh did not start PostgreSQL: " + started;
      return;
    }
    const auto hba = itest::Capture("readlink -f " + state_ + "/pg") + "/data/pg_hba.conf";
    const auto rewritten = itest::Capture(
        "sed -i '1i host all entra_app 127.0.0.1/32 scram-sha-256' " + hba + " && echo ok");
    if (rewritten != "ok") failure_ = "cannot edit " + hba;
  }
  ~OwnPostgres() { itest::Capture(itest::SourcePath("tools/services.sh") + " stop " + state_); }
  OwnPostgres(const OwnPostgres&) = delete;
  OwnPostgres& operator=(const OwnPostgres&) = delete;

  const std::string& failure() const { return failure_; }
  const std::string& admin_url() const { return url_; }
  // The same server as the role entra_app, with no password in the URL.
  std::string AppUrl() const {
    const auto at = url_.find('@');
    return "postgresql://entra_app" + url_.substr(at);
  }

 private:
  std::string state_;
  std::string url_;
  std::string failure_;
};

TEST(ManagedIdentityTest, PostgresTakesTheTokenAsThePasswordOfNewConnections) {
  VITRINA_REQUIRE_ENV(database_url, "DATABASE_URL");  // the suite runs with PostgreSQL's tools
  // 10 s tokens: a new one every 5 s, time enough for the steps between two.
  IdentityEndpoint endpoint(10);
  ASSERT_TRUE(endpoint.started());
  OwnPostgres postgres;
  ASSERT_EQ(postgres.failure(), "");
  identity::ManagedIdentity managed(endpoint.Settings());
  auto source = managed.Source(identity::kPostgresResource);
  ASSERT_TRUE(source.ok()) << source.error().detail;
  // What Azure does for an Entra principal, by hand: the token is the role's password.
  const auto set_password = [&](const std::string& token) {
    itest::ExecuteSql(postgres.admin_url(),
                      "SET password_encryption = 'scram-sha-256'; "
                      "DO $$ BEGIN CREATE ROLE entra_app LOGIN; EXCEPTION WHEN duplicate_object "
                      "THEN NULL; END $$; ALTER ROLE entra_app PASSWORD '" +
                          token + "'; SELECT pg_reload_conf()");
  };
  const auto first = (*source)->Current();
  ASSERT_TRUE(first.ok());
  set_password(first->value);

  auto opened = db::Connection::Open(postgres.AppUrl(), 5s, "itest", *source);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto who = opened->Execute("SELECT current_user");
  ASSERT_TRUE(who.ok()) << who.error().detail;
  EXPECT_EQ(who->rows.at(0).at(0).value_or(""), "entra_app");
  // Without the token the URL has no password: refused (the rule above is enforced).
  EXPECT_FALSE(db::Connection::Open(postgres.AppUrl(), 5s, "itest").ok());

  // The token is replaced; the server now knows only the new one. The open connection goes on,
  // and a new connection presents the new token.
  ASSERT_TRUE(itest::WaitUntil(
      [&] {
        auto now = (*source)->Current();
        return now.ok() && now->value != first->value;
      },
      12s));
  set_password((*source)->Current()->value);
  EXPECT_TRUE(opened->Execute("SELECT 1").ok());
  auto second = db::Connection::Open(postgres.AppUrl(), 5s, "itest", *source);
  ASSERT_TRUE(second.ok()) << second.error().message;
}

TEST(ManagedIdentityTest, RedisLogsInWithTheObjectIdAndLogsInAgainWithANewToken) {
  // 10 s tokens: a new one every 5 s, time enough for the steps between two.
  IdentityEndpoint endpoint(10);
  ASSERT_TRUE(endpoint.started());
  itest::OwnRedis server(itest::OwnRedisOptions{});
  ASSERT_TRUE(server.Start());
  identity::ManagedIdentity managed(endpoint.Settings());
  auto source = managed.Source(identity::kRedisResource);
  ASSERT_TRUE(source.ok()) << source.error().detail;
  const auto first = (*source)->Current();
  ASSERT_TRUE(first.ok());
  // Azure Managed Redis's Entra users, by hand: the object id is the user, the token its password.
  ASSERT_EQ(server.Cli(std::string("ACL SETUSER ") + kObjectId + " on '>" + first->value +
                       "' '~*' '+@all'"),
            "OK");
  ASSERT_TRUE(server.SetPassword("not-used-here"));  // no login as the default user

  AsioPool pool(1);
  auto address = redis::core::ParseRedisUrl(server.Url());
  ASSERT_TRUE(address.ok());
  redis::RedisSettings settings;
  settings.nodes.push_back(*address);
  settings.token = *source;
  settings.command_timeout = 2s;
  auto client = redis::MakeRedisClient(pool.executor(), settings);
  const auto whoami = [&] {
    auto reply = pool.Run(client->Command({"ACL", "WHOAMI"}));
    return reply.ok() ? reply->text : "error: " + reply.error().detail;
  };
  EXPECT_EQ(whoami(), kObjectId);
  // AUTH calls so far, this probe's own (redis-cli -a) included.
  const auto auth_calls = [&] {
    const auto stats = server.Cli("INFO commandstats");
    const auto at = stats.find("cmdstat_auth:calls=");
    return at == std::string::npos ? 0 : std::stoi(stats.substr(at + 19));
  };

  // A new token: the server accepts only it from now on (as Azure does once the old one expired),
  // and the open connection logs in again with it before its next command.
  ASSERT_TRUE(itest::WaitUntil(
      [&] {
        auto now = (*source)->Current();
        return now.ok() && now->value != first->value;
      },
      12s));
  const auto second = (*source)->Current();
  ASSERT_EQ(
      server.Cli(std::string("ACL SETUSER ") + kObjectId + " resetpass '>" + second->value + "'"),
      "OK");
  const int logins = auth_calls();
  std::this_thread::sleep_for(1100ms);  // the client looks for a new token at most once a second
  EXPECT_EQ(whoami(), kObjectId);
  EXPECT_EQ(auth_calls(), logins + 2);  // the re-login, and this probe's own -a
  // A new connection logs in with the new token too.
  auto fresh = redis::MakeRedisClient(pool.executor(), settings);
  auto reply = pool.Run(fresh->Command({"ACL", "WHOAMI"}));
  ASSERT_TRUE(reply.ok()) << reply.error().detail;
  EXPECT_EQ(reply->text, kObjectId);
}

}  // namespace
}  // namespace vitrina::cache::testing
