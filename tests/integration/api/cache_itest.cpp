// The catalog cache over real HTTP: the real `vitrina serve` binary, PostgreSQL, and a Redis this
// suite starts itself (append-only file on, so data survives a restart like a persistent Redis
// would: a stale entry then survives an outage, which is what the outbox must handle).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <netinet/in.h>
#include <optional>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/own_redis_api_suite.hpp"
#include "support/test_env.hpp"
#include "vitrina/db/connection.hpp"

namespace vitrina::itest {
namespace {

using namespace std::chrono_literals;

constexpr const char* kToken = "itest-cache-admin-token";
const HeaderList kAdmin = {{"Authorization", std::string("Bearer ") + kToken},
                           {"Content-Type", "application/json"}};

std::string Diamond(const std::string& cut, const std::string& color, int price) {
  return R"({"carat":1.1,"cut":")" + cut + R"(","color":")" + color +
         R"(","clarity":"VS1","depth":61.7,"table":56,"price":)" + std::to_string(price) +
         R"(,"x":6.9,"y":6.95,"z":4.28})";
}

class CatalogCacheApi : public OwnRedisApiSuite<CatalogCacheApi> {
 protected:
  static void SetUpTestSuite() { StartSuite("vitrina_api_itest_cache", 40); }
  // This suite's Redis (append-only: tests restart it), a database of `rows` diamonds and a
  // server using both.
  static void StartSuite(const std::string& database, int rows) {
    OwnRedisApiSuite::StartSuite(database, rows, /*append_only=*/true, kToken);
  }

  static HttpReply Get(const std::string& target, const HeaderList& headers = {},
                       const ServerProcess* server = nullptr) {
    return Fetch((server != nullptr ? server : server_)->port(), "GET", target, {}, headers);
  }
  static HttpReply Write(const std::string& method, const std::string& target,
                         const std::string& body = {}, const ServerProcess* server = nullptr) {
    return Fetch((server != nullptr ? server : server_)->port(), method, target, body, kAdmin);
  }
  static std::int64_t Count(const HttpReply& reply) { return reply.Json().at("count").as_int64(); }
  static bool ContainsId(const HttpReply& reply, std::int64_t id) {
    const auto json = reply.Json();
    for (const auto& item : json.at("items").as_array()) {
      if (item.at("id").as_int64() == id) return true;
    }
    return false;
  }
  static std::int64_t OutboxRows() {
    auto connection = db::Connection::Open(database_url_);
    if (!connection) throw std::runtime_error(connection.error().message);
    auto result = connection->Execute("SELECT count(*) FROM cache_outbox");
    if (!result) throw std::runtime_error(result.error().message);
    return std::stoll(result->Scalar().value_or("-1"));
  }
};

// --- The durable outbox (issue #5: no invalidation is forgotten) ---

TEST_F(CatalogCacheApi, ConfirmedWritesLeaveNoOutboxRow) {
  const auto created = Write("POST", "/catalog", Diamond("Fair", "E", 900));
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto location = created.Header("location");
  ASSERT_EQ(Write("PUT", location, Diamond("Good", "F", 950)).status, 200u);
  ASSERT_EQ(Write("DELETE", location).status, 204u);
  EXPECT_EQ(OutboxRows(), 0);
}

