// Unpaginated GET /catalog answers streamed from PostgreSQL (docs/api.md, "Streamed answers"): a
// catalog generated inside the test, large enough that every limit of the server is crossed (the
// whole-answer size, the cache's entry limit, the statement timeout by the length of a slow
// read), against the real `vitrina serve`, PostgreSQL and a Redis of the suite's own.
#include <arpa/inet.h>
#include <chrono>
#include <fstream>
#include <future>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/own_redis.hpp"
#include "support/test_env.hpp"
#include "vitrina/db/connection.hpp"
#include "vitrina/http/compression.hpp"

namespace vitrina::itest {
namespace {

using namespace std::chrono_literals;

// ~125 bytes of JSON per row: about 19 MB in all, against limits of 256 KiB (sent whole), 2 MiB
// (stored) and 2 s per statement.
constexpr int kRows = 150'000;
constexpr std::size_t kWholeMaxBytes = 256 * 1024;
constexpr std::size_t kCacheMaxEntryBytes = 2 * 1024 * 1024;
constexpr auto kStatementTimeout = 2000ms;
// 5,000 rows (~600 KB): streamed (over the whole-answer size) but stored (under the entry limit).
const std::string kMediumQuery = "/catalog?price_max=5000";

// A raw HTTP connection, for what the harness client hides: reading at our own pace, the framing
// as sent, and going away mid-answer.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port, int receive_buffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    // Set before connecting, so the window is small from the start: the server's writes block
    // after a few hundred KB instead of the kernel's megabytes.
    if (receive_buffer > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawConnection() { Reset(); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  void Send(const std::string& bytes) const {
    (void)::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }
  // Up to `most` bytes; empty at the end of the stream (or on an error).
  std::string Read(std::size_t most) const {
    std::string bytes(most, '\0');
    const auto got = ::recv(fd_, bytes.data(), most, 0);
    bytes.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    return bytes;
  }
  // Reads until `marker` was seen; everything read.
  std::string ReadThrough(const std::string& marker) const {
    std::string bytes;
    while (bytes.find(marker) == std::string::npos) {
      const auto piece = Read(64 * 1024);
      if (piece.empty()) break;
      bytes += piece;
    }
    return bytes;
  }
  std::string ReadAll() const {
    std::string bytes;
    for (auto piece = Read(1 << 20); !piece.empty(); piece = Read(1 << 20)) bytes += piece;
    return bytes;
  }
  // Closes with a reset, as a client that crashed or was killed.
  void Reset() {
    if (fd_ < 0) return;
    const linger abort{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

std::string Get(const std::string& target, const std::string& version = "HTTP/1.1") {
  return "GET " + target + " " + version + "\r\nHost: x\r\n\r\n";
}

// The body of a chunked message (after the header), checking the framing on the way; nullopt
// when it is malformed or has no last chunk.
std::optional<std::string> Dechunk(std::string_view coded) {
  std::string body;
  while (true) {
    const auto line_end = coded.find("\r\n");
    if (line_end == std::string_view::npos) return std::nullopt;
    const std::size_t size = std::stoul(std::string(coded.substr(0, line_end)), nullptr, 16);
    coded.remove_prefix(line_end + 2);
    if (size == 0) return coded == "\r\n" ? std::optional(body) : std::nullopt;
    if (coded.size() < size + 2 || coded.substr(size, 2) != "\r\n") return std::nullopt;
    body.append(coded.substr(0, size));
    coded.remove_prefix(size + 2);
  }
}

std::size_t ResidentKilobytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::stoul(line.substr(6));
  }
  return 0;
}

class CatalogStream : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!AdminDatabaseUrl()) return;
    redis_ = new OwnRedis({.port = 0, .append_only = false, .extra_args = "", .tls = {}});
    if (!redis_->Start()) {
      redis_start_failed_ = true;
      return;
    }
    url_ = new std::string(LoadDiamondsDatabase("vitrina_api_itest_stream", MakeDiamonds(0)));
    // Generated in PostgreSQL: price = id, so price ranges select known rows.
    ExecuteSql(
        *url_,
        "INSERT INTO diamonds (carat, cut, color, clarity, depth, \"table\", price, x, y, z) "
        "SELECT 0.2 + (i % 300) / 100.0, (ARRAY['Fair','Good','Very Good','Premium',"
        "'Ideal'])[1 + i % 5], (ARRAY['D','E','F','G','H','I','J'])[1 + i % 7], "
        "(ARRAY['I1','SI2','SI1','VS2','VS1','VVS2','VVS1','IF'])[1 + i % 8], "
        "55 + (i % 100) / 10.0, 50 + i % 20, i, 3 + (i % 500) / 100.0, "
        "3 + (i % 500) / 100.0, 2 + (i % 300) / 100.0 "
        "FROM generate_series(1, " +
            std::to_string(kRows) + ") AS i");
    ExecuteSql(*url_, "ANALYZE diamonds");
    server_ = new ServerProcess(Env(), FreePort());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete redis_;
    redis_ = nullptr;
    delete url_;
    url_ = nullptr;
  }
  void SetUp() override {
    VITRINA_REQUIRE(AdminDatabaseUrl(), "DATABASE_URL is not set");
    ASSERT_FALSE(redis_start_failed_) << "redis-server could not be started";
  }

