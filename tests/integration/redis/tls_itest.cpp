// rediss://: TLS to Redis with the certificate chain and the server's name verified, against
// redis-server instances this test starts with certificates it makes itself (support/test_pki):
// one node, a node that requires a client certificate, and a three-master TLS cluster.
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/ip/tcp.hpp>

#include "cache/cache_test_support.hpp"
#include "support/api_harness.hpp"
#include "support/own_redis.hpp"
#include "support/test_env.hpp"
#include "support/test_pki.hpp"

namespace vitrina::cache::testing {
namespace {

using itest::OwnRedis;
using itest::OwnRedisOptions;
using itest::OwnRedisTls;
using itest::TestPki;

// The names a server certificate of ours carries: what a client reaching 127.0.0.1 or localhost
// may check.
constexpr const char* kLocalNames = "DNS:localhost,IP:127.0.0.1";

OwnRedisOptions TlsOptions(const TestPki& pki, const itest::IssuedCertificate& server,
                           const std::string& auth_clients = "no") {
  OwnRedisOptions options;
  OwnRedisTls tls;
  tls.cert_file = server.cert_file;
  tls.key_file = server.key_file;
  tls.ca_file = pki.ca_file();
  tls.auth_clients = auth_clients;
  options.tls = tls;
  return options;
}

class RedisTlsTest : public ::testing::Test {
 protected:
  redis::RedisSettings Settings(const std::string& url, const std::string& ca_file) {
    auto address = redis::core::ParseRedisUrl(url);
    EXPECT_TRUE(address.ok()) << url;
    redis::RedisSettings settings;
    settings.nodes.push_back(*address);
    settings.tls.enabled = address->tls;
    settings.tls.ca_file = ca_file;
    settings.command_timeout = 2s;  // a handshake on a loaded 2-core machine
    return settings;
  }

  base::Result<redis::RedisReply> Send(const redis::RedisSettings& settings,
                                       redis::RedisArgs args) {
    auto client = redis::MakeRedisClient(pool_.executor(), settings);
    return pool_.Run(client->Command(std::move(args)));
  }

  // The port of a TLS server on 127.0.0.1, for URLs with another host name.
  static std::string Port(const OwnRedis& server) { return std::to_string(server.port()); }