TEST_F(CatalogCacheApi, AWriteWhileRedisIsDownKeepsItsOutboxRowUntilTheCacheIsFlushed) {
  ASSERT_EQ(Get("/catalog?cut=Fair").Header("x-cache"), "MISS");
  const auto before = Get("/catalog?cut=Fair");
  ASSERT_EQ(before.Header("x-cache"), "HIT");

  redis_->Stop();
  const auto created = Write("POST", "/catalog", Diamond("Fair", "E", 900));
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto id = created.Json().at("id").as_int64();
  EXPECT_EQ(OutboxRows(), 1) << "the unconfirmed invalidation must be recorded durably";
  const auto during = Get("/catalog?cut=Fair");
  EXPECT_EQ(during.Header("x-cache"), "BYPASS");
  EXPECT_EQ(Count(during), Count(before) + 1);
  EXPECT_TRUE(ContainsId(during, id));

  ASSERT_TRUE(redis_->Start());  // with the pre-write answer still stored
  // From the first request after the restart on, the answer is never the stale one.
  const auto deadline = std::chrono::steady_clock::now() + 6s;
  while (std::chrono::steady_clock::now() < deadline) {
    // Drained before this GET: the listener's invalidation is done, so a HIT now is final (read
    // after the GET, the row could vanish after an invalidation that deleted this very HIT).
    const bool drained = OutboxRows() == 0;
    const auto reply = Get("/catalog?cut=Fair");
    ASSERT_EQ(reply.status, 200u);
    ASSERT_TRUE(ContainsId(reply, id))
        << "stale answer served, X-Cache " << reply.Header("x-cache");
    if (drained && reply.Header("x-cache") == "HIT") break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(OutboxRows(), 0) << "the listener drains the row once Redis answers";
  const auto after = Get("/catalog?cut=Fair");
  EXPECT_EQ(after.Header("x-cache"), "HIT");
  EXPECT_EQ(Count(after), Count(before) + 1);
}

TEST_F(CatalogCacheApi, AWriterThatDiesBeforeInvalidatingIsCoveredByTheOtherInstancesListener) {
  // Instance B caches the answer; instance A writes while Redis is down and dies before it could
  // repair anything. Only the outbox row tells B that its cached answer is stale.
  ServerProcess other(Env(), FreePort());
  // Its listener flushes the cache once when it connects: wait until entries stay.
  HttpReply before;
  ASSERT_TRUE(WaitUntil(
      [&] {
        before = Get("/catalog?cut=Fair", {}, &other);
        return before.Header("x-cache") == "HIT";
      },
      5s));

  redis_->Stop();
  const auto created = Write("POST", "/catalog", Diamond("Fair", "E", 900));
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto id = created.Json().at("id").as_int64();
  server_->Signal(SIGKILL);
  server_->WaitForExit(5000);
  ASSERT_EQ(OutboxRows(), 1);

  ASSERT_TRUE(redis_->Start());
  EXPECT_EQ(redis_->Exists("catalog:cut=Fair"), "1") << "the stale answer survived the restart";
  ASSERT_TRUE(WaitUntil([] { return OutboxRows() == 0; }, 10s))
      << "instance B's listener did not drain the outbox";
  const auto after = Get("/catalog?cut=Fair", {}, &other);
  EXPECT_EQ(after.Header("x-cache"), "MISS");
  EXPECT_EQ(Count(after), Count(before) + 1);
  EXPECT_TRUE(ContainsId(after, id));
  // The suite's server is gone: later tests in this process start a new one.
  delete server_;
  server_ = new ServerProcess(Env(), FreePort());
}

// --- The brief's verification flow and the key contract, over HTTP ---

TEST_F(CatalogCacheApi, MissThenHitThenAWriteInvalidatesExactlyTheKeysItChanges) {
  const auto ideal = Get("/catalog?cut=Ideal");
  ASSERT_EQ(ideal.Header("x-cache"), "MISS");
  const auto miss = Get("/catalog?cut=Fair");
  ASSERT_EQ(miss.status, 200u);
  EXPECT_EQ(miss.Header("x-cache"), "MISS");
  EXPECT_EQ(miss.Header("x-cache-key"), "catalog:cut=Fair");
  const auto hit = Get("/catalog?cut=Fair");
  EXPECT_EQ(hit.Header("x-cache"), "HIT");
  EXPECT_EQ(hit.Header("x-cache-key"), "catalog:cut=Fair");
  EXPECT_EQ(hit.body, miss.body);
  EXPECT_EQ(hit.Header("etag"), miss.Header("etag"));
  EXPECT_EQ(redis_->Exists("catalog:cut=Fair"), "1");

  const auto created = Write("POST", "/catalog", Diamond("Fair", "E", 900));
  ASSERT_EQ(created.status, 201u) << created.body;
  // Deleted before the response was sent.
  EXPECT_EQ(redis_->Exists("catalog:cut=Fair"), "0");
  EXPECT_EQ(redis_->Exists("catalog:cut=Ideal"), "1");

  const auto again = Get("/catalog?cut=Fair");
  EXPECT_EQ(again.Header("x-cache"), "MISS");
  EXPECT_EQ(Count(again), Count(miss) + 1);
  EXPECT_TRUE(ContainsId(again, created.Json().at("id").as_int64()));
  EXPECT_NE(again.Header("etag"), miss.Header("etag"));
  const auto still = Get("/catalog?cut=Ideal");
  EXPECT_EQ(still.Header("x-cache"), "HIT");
  EXPECT_EQ(still.body, ideal.body);
}

TEST_F(CatalogCacheApi, KeysAreTheCanonicalQuery) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/catalog?cut=Ideal&color=E", "catalog:color=E&cut=Ideal"},
      {"/catalog?color=E&cut=Ideal", "catalog:color=E&cut=Ideal"},
      {"/catalog?cut=Very%20Good", "catalog:cut=Very%20Good"},
      {"/catalog?cut=Very+Good", "catalog:cut=Very%20Good"},
      {"/catalog?cut=Very%20Good&cut=Fair", "catalog:cut=Fair,Very%20Good"},
      {"/catalog?price_min=500.0", "catalog:price_min=500"},
      {"/catalog?price_min=500", "catalog:price_min=500"},
      {"/catalog", "catalog:all"},
      {"/catalog?limit=5&cut=Fair", "catalog:cut=Fair&limit=5"},
  };
  for (const auto& [target, key] : cases) {
    const auto reply = Get(target);
    ASSERT_EQ(reply.status, 200u) << target << ": " << reply.body;
    EXPECT_EQ(reply.Header("x-cache-key"), key) << target;
    EXPECT_EQ(redis_->Exists(key), "1") << target;
  }
  // The second spelling of each key is a hit on the first one's entry.
  EXPECT_EQ(Get("/catalog?color=E&cut=Ideal").Header("x-cache"), "HIT");
  EXPECT_EQ(Get("/catalog?price_min=500.00").Header("x-cache"), "HIT");
}