  static std::map<std::string, std::string> Env() {
    auto env = ServerEnv(*url_, SourcePath("datasets/diamonds.yaml"));
    env["REDIS_URL"] = redis_->Url();
    env["REDIS_CLUSTER_NODES"] = "";
    env["DEV_ADMIN_TOKEN"] = "stream-admin";
    env["CACHE_REDIS_TIMEOUT_MS"] = "2000";
    env["CACHE_MAX_ENTRY_BYTES"] = std::to_string(kCacheMaxEntryBytes);
    env["CATALOG_STREAM_AFTER_BYTES"] = std::to_string(kWholeMaxBytes);
    env["CATALOG_STREAM_BATCH_ROWS"] = "500";
    env["CATALOG_MAX_STREAMS"] = "2";
    // The bound of each statement (each FETCH), and of each write to a client.
    env["REQUEST_TIMEOUT_MS"] = std::to_string(kStatementTimeout.count());
    return env;
  }

  // Backends of the server's pool that are inside a stream's transaction.
  static int StreamingBackends() {
    auto watcher = db::Connection::Open(*url_).value();
    auto found = watcher.Execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
        "application_name = 'vitrina-api' AND (query LIKE 'FETCH%vitrina_stream%' OR query LIKE "
        "'DECLARE vitrina_stream%') AND state <> 'idle'");
    return found.ok() ? std::stoi(found->Scalar().value_or("0")) : -1;
  }

  static void ExpectAllRowsInOrder(const std::string& body, std::int64_t first, std::int64_t rows) {
    const auto json = boost::json::parse(body).as_object();
    ASSERT_EQ(json.at("count").as_int64(), rows);
    const auto& items = json.at("items").as_array();
    ASSERT_EQ(static_cast<std::int64_t>(items.size()), rows);
    for (std::int64_t i = 0; i < rows; ++i) {
      ASSERT_EQ(items[static_cast<std::size_t>(i)].at("id").as_int64(), first + i) << i;
    }
  }

  static inline std::string* url_ = nullptr;
  static inline OwnRedis* redis_ = nullptr;
  static inline bool redis_start_failed_ = false;
  static inline ServerProcess* server_ = nullptr;
};

TEST_F(CatalogStream, TheWholeCatalogArrivesChunkedInOrderAndIsNotStoredPastTheEntryLimit) {
  const auto first = Fetch(server_->port(), "GET", "/catalog");
  ASSERT_EQ(first.status, 200u) << first.body.substr(0, 300);
  EXPECT_EQ(first.Header("transfer-encoding"), "chunked");
  EXPECT_EQ(first.Header("content-length"), "");
  EXPECT_EQ(first.Header("etag"), "");  // not known before the last byte
  EXPECT_EQ(first.Header("x-cache"), "MISS");
  EXPECT_GT(first.body.size(), 4 * kCacheMaxEntryBytes);
  EXPECT_TRUE(first.body.starts_with("{\"items\":[{\"id\":1,"));
  EXPECT_TRUE(first.body.ends_with("],\"count\":" + std::to_string(kRows) + "}"));
  ExpectAllRowsInOrder(first.body, 1, kRows);
  EXPECT_EQ(redis_->Exists("catalog:all"), "0");

  // Known too large now: streamed at once, without teeing a copy, and said so.
  const auto second = Fetch(server_->port(), "GET", "/catalog");
  EXPECT_EQ(second.status, 200u);
  EXPECT_EQ(second.Header("x-cache"), "BYPASS");
  EXPECT_EQ(second.Header("x-cache-bypass"), "too-large");
  EXPECT_EQ(second.body, first.body);
}