  TestPki pki_;
  AsioPool pool_{2};
};

TEST_F(RedisTlsTest, TlsNodeAnswersOverRedissWithTheTestCa) {
  OwnRedis server(TlsOptions(pki_, pki_.Issue("server", kLocalNames)));
  ASSERT_TRUE(server.Start());

  // By IP (checked against the certificate's IP address) and by name (SNI and DNS name).
  for (const auto& url : {server.Url(), "rediss://localhost:" + Port(server)}) {
    const auto settings = Settings(url, pki_.ca_file());
    auto stored = Send(settings, {"SET", "vitrina-tls", "over TLS"});
    ASSERT_TRUE(stored.ok()) << url << ": " << stored.error().detail;
    auto read = Send(settings, {"GET", "vitrina-tls"});
    ASSERT_TRUE(read.ok()) << read.error().detail;
    EXPECT_EQ(read->text, "over TLS");
    EXPECT_EQ(redis::MakeRedisClient(pool_.executor(), settings)->Describe(), url);
  }
}

TEST_F(RedisTlsTest, PlainClientCannotTalkToTheTlsPort) {
  OwnRedis server(TlsOptions(pki_, pki_.Issue("server", kLocalNames)));
  ASSERT_TRUE(server.Start());
  auto settings = Settings("redis://127.0.0.1:" + Port(server), "");
  settings.command_timeout = 300ms;
  auto reply = Send(settings, {"PING"});
  EXPECT_FALSE(reply.ok() && reply->text == "PONG");
}

TEST_F(RedisTlsTest, ServerSignedByAnotherCaIsRefused) {
  OwnRedis server(TlsOptions(pki_, pki_.Issue("server", kLocalNames)));
  ASSERT_TRUE(server.Start());
  TestPki stranger;
  auto reply = Send(Settings(server.Url(), stranger.ca_file()), {"PING"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, base::ErrorCode::kUnavailable);
  EXPECT_NE(reply.error().detail.find("certificate not trusted"), std::string::npos)
      << reply.error().detail;
}

TEST_F(RedisTlsTest, TheSystemStoreDoesNotTrustATestCa) {
  OwnRedis server(TlsOptions(pki_, pki_.Issue("server", kLocalNames)));
  ASSERT_TRUE(server.Start());
  auto reply = Send(Settings(server.Url(), ""), {"PING"});  // no CA file: the system's store
  ASSERT_FALSE(reply.ok());
  EXPECT_NE(reply.error().detail.find("certificate not trusted"), std::string::npos)
      << reply.error().detail;
}

TEST_F(RedisTlsTest, CertificateForAnotherNameIsRefused) {
  OwnRedis server(TlsOptions(pki_, pki_.Issue("other", "DNS:cache.example.org")));
  ASSERT_TRUE(server.Start());

  auto by_name = Send(Settings("rediss://localhost:" + Port(server), pki_.ca_file()), {"PING"});
  ASSERT_FALSE(by_name.ok());
  EXPECT_NE(by_name.error().detail.find("hostname mismatch"), std::string::npos)
      << by_name.error().detail;
  auto by_ip = Send(Settings(server.Url(), pki_.ca_file()), {"PING"});
  ASSERT_FALSE(by_ip.ok());
  EXPECT_NE(by_ip.error().detail.find("IP address mismatch"), std::string::npos)
      << by_ip.error().detail;

  // REDIS_TLS_SERVER_NAME checks the name the certificate does carry (a cluster announcing its
  // nodes by IP, with a certificate for its host name).
  auto settings = Settings(server.Url(), pki_.ca_file());
  settings.tls.server_name = "cache.example.org";
  auto named = Send(settings, {"PING"});
  ASSERT_TRUE(named.ok()) << named.error().detail;
  EXPECT_EQ(named->text, "PONG");
}

TEST_F(RedisTlsTest, ClientCertificateIsPresentedWhenTheServerRequiresOne) {
  const auto client = pki_.Issue("vitrina-client");
  auto options = TlsOptions(pki_, pki_.Issue("server", kLocalNames), "yes");
  options.tls->client_cert_file = client.cert_file;
  options.tls->client_key_file = client.key_file;
  OwnRedis server(options);
  ASSERT_TRUE(server.Start());

  auto without = Send(Settings(server.Url(), pki_.ca_file()), {"PING"});
  EXPECT_FALSE(without.ok() && without->text == "PONG");

  auto settings = Settings(server.Url(), pki_.ca_file());
  settings.tls.cert_file = client.cert_file;
  settings.tls.key_file = client.key_file;
  auto with = Send(settings, {"PING"});
  ASSERT_TRUE(with.ok()) << with.error().detail;
  EXPECT_EQ(with->text, "PONG");
}

TEST_F(RedisTlsTest, PasswordAndAclUserLogInOverTls) {
  OwnRedis server(TlsOptions(pki_, pki_.Issue("server", kLocalNames)));
  ASSERT_TRUE(server.Start());
  ASSERT_EQ(server.Cli("ACL SETUSER cache-user on '>user-pass' '~*' '+@all'"), "OK");
  ASSERT_TRUE(server.SetPassword("s3cret"));
  const auto port = Port(server);

  auto good = Send(Settings("rediss://:s3cret@127.0.0.1:" + port, pki_.ca_file()), {"PING"});
  ASSERT_TRUE(good.ok()) << good.error().detail;
  EXPECT_EQ(good->text, "PONG");
  auto user = Send(Settings("rediss://cache-user:user-pass@127.0.0.1:" + port, pki_.ca_file()),
                   {"ACL", "WHOAMI"});
  ASSERT_TRUE(user.ok()) << user.error().detail;
  EXPECT_EQ(user->text, "cache-user");
  // A refused AUTH fails the call with Redis's reason instead of leaving NOAUTH replies.
  auto bad = Send(Settings("rediss://:wrong@127.0.0.1:" + port, pki_.ca_file()), {"PING"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().detail.find("AUTH refused"), std::string::npos) << bad.error().detail;
}

// The whole service over rediss://: `vitrina serve` configured as on Azure (a host name, the CA
// given by REDIS_TLS_CA_FILE) caches GET /catalog in the TLS Redis; a CA file it cannot read
// stops it at start-up instead of running without its cache.
TEST_F(RedisTlsTest, ServeCachesTheCatalogOverRediss) {
  VITRINA_REQUIRE_ENV(admin_url, "DATABASE_URL");
  OwnRedis server(TlsOptions(pki_, pki_.Issue("server", kLocalNames)));
  ASSERT_TRUE(server.Start());
  const auto database_url =
      itest::LoadDiamondsDatabase("vitrina_itest_redis_tls", itest::MakeDiamonds(20));
  auto env = itest::ServerEnv(database_url, itest::SourcePath("datasets/diamonds.yaml"));
  env["REDIS_URL"] = "rediss://localhost:" + Port(server);
  env["REDIS_CLUSTER_NODES"] = "";
  env["REDIS_TLS_CA_FILE"] = pki_.ca_file();
  env["CACHE_REDIS_TIMEOUT_MS"] = "1000";  // a loaded test machine; see cache_itest.cpp
  {
    itest::ServerProcess api(env, itest::FreePort());
    const auto miss = itest::Fetch(api.port(), "GET", "/catalog?cut=Fair");
    ASSERT_EQ(miss.status, 200U) << miss.body;
    EXPECT_EQ(miss.Header("x-cache"), "MISS");
    // The answer is stored after it is sent, through the background connection (whose first use
    // includes its TLS handshake): ask again until it is served from Redis rather than race it.
    itest::HttpReply hit;
    ASSERT_TRUE(itest::WaitUntil(
        [&] {
          hit = itest::Fetch(api.port(), "GET", "/catalog?cut=Fair");
          return hit.Header("x-cache") == "HIT";
        },
        10s))
        << hit.Header("x-cache") << "\n"
        << api.Log();
    EXPECT_EQ(hit.body, miss.body);
  }
  env["REDIS_TLS_CA_FILE"] = "/nonexistent/ca.pem";
  const auto refused = itest::RunVitrina({"serve"}, env, 15'000);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("REDIS_TLS_CA_FILE=/nonexistent/ca.pem cannot be read"),
            std::string::npos)
      << refused.output;
}

// A peer that accepts the connection and never answers the handshake costs a call the idle
// timeout, as a silent Redis does, and no more than the transfer timeout.
TEST_F(RedisTlsTest, SilentPeerFailsTheHandshakeAfterTheIdleTimeout) {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  std::vector<asio::ip::tcp::socket> accepted;
  std::thread accepting([&] {
    for (int i = 0; i < 2; ++i) accepted.push_back(acceptor.accept());
  });
  auto settings = Settings("rediss://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()),
                           pki_.ca_file());
  settings.command_timeout = 100ms;
  settings.transfer_timeout = 5s;
  auto reply = Send(settings, {"PING"});
  ASSERT_FALSE(reply.ok());
  EXPECT_NE(reply.error().detail.find("no reply for 100 ms"), std::string::npos)
      << reply.error().detail;
  // Unblock the acceptor thread whatever the client did.
  auto poke = asio::ip::tcp::socket(io);
  poke.connect(acceptor.local_endpoint());
  accepting.join();
}

// Three masters with TLS on the client port and on the cluster bus (--tls-cluster yes); the
// cluster client finds them through CLUSTER SLOTS, which announces their TLS ports.
class RedisTlsClusterTest : public RedisTlsTest {
 protected:
  void SetUp() override {
    const auto server = pki_.Issue("server", kLocalNames);
    for (int i = 0; i < 3; ++i) {
      auto options = TlsOptions(pki_, server, "optional");
      options.extra_args =
          "--cluster-enabled yes --cluster-config-file nodes.conf "
          "--cluster-port " +
          std::to_string(itest::FreePort()) + " --tls-cluster yes";
      nodes_.push_back(std::make_unique<OwnRedis>(options));
      ASSERT_TRUE(nodes_.back()->Start());
    }
    std::string addresses;
    for (const auto& node : nodes_) addresses += " 127.0.0.1:" + Port(*node);
    const auto created =
        itest::Capture("redis-cli --tls --cacert " + pki_.ca_file() + " --cluster create" +
                       addresses + " --cluster-replicas 0 --cluster-yes 2>&1");
    ASSERT_NE(created.find("All 16384 slots covered"), std::string::npos) << created;
    ASSERT_TRUE(itest::WaitUntil(
        [this] {
          for (const auto& node : nodes_) {
            if (node->Cli("CLUSTER INFO").find("cluster_state:ok") == std::string::npos) {
              return false;
            }
          }
          return true;
        },
        20s));
  }

  std::vector<std::unique_ptr<OwnRedis>> nodes_;
};

TEST_F(RedisTlsClusterTest, EveryCommandReachesItsSlotOwnerOverTls) {
  redis::RedisSettings settings;
  settings.cluster = true;
  settings.tls.enabled = true;
  settings.tls.ca_file = pki_.ca_file();
  settings.command_timeout = 2s;
  auto seeds = redis::core::ParseHostPortList("127.0.0.1:" + Port(*nodes_.front()));
  ASSERT_TRUE(seeds.ok());
  settings.nodes = *seeds;
  auto client = redis::MakeRedisClient(pool_.executor(), settings);
  EXPECT_EQ(client->Describe(), "tls-cluster(127.0.0.1:" + Port(*nodes_.front()) + ")");

  // 60 keys land on all three masters; each is written and read back through its owner.
  for (int i = 0; i < 60; ++i) {
    const auto key = "catalog:tls-" + std::to_string(i);
    auto stored = pool_.Run(client->Command({"SET", key, std::to_string(i)}));
    ASSERT_TRUE(stored.ok()) << key << ": " << stored.error().detail;
    ASSERT_EQ(stored->text, "OK") << key << ": " << stored->text;
  }
  int owners_with_keys = 0;
  for (const auto& node : nodes_) owners_with_keys += node->Cli("DBSIZE") != "0" ? 1 : 0;
  EXPECT_EQ(owners_with_keys, 3);
  for (int i = 0; i < 60; ++i) {
    auto read = pool_.Run(client->Command({"GET", "catalog:tls-" + std::to_string(i)}));
    ASSERT_TRUE(read.ok()) << read.error().detail;
    EXPECT_EQ(read->text, std::to_string(i));
  }
}

}  // namespace
}  // namespace vitrina::cache::testing