TEST_F(CatalogCacheApi, AnInvalidQueryIs400AndCreatesNoKey) {
  const auto keys_before = redis_->Cli("DBSIZE");
  for (const std::string target : {"/catalog?colour=E", "/catalog?cut=Fair&bogus=1",
                                   "/catalog?price_min=cheap", "/catalog?limit=0"}) {
    const auto reply = Get(target);
    EXPECT_EQ(reply.status, 400u) << target << ": " << reply.body;
    EXPECT_EQ(reply.Header("x-cache-key"), "") << target;
  }
  EXPECT_EQ(redis_->Cli("DBSIZE"), keys_before);
}

TEST_F(CatalogCacheApi, IfNoneMatchWithTheCurrentETagIs304) {
  const auto first = Get("/catalog?cut=Good");
  const auto etag = first.Header("etag");
  ASSERT_FALSE(etag.empty());
  const auto cached = Get("/catalog?cut=Good", {{"If-None-Match", etag}});
  EXPECT_EQ(cached.status, 304u);
  EXPECT_TRUE(cached.body.empty());
  EXPECT_EQ(cached.Header("etag"), etag);
  EXPECT_EQ(Get("/catalog?cut=Good", {{"If-None-Match", "\"other\""}}).status, 200u);

  // After a write the old ETag no longer matches.
  ASSERT_EQ(Write("POST", "/catalog", Diamond("Good", "D", 1200)).status, 201u);
  const auto changed = Get("/catalog?cut=Good", {{"If-None-Match", etag}});
  EXPECT_EQ(changed.status, 200u);
  EXPECT_NE(changed.Header("etag"), etag);
}