TEST_F(CatalogStream, AStreamedMissUnderTheEntryLimitIsStoredAndLaterHitsAreWhole) {
  redis_->FlushAll();
  const auto miss = Fetch(server_->port(), "GET", kMediumQuery);
  ASSERT_EQ(miss.status, 200u);
  EXPECT_EQ(miss.Header("transfer-encoding"), "chunked");
  EXPECT_EQ(miss.Header("x-cache"), "MISS");
  ExpectAllRowsInOrder(miss.body, 1, 5000);
  EXPECT_GT(miss.body.size(), kWholeMaxBytes);
  // The copy is stored by the miss's own Get after the last byte: wait for it, not a while.
  ASSERT_TRUE(WaitUntil([] { return redis_->Exists("catalog:price_max=5000") == "1"; }, 10s));
  const auto hit = Fetch(server_->port(), "GET", kMediumQuery);
  EXPECT_EQ(hit.Header("x-cache"), "HIT");
  EXPECT_EQ(hit.Header("content-length"), std::to_string(miss.body.size()));
  EXPECT_FALSE(hit.Header("etag").empty());
  EXPECT_EQ(hit.body, miss.body);
}

TEST_F(CatalogStream, AWriteInvalidatesAStreamedEntryAndForgetsTheTooLargeMark) {
  ASSERT_EQ(Fetch(server_->port(), "GET", kMediumQuery).status, 200u);
  ASSERT_TRUE(WaitUntil([] { return redis_->Exists("catalog:price_max=5000") == "1"; }, 10s));
  (void)Fetch(server_->port(), "GET", "/catalog");  // marks catalog:all too large (if not yet)
  ASSERT_EQ(Fetch(server_->port(), "GET", "/catalog").Header("x-cache-bypass"), "too-large");

  // Item 3 (price 3) is in both answers; every write changes the whole catalog.
  const auto written =
      Fetch(server_->port(), "PUT", "/catalog/3",
            R"({"carat":1.1,"cut":"Ideal","color":"E","clarity":"VS1","depth":61.7,)"
            R"("table":56,"price":3,"x":6.9,"y":6.95,"z":4.28})",
            {{"Authorization", "Bearer stream-admin"}, {"Content-Type", "application/json"}});
  ASSERT_EQ(written.status, 200u) << written.body;
  EXPECT_EQ(redis_->Exists("catalog:price_max=5000"), "0");
  const auto medium = Fetch(server_->port(), "GET", kMediumQuery);
  EXPECT_EQ(medium.Header("x-cache"), "MISS");
  EXPECT_NE(medium.body.find(R"({"id":3,"carat":1.1,"cut":"Ideal")"), std::string::npos);
  const auto all = Fetch(server_->port(), "GET", "/catalog");
  EXPECT_EQ(all.Header("x-cache"), "MISS");  // the mark went with the invalidation
  EXPECT_EQ(all.Header("x-cache-bypass"), "");
  ExpectAllRowsInOrder(all.body, 1, kRows);
}

TEST_F(CatalogStream, AStreamIsCompressedAsItPassesInTheCodingAsked) {
  const auto identity = Fetch(server_->port(), "GET", "/catalog?price_min=9");
  ASSERT_EQ(identity.Header("transfer-encoding"), "chunked");
  EXPECT_EQ(identity.Header("content-encoding"), "");
  for (const auto& [accept, coding] :
       {std::pair{"gzip", http::core::ContentCoding::kGzip},
        std::pair{"br;q=1, gzip;q=0.5", http::core::ContentCoding::kBrotli}}) {
    const auto reply =
        Fetch(server_->port(), "GET", "/catalog?price_min=9", {}, {{"Accept-Encoding", accept}});
    ASSERT_EQ(reply.status, 200u) << accept;
    EXPECT_EQ(reply.Header("transfer-encoding"), "chunked") << accept;
    EXPECT_EQ(reply.Header("content-encoding"), http::core::ContentCodingName(coding)) << accept;
    EXPECT_EQ(reply.Header("vary"), "Accept-Encoding");
    EXPECT_LT(reply.body.size(), identity.body.size() / 3) << accept;
    const auto decoded = http::Decompress(coding, reply.body);
    ASSERT_TRUE(decoded.ok()) << accept;
    EXPECT_TRUE(*decoded == identity.body) << accept << ": decoded body differs";
  }
}

