// What SIGTERM does to the connections of `vitrina serve` (docs/api.md, "Shutdown"): idle
// kept-alive connections are closed, in-flight requests are answered with `Connection: close`,
// and requests still running after SHUTDOWN_GRACE_MS make the process exit 1.
#include <arpa/inet.h>
#include <chrono>
#include <cstdint>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/own_redis.hpp"
#include "support/test_env.hpp"
#include "vitrina/db/connection.hpp"

namespace vitrina::itest {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kListFair = "GET /catalog?cut=Fair HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

// A plain TCP connection that reads whatever arrives next (RawConnection, of the security
// tests, reads until the connection falls silent, which a kept-alive connection always does).
class Connection {
 public:
  explicit Connection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("cannot connect to port " + std::to_string(port));
    }
  }
  ~Connection() { ::close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool Send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  // The next bytes, waiting up to `patience`; empty when the peer closed (closed() is then true)
  // or sent nothing in time.
  std::string ReadSome(std::chrono::milliseconds patience) {
    pollfd ready{fd_, POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(patience.count())) <= 0) return {};
    char buffer[65536];
    const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) {
      closed_ = true;
      return {};
    }
    return std::string(buffer, static_cast<std::size_t>(n));
  }

  // One whole response (headers, then Content-Length bytes of body); what arrived, if the peer
  // closed or fell silent for `patience` first.
  std::string ReadResponse(std::chrono::milliseconds patience) {
    std::string received;
    for (;;) {
      const auto end = received.find("\r\n\r\n");
      if (end != std::string::npos) {
        const auto at = received.find("Content-Length: ");
        const auto length =
            at != std::string::npos && at < end ? std::stoul(received.substr(at + 16)) : 0UL;
        if (received.size() >= end + 4 + length) return received;
      }
      const auto more = ReadSome(patience);
      if (more.empty()) return received;
      received += more;
    }
  }

  bool closed() const { return closed_; }

 private:
  int fd_;
  bool closed_ = false;
};

int FirstStatus(const std::string& response) {
  return response.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(response.substr(9, 3)) : 0;
}

class HttpShutdown : public ::testing::Test {
 protected:
  void SetUp() override {
    VITRINA_REQUIRE(AdminDatabaseUrl(), "DATABASE_URL is not set");
    url_ = LoadDiamondsDatabase("vitrina_http_itest_shutdown", MakeDiamonds(50));
  }

  std::map<std::string, std::string> Env(int grace_ms) const {
    auto env = ServerEnv(url_, SourcePath("datasets/diamonds.yaml"));
    env["SHUTDOWN_GRACE_MS"] = std::to_string(grace_ms);
    // The held query must outlast the grace period, not be cut off by its own timeout.
    env["REQUEST_TIMEOUT_MS"] = "120000";
    // No cache: a cached answer would not wait for the database at all.
    env["REDIS_URL"] = "";
    env["REDIS_CLUSTER_NODES"] = "";
    return env;
  }

  // Locks the table every catalog query reads; the lock is held until the transaction ends.
  db::Connection LockCatalog() const {
    auto blocker = db::Connection::Open(url_).value();
    EXPECT_TRUE(blocker.ExecuteScript("BEGIN; LOCK TABLE diamonds IN ACCESS EXCLUSIVE MODE").ok());
    return blocker;
  }

  // True once at least `count` client queries of this database wait for a lock: requests are in
  // flight. (Client backends only: an autovacuum worker analysing the fresh table may wait too.)
  bool WaitForLockedQueries(int count) const {
    auto watcher = db::Connection::Open(url_).value();
    return WaitUntil(
        [&] {
          auto waiting = watcher.Execute(
              "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
              "AND backend_type = 'client backend' AND wait_event_type = 'Lock'");
          // At least: the pool may be preparing its statements on more than one connection.
          return waiting.ok() && waiting->Scalar() && std::stoi(*waiting->Scalar()) >= count;
        },
        30s);
  }

  std::string url_;
};

TEST_F(HttpShutdown, IdleConnectionsAreClosedAndInFlightAnswersCarryConnectionClose) {
  ServerProcess server(Env(60'000), FreePort());
  Connection idle(server.port());
  ASSERT_TRUE(idle.Send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  const auto first = idle.ReadResponse(10s);
  ASSERT_EQ(FirstStatus(first), 200) << first;
  ASSERT_EQ(first.find("Connection: close"), std::string::npos) << "kept alive before SIGTERM";

  auto blocker = LockCatalog();
  Connection busy(server.port());
  ASSERT_TRUE(busy.Send(kListFair));
  ASSERT_TRUE(WaitForLockedQueries(1)) << server.Log();

  server.Signal(SIGTERM);
  // The idle connection is closed without an answer: it asked nothing.
  EXPECT_EQ(idle.ReadSome(30s), "");
  EXPECT_TRUE(idle.closed()) << "an idle kept-alive connection outlived SIGTERM";
  EXPECT_TRUE(WaitUntil([&] { return !IsListening(server.port()); }, 30s))
      << "still accepting after SIGTERM";

  // The request in flight is answered once its query can run, and told the connection closes.
  ASSERT_TRUE(blocker.ExecuteScript("COMMIT").ok());
  const auto answer = busy.ReadResponse(30s);
  EXPECT_EQ(FirstStatus(answer), 200) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  EXPECT_EQ(busy.ReadSome(30s), "");
  EXPECT_TRUE(busy.closed()) << "the connection stayed open after its last answer";
  EXPECT_EQ(server.WaitForExit(30'000), 0) << server.Log();
}

TEST_F(HttpShutdown, RequestsStillRunningAfterTheGracePeriodMakeTheServerExitOne) {
  constexpr int kGraceMs = 1500;
  ServerProcess server(Env(kGraceMs), FreePort());
  auto blocker = LockCatalog();
  Connection busy(server.port());
  ASSERT_TRUE(busy.Send(kListFair));
  ASSERT_TRUE(WaitForLockedQueries(1)) << server.Log();

  const auto signalled = Clock::now();
  server.Signal(SIGTERM);
  // The request can never finish while the lock is held: only the grace period ends the wait.
  const int exit_code = server.WaitForExit(kGraceMs + 60'000);
  const auto waited = Clock::now() - signalled;
  EXPECT_EQ(exit_code, 1) << server.Log();
  EXPECT_GE(waited, std::chrono::milliseconds(kGraceMs)) << "exited before the grace period";
  EXPECT_NE(server.Log().find("requests were still running after SHUTDOWN_GRACE_MS"),
            std::string::npos)
      << server.Log();
  EXPECT_TRUE(blocker.ExecuteScript("ROLLBACK").ok());
}

}  // namespace
}  // namespace vitrina::itest