TEST_F(CatalogCacheApi, PutAndDeleteInvalidateTheOldAndTheNewVersion) {
  const auto created = Write("POST", "/catalog", Diamond("Fair", "E", 900));
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto location = created.Header("location");
  const auto id = created.Json().at("id").as_int64();
  for (const std::string cut : {"Fair", "Good", "Ideal"}) Get("/catalog?cut=" + cut);
  Get("/catalog?color=E");
  Get("/catalog?price_max=1000");
  Get("/catalog?price_min=5000");

  // Fair/E/900 becomes Good/F/950: the old version's keys (cut=Fair, color=E) and the new one's
  // (cut=Good) go; cut=Ideal and price_min=5000 match neither version and stay.
  ASSERT_EQ(Write("PUT", location, Diamond("Good", "F", 950)).status, 200u);
  EXPECT_EQ(redis_->Exists("catalog:cut=Fair"), "0");
  EXPECT_EQ(redis_->Exists("catalog:color=E"), "0");
  EXPECT_EQ(redis_->Exists("catalog:cut=Good"), "0");
  EXPECT_EQ(redis_->Exists("catalog:price_max=1000"), "0");
  EXPECT_EQ(redis_->Exists("catalog:cut=Ideal"), "1");
  EXPECT_EQ(redis_->Exists("catalog:price_min=5000"), "1");
  EXPECT_FALSE(ContainsId(Get("/catalog?cut=Fair"), id));
  EXPECT_TRUE(ContainsId(Get("/catalog?cut=Good"), id));

  ASSERT_EQ(Get("/catalog?cut=Good").Header("x-cache"), "HIT");
  ASSERT_EQ(Get("/catalog?cut=Fair").Header("x-cache"), "HIT");
  ASSERT_EQ(Write("DELETE", location).status, 204u);
  EXPECT_EQ(redis_->Exists("catalog:cut=Good"), "0");
  EXPECT_EQ(redis_->Exists("catalog:cut=Fair"), "1");  // the deleted version was not Fair
  EXPECT_EQ(redis_->Exists("catalog:cut=Ideal"), "1");
  const auto good = Get("/catalog?cut=Good");
  EXPECT_EQ(good.Header("x-cache"), "MISS");
  EXPECT_FALSE(ContainsId(good, id));
  EXPECT_EQ(Get("/catalog?cut=Ideal").Header("x-cache"), "HIT");
}

TEST_F(CatalogCacheApi, CacheEnabledFalseAnswersDisabledAndStoresNothing) {
  auto env = Env();
  env["CACHE_ENABLED"] = "false";
  ServerProcess plain(env, FreePort());
  for (int i = 0; i < 2; ++i) {
    const auto reply = Get("/catalog?cut=Fair", {}, &plain);
    ASSERT_EQ(reply.status, 200u);
    EXPECT_EQ(reply.Header("x-cache"), "DISABLED");
  }
  EXPECT_EQ(redis_->Exists("catalog:cut=Fair"), "0");
}

TEST_F(CatalogCacheApi, RedisStoppedAnswersBypassWithCorrectDataAndRecovers) {
  const auto cached = Get("/catalog?cut=Premium");
  ASSERT_EQ(cached.Header("x-cache"), "MISS");
  redis_->Stop();
  // How quickly a read gives up on a dead Redis is the breaker's business (cache/fault_itest.cpp,
  // relative to its timeouts); here: every answer is correct and says where it came from.
  for (int i = 0; i < 3; ++i) {
    const auto reply = Get("/catalog?cut=Premium");
    ASSERT_EQ(reply.status, 200u);
    EXPECT_EQ(reply.Header("x-cache"), "BYPASS");
    EXPECT_EQ(reply.body, cached.body);
  }
  ASSERT_TRUE(redis_->Start());
  EXPECT_TRUE(WaitUntil([] { return Get("/catalog?cut=Premium").Header("x-cache") == "HIT"; }, 5s));
  EXPECT_EQ(Get("/catalog?cut=Premium").body, cached.body);
}

// --- `vitrina demo cache` against a running server ---

struct DemoRun {
  int exit_code = -1;
  std::string output;
};