TEST_F(CatalogStream, SmallAnswersAreSentWholeAsBefore) {
  const auto small = Fetch(server_->port(), "GET", "/catalog?price_max=100");
  ASSERT_EQ(small.status, 200u);
  EXPECT_EQ(small.Header("transfer-encoding"), "");
  EXPECT_EQ(small.Header("content-length"), std::to_string(small.body.size()));
  EXPECT_FALSE(small.Header("etag").empty());
  ExpectAllRowsInOrder(small.body, 1, 100);
  // Pages keep their shape, count first.
  const auto page = Fetch(server_->port(), "GET", "/catalog?limit=2");
  EXPECT_TRUE(page.body.starts_with("{\"count\":2,\"total\":" + std::to_string(kRows)));
}

TEST_F(CatalogStream, TheRawFramingIsChunkedOnHttp11AndCloseDelimitedOnHttp10) {
  RawConnection http11(server_->port());
  ASSERT_TRUE(http11.connected());
  http11.Send(Get("/catalog?price_max=4000") + Get("/healthz"));
  const std::string both = http11.ReadThrough("\"status\"");
  const auto header_end = both.find("\r\n\r\n");
  ASSERT_NE(header_end, std::string::npos);
  EXPECT_NE(both.substr(0, header_end).find("Transfer-Encoding: chunked"), std::string::npos);
  // Kept alive: the next answer follows the last chunk on the same connection.
  const auto next = both.find("HTTP/1.1 200", header_end);
  ASSERT_NE(next, std::string::npos);
  const auto body = Dechunk(std::string_view(both).substr(header_end + 4, next - header_end - 4));
  ASSERT_TRUE(body) << "malformed chunked body";
  ExpectAllRowsInOrder(*body, 1, 4000);

  RawConnection http10(server_->port());
  http10.Send(Get("/catalog?price_max=3000", "HTTP/1.0"));
  const std::string all = http10.ReadAll();  // the server closes after the body
  const auto end = all.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos);
  const std::string header = all.substr(0, end);
  EXPECT_EQ(header.find("Transfer-Encoding"), std::string::npos);
  EXPECT_EQ(header.find("Content-Length"), std::string::npos);
  ExpectAllRowsInOrder(all.substr(end + 4), 1, 3000);
}

// The size of the first chunk of a chunked answer to `target`, read over a connection of its own
// (0 when the answer is not chunked).
std::size_t FirstChunkSize(std::uint16_t port, const std::string& target) {
  RawConnection connection(port);
  connection.Send(Get(target));
  const std::string start = connection.ReadThrough("\r\n\r\n");
  const auto header_end = start.find("\r\n\r\n");
  if (header_end == std::string::npos ||
      start.substr(0, header_end).find("Transfer-Encoding: chunked") == std::string::npos) {
    return 0;
  }
  std::string rest = start.substr(header_end + 4);
  while (rest.find("\r\n") == std::string::npos) {
    const auto piece = connection.Read(64 * 1024);
    if (piece.empty()) return 0;
    rest += piece;
  }
  return std::stoul(rest.substr(0, rest.find("\r\n")), nullptr, 16);
}