DemoRun RunDemo(std::uint16_t port, const std::string& redis_url) {
  const auto output =
      Capture(std::string("env -u DEMO_ADMIN_EMAIL -u DEMO_ADMIN_PASSWORD ") + VITRINA_BINARY +
              " demo cache --url http://127.0.0.1:" + std::to_string(port) + " --redis-url " +
              redis_url + " --token " + kToken + " 2>&1; echo \"exit=$?\"");
  DemoRun run;
  const auto marker = output.rfind("exit=");
  if (marker == std::string::npos) return run;
  run.exit_code = std::stoi(output.substr(marker + 5));
  run.output = output.substr(0, marker);
  return run;
}

TEST_F(CatalogCacheApi, DemoCacheRunsTheFlowAndCleansUpSoItCanRunAgain) {
  // As a user would come to it: after trying the README's curl, ?cut=Fair is already cached.
  const auto before = Count(Get("/catalog?cut=Fair"));
  ASSERT_EQ(Get("/catalog?cut=Fair").Header("x-cache"), "HIT");
  for (int run = 0; run < 2; ++run) {
    const auto demo = RunDemo(server_->port(), redis_->Url());
    EXPECT_EQ(demo.exit_code, 0) << demo.output;
    EXPECT_NE(demo.output.find("step "), std::string::npos) << demo.output;
    EXPECT_NE(demo.output.find("| request "), std::string::npos) << demo.output;
    EXPECT_NE(demo.output.find("GET /catalog?cut=Fair"), std::string::npos);
    EXPECT_NE(demo.output.find("| MISS "), std::string::npos);
    EXPECT_NE(demo.output.find("| HIT "), std::string::npos);
    EXPECT_NE(demo.output.find("EXISTS catalog:cut=Fair"), std::string::npos);
    EXPECT_NE(demo.output.find("deleted before the 201 was sent"), std::string::npos);
    EXPECT_NE(demo.output.find("all expectations met"), std::string::npos) << demo.output;
    EXPECT_EQ(demo.output.find("FAIL"), std::string::npos) << demo.output;
  }
  EXPECT_EQ(Count(Get("/catalog?cut=Fair")), before) << "the demo deletes what it created";
}

TEST_F(CatalogCacheApi, DemoCacheFailsAndSaysWhyWhenTheCacheIsOff) {
  auto env = Env();
  env["CACHE_ENABLED"] = "false";
  ServerProcess plain(env, FreePort());
  const auto demo = RunDemo(plain.port(), redis_->Url());
  EXPECT_EQ(demo.exit_code, 1) << demo.output;
  EXPECT_NE(demo.output.find("FAIL: expected X-Cache MISS, got DISABLED"), std::string::npos)
      << demo.output;
  EXPECT_NE(demo.output.find("expectation(s) failed"), std::string::npos) << demo.output;
}

// --- Large hits sent from a sealed file with sendfile(2) ---