TEST_F(CatalogStream, AnAnswerExpectedLargeLeavesWithItsFirstBatchNotAfterTheWholeAnswerSize) {
  // ~150,000 rows: the planner's estimate times the first batch's bytes per row is far over
  // twice the whole-answer size, so the first batch (500 rows, ~62 KB) is sent at once.
  const std::string large = "/catalog?price_min=7";
  const std::size_t miss_first = FirstChunkSize(server_->port(), large);
  EXPECT_GT(miss_first, 0u);
  EXPECT_LT(miss_first, kWholeMaxBytes / 2);
  // Marked too large by that miss: the bypass starts with its first batch as well.
  ASSERT_TRUE(WaitUntil(
      [&] { return Fetch(server_->port(), "GET", large).Header("x-cache-bypass") == "too-large"; },
      10s));
  const std::size_t bypass_first = FirstChunkSize(server_->port(), large);
  EXPECT_GT(bypass_first, 0u);
  EXPECT_LT(bypass_first, kWholeMaxBytes / 2);
  // ~300 KB, expected under twice the size: read up to the whole-answer size first, as before (it
  // might have ended within it and then been sent whole, with an ETag).
  const std::size_t near_first = FirstChunkSize(server_->port(), "/catalog?price_max=2400");
  EXPECT_GT(near_first, kWholeMaxBytes);
  EXPECT_TRUE(WaitUntil([] { return StreamingBackends() == 0; }, 10s));
}

// docs/cache.md, "Large answers": an answer the planner expects well over the entry limit keeps
// no copy for the cache; its key is marked too large as it starts, so an identical request
// meanwhile streams on its own at once. (Were a copy kept, the paused first stream would hold
// it below the limit: the second request would wait for it and, once the first's write timed
// out, read the answer itself as "abandoned".)
TEST_F(CatalogStream, AnAnswerExpectedOverTheEntryLimitIsMarkedTooLargeAtItsStart) {
  // A limit above what a paused client lets the server send: its window (64 KB) and the
  // kernel's send buffer (at most net.ipv4.tcp_wmem's 4 MB by default); the answer (~19 MB) is
  // still well over 1.25 times it.
  auto env = Env();
  env["CACHE_MAX_ENTRY_BYTES"] = std::to_string(12 * 1024 * 1024);
  const ServerProcess server(env, FreePort());
  RawConnection paused(server.port(), 64 * 1024);
  ASSERT_TRUE(paused.connected());
  paused.Send(Get("/catalog?price_min=4"));
  const std::string start = paused.ReadThrough("{\"items\":[");
  ASSERT_NE(start.find("200 OK"), std::string::npos) << start.substr(0, 300);
  // The first stream now waits on its paused client, below the entry limit.
  auto second = std::async(std::launch::async,
                           [&] { return Fetch(server.port(), "GET", "/catalog?price_min=4"); });
  const bool answered = second.wait_for(60s) == std::future_status::ready;
  paused.Reset();
  ASSERT_TRUE(answered) << "the identical request did not get an answer";
  const auto reply = second.get();
  ASSERT_EQ(reply.status, 200u) << reply.body.substr(0, 300);
  EXPECT_EQ(reply.Header("x-cache"), "BYPASS");
  EXPECT_EQ(reply.Header("x-cache-bypass"), "too-large");
  ExpectAllRowsInOrder(reply.body, 4, kRows - 3);
  EXPECT_EQ(redis_->Exists("catalog:price_min=4"), "0");
}

TEST_F(CatalogStream, HeadSendsTheStreamedHeaderAndNoBody) {
  RawConnection connection(server_->port());
  connection.Send("HEAD /catalog?price_min=10 HTTP/1.1\r\nHost: x\r\n\r\n" + Get("/healthz"));
  const std::string reply = connection.ReadThrough("\"status\"");
  const auto header_end = reply.find("\r\n\r\n");
  ASSERT_NE(header_end, std::string::npos);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 200"));
  EXPECT_NE(reply.substr(0, header_end).find("Transfer-Encoding: chunked"), std::string::npos);
  // Straight after the header: the next response, no body in between.
  EXPECT_TRUE(reply.substr(header_end + 4).starts_with("HTTP/1.1 200")) << reply;
  EXPECT_TRUE(WaitUntil([] { return StreamingBackends() == 0; }, 10s));
}