// A raw HTTP/1.1 connection whose receive buffer is tiny, so the server's socket fills up and it
// must wait for the client instead of writing everything at once.
class SlowClient {
 public:
  explicit SlowClient(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    const int tiny = 4096;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &tiny, sizeof tiny);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("connect failed");
    }
  }
  ~SlowClient() { ::close(fd_); }
  SlowClient(const SlowClient&) = delete;
  SlowClient& operator=(const SlowClient&) = delete;

  void Send(const std::string& request) const {
    ASSERT_EQ(::send(fd_, request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
  }
  // Reads until `count` bytes arrived or the connection ended.
  std::string Read(std::size_t count) const {
    std::string bytes;
    char buffer[8192];
    while (bytes.size() < count) {
      const auto got = ::recv(fd_, buffer, std::min(sizeof buffer, count - bytes.size()), 0);
      if (got <= 0) break;
      bytes.append(buffer, static_cast<std::size_t>(got));
    }
    return bytes;
  }
  // One response: its header block, then exactly Content-Length bytes of body.
  std::pair<std::string, std::string> ReadResponse() const {
    std::string header;
    while (header.find("\r\n\r\n") == std::string::npos) {
      const auto byte = Read(1);
      if (byte.empty()) return {header, {}};
      header += byte;
    }
    std::string lower = header;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto at = lower.find("content-length: ");
    if (at == std::string::npos) return {header, {}};
    return {header, Read(std::stoul(header.substr(at + 16)))};
  }

 private:
  int fd_;
};

// Its own server, Redis and a larger catalog; it reuses CatalogCacheApi's helpers and static
// members (gtest sets up and tears down one suite at a time).
class CachedFileBodies : public CatalogCacheApi {
 protected:
  // About 7 MB for the full catalog, like the real dataset's: more than the kernel takes into a
  // socket's send buffer (at most 4 MiB, net.ipv4.tcp_wmem), so a client that does not read
  // makes the server wait for it.
  static void SetUpTestSuite() { StartSuite("vitrina_api_itest_cache_files", 50000); }
  static void TearDownTestSuite() { CatalogCacheApi::TearDownTestSuite(); }

  // The full catalog as a MISS (from PostgreSQL), then cached and kept with a file.
  static std::string Prime() {
    const auto miss = Get("/catalog");
    EXPECT_EQ(miss.Header("x-cache"), "MISS");
    return miss.body;
  }
  static double LocalFiles() {
    const auto metrics = Get("/metrics").body;
    const std::string name = "vitrina_cache_local_copies{measure=\"files\"} ";
    const auto at = metrics.find(name);
    return at == std::string::npos ? -1 : std::stod(metrics.substr(at + name.size()));
  }
};

TEST_F(CachedFileBodies, ALargeHitReachesASlowReaderWholeAndTheConnectionStaysUsable) {
  const auto expected = Prime();
  ASSERT_GT(expected.size(), std::size_t{5} << 20);
  EXPECT_EQ(LocalFiles(), 1);
  SlowClient client(server_->port());
  for (int request = 0; request < 2; ++request) {  // the second on the same connection
    client.Send("GET /catalog HTTP/1.1\r\nHost: x\r\n\r\n");
    std::this_thread::sleep_for(300ms);  // not reading: the server's socket buffer fills up
    const auto [header, body] = client.ReadResponse();
    EXPECT_NE(header.find("X-Cache: HIT"), std::string::npos) << header;
    EXPECT_NE(header.find("Content-Length: " + std::to_string(expected.size())), std::string::npos)
        << header;
    EXPECT_EQ(body.size(), expected.size());
    EXPECT_TRUE(body == expected) << "the body sent from the file differs from the MISS body";
  }
  client.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(client.ReadResponse().first.find("200 OK"), std::string::npos);
}

TEST_F(CachedFileBodies, ClientsLeavingMidBodyDoNotStopTheServer) {
  const auto expected = Prime();
  // Each client closes with unread bytes, so the server's next send to it fails (EPIPE, not a
  // SIGPIPE) while it answers the next requests: no pause needed, the two overlap on purpose.
  for (int round = 0; round < 20; ++round) {
    {
      SlowClient client(server_->port());
      client.Send("GET /catalog HTTP/1.1\r\nHost: x\r\n\r\n");
      EXPECT_EQ(client.Read(1000).size(), 1000u);
    }
    ASSERT_EQ(Get("/healthz").status, 200u) << server_->Log();
  }
  const auto after = Get("/catalog");
  EXPECT_EQ(after.Header("x-cache"), "HIT");
  EXPECT_TRUE(after.body == expected);
  EXPECT_EQ(Get("/healthz").status, 200u) << server_->Log();
}

TEST_F(CachedFileBodies, SmallAnswersAndHttp10AreServedToo) {
  Prime();
  const auto small_miss = Get("/catalog?cut=Fair&limit=5");
  const auto small_hit = Get("/catalog?cut=Fair&limit=5");
  EXPECT_EQ(small_hit.Header("x-cache"), "HIT");
  EXPECT_EQ(small_hit.body, small_miss.body);
  EXPECT_EQ(LocalFiles(), 1) << "an answer under CACHE_SENDFILE_MIN_BYTES has no file";
  // HTTP/1.0: Content-Length framed, then the server closes the connection.
  HttpClient client(server_->port());
  const auto reply = client.SendRaw("GET /catalog HTTP/1.0\r\n\r\n");
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.Header("x-cache"), "HIT");
  EXPECT_EQ(reply.body.size(), Get("/catalog").body.size());
}

}  // namespace
}  // namespace vitrina::itest