TEST_F(CatalogStream, ASlowReaderGetsEveryRowWithFlatServerMemoryPastTheStatementTimeout) {
  // Under AddressSanitizer (make test) a freed block waits in a quarantine (256 MB by default)
  // instead of being reused, so the RSS grows with every batch freed: the memory bounded here is
  // seen only with the quarantine off, for this server alone (no effect on other builds).
  auto env = Env();
  env["ASAN_OPTIONS"] = "quarantine_size_mb=0:thread_local_quarantine_size_kb=0";
  const ServerProcess server(env, FreePort());
  RawConnection reader(server.port(), 64 * 1024);
  ASSERT_TRUE(reader.connected());
  const std::size_t idle_kb = ResidentKilobytes(server.pid());
  reader.Send(Get("/catalog?price_min=2"));
  const auto started = std::chrono::steady_clock::now();
  std::string coded;
  std::size_t peak_kb = idle_kb;
  // ~3 MB/s: the answer takes several statement timeouts to read, each FETCH only one.
  for (auto piece = reader.Read(32 * 1024); !piece.empty(); piece = reader.Read(32 * 1024)) {
    coded += piece;
    if (coded.ends_with("0\r\n\r\n")) break;
    peak_kb = std::max(peak_kb, ResidentKilobytes(server.pid()));
    std::this_thread::sleep_for(10ms);
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_GT(elapsed, 2 * kStatementTimeout) << "the read was too fast to prove anything";
  const auto header_end = coded.find("\r\n\r\n");
  ASSERT_NE(header_end, std::string::npos);
  const auto body = Dechunk(std::string_view(coded).substr(header_end + 4));
  ASSERT_TRUE(body) << "malformed or truncated chunked body";
  ExpectAllRowsInOrder(*body, 2, kRows - 1);
  // The answer is ~19 MB; the server holds at most the entry limit's copy (2 MiB), a batch and
  // the socket's buffer, whatever the answer's size.
  EXPECT_LT(peak_kb - idle_kb, std::size_t{12} * 1024)
      << "idle " << idle_kb << " kB, peak " << peak_kb << " kB";
}

TEST_F(CatalogStream, AClientThatGoesAwayMidStreamEndsItsQueryAtOnce) {
  RawConnection quitter(server_->port(), 64 * 1024);
  ASSERT_TRUE(quitter.connected());
  quitter.Send(Get("/catalog?price_min=3"));
  const std::string start = quitter.ReadThrough("{\"items\":[");
  ASSERT_NE(start.find("200 OK"), std::string::npos) << start.substr(0, 300);
  // The server is now blocked on a full socket with the cursor open.
  ASSERT_TRUE(WaitUntil([] { return StreamingBackends() == 1; }, 10s));
  quitter.Reset();
  EXPECT_TRUE(WaitUntil([] { return StreamingBackends() == 0; }, 10s))
      << "the stream's query outlived its client";
  // And the pool is whole again: a next answer comes.
  EXPECT_EQ(Fetch(server_->port(), "GET", "/catalog?price_max=10").status, 200u);
}

// A number in the server's /metrics, -1 when the line is absent.
double MetricValue(std::uint16_t port, const std::string& line_start) {
  const std::string body = Fetch(port, "GET", "/metrics").body;
  const auto at = body.find("\n" + line_start + " ");
  if (at == std::string::npos) return -1;
  return std::stod(body.substr(at + line_start.size() + 2));
}

// docs/cache.md, "Large answers": a streamed answer that fits the cache is loaded once however
// many identical requests arrive while it streams; they wait for it and are sent the stored copy.
TEST_F(CatalogStream, ConcurrentIdenticalStreamedMissesShareOneQuery) {
  redis_->FlushAll();
  auto env = Env();
  env["REQUEST_TIMEOUT_MS"] = "10000";  // the leader's statements wait for the lock below
  const ServerProcess server(env, FreePort());
  const std::string loads = R"(vitrina_cache_loads{measure="loads"})";
  const std::string coalesced = R"(vitrina_cache_loads{measure="coalesced"})";
  const double loads_before = MetricValue(server.port(), loads);
  const double coalesced_before = MetricValue(server.port(), coalesced);
  ASSERT_GE(loads_before, 0) << "no vitrina_cache_loads in /metrics";

  // The table locked: the first request leads the load and waits in PostgreSQL, so the others
  // arrive while it is in flight, whatever the machine's speed.
  auto blocker = db::Connection::Open(*url_).value();
  ASSERT_TRUE(blocker.ExecuteScript("BEGIN; LOCK TABLE diamonds IN ACCESS EXCLUSIVE MODE").ok());
  auto fetch = [&] { return Fetch(server.port(), "GET", kMediumQuery); };
  auto leader = std::async(std::launch::async, fetch);
  ASSERT_TRUE(
      WaitUntil([&] { return MetricValue(server.port(), loads) == loads_before + 1; }, 10s));
  auto second = std::async(std::launch::async, fetch);
  auto third = std::async(std::launch::async, fetch);
  const bool joined =
      WaitUntil([&] { return MetricValue(server.port(), coalesced) == coalesced_before + 2; }, 10s);
  ASSERT_TRUE(blocker.ExecuteScript("ROLLBACK").ok());
  EXPECT_TRUE(joined) << "the identical requests did not join the load";

  const auto first = leader.get();
  ASSERT_EQ(first.status, 200u) << first.body.substr(0, 300);
  EXPECT_EQ(first.Header("transfer-encoding"), "chunked");  // streamed to its own client
  ExpectAllRowsInOrder(first.body, 1, 5000);
  for (auto* waiter : {&second, &third}) {
    const auto reply = waiter->get();
    ASSERT_EQ(reply.status, 200u) << reply.body.substr(0, 300);
    EXPECT_EQ(reply.Header("x-cache"), "MISS");  // served by the load, not by a later hit
    EXPECT_EQ(reply.Header("content-length"), std::to_string(first.body.size()));
    EXPECT_FALSE(reply.Header("etag").empty());
    EXPECT_TRUE(reply.body == first.body) << "a waiter's body differs from the stream's";
  }
  EXPECT_EQ(MetricValue(server.port(), loads), loads_before + 1) << "more than one query";
}

TEST_F(CatalogStream, MetricsShowTheOpenStreamsAndTheirCap) {
  const auto streams = [](const std::string& measure) {
    const std::string body = Fetch(server_->port(), "GET", "/metrics").body;
    const std::string name = "vitrina_catalog_streams{measure=\"" + measure + "\"} ";
    const auto at = body.find(name);
    return at == std::string::npos
               ? std::string("absent")
               : body.substr(at + name.size(), body.find('\n', at) - at - name.size());
  };
  EXPECT_EQ(streams("max"), "2");
  ASSERT_TRUE(WaitUntil([&] { return streams("open") == "0"; }, 10s));
  RawConnection held(server_->port(), 64 * 1024);
  held.Send(Get("/catalog?price_min=8"));
  ASSERT_NE(held.ReadThrough("{\"items\":[").find("200 OK"), std::string::npos);
  EXPECT_EQ(streams("open"), "1");  // blocked on the unread socket, still open
  held.Reset();
  EXPECT_TRUE(WaitUntil([&] { return streams("open") == "0"; }, 10s));
}

TEST_F(CatalogStream, StreamsBeyondTheCapAre503WithRetryAfter) {
  RawConnection one(server_->port(), 64 * 1024);
  RawConnection two(server_->port(), 64 * 1024);
  one.Send(Get("/catalog?price_min=4"));
  two.Send(Get("/catalog?price_min=5"));
  ASSERT_NE(one.ReadThrough("{\"items\":[").find("200 OK"), std::string::npos);
  ASSERT_NE(two.ReadThrough("{\"items\":[").find("200 OK"), std::string::npos);
  const auto third = Fetch(server_->port(), "GET", "/catalog?price_min=6");
  EXPECT_EQ(third.status, 503u);
  EXPECT_EQ(third.Header("retry-after"), "1");
  EXPECT_EQ(third.Json().at("error").at("code"), "unavailable");
  // Small answers are not streams and are not capped.
  EXPECT_EQ(Fetch(server_->port(), "GET", "/catalog?price_max=10").status, 200u);
  one.Reset();
  two.Reset();
  ASSERT_TRUE(WaitUntil([] { return StreamingBackends() == 0; }, 10s));
  const auto after = Fetch(server_->port(), "GET", "/catalog?price_min=6");
  EXPECT_EQ(after.status, 200u);
  ExpectAllRowsInOrder(after.body, 6, kRows - 5);
}

}  // namespace
}  // namespace vitrina::itest
