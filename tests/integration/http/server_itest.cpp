// HTTP behaviour of `vitrina serve` itself: errors of the transport, keep-alive, side-by-side
// instances and graceful shutdown with a request in flight.
#include <chrono>
#include <future>
#include <signal.h>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/own_redis.hpp"
#include "support/test_env.hpp"
#include "vitrina/db/connection.hpp"

namespace vitrina::itest {
namespace {

class HttpServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!AdminDatabaseUrl()) return;
    url_ = new std::string(LoadDiamondsDatabase("vitrina_api_itest_server", MakeDiamonds(50)));
    auto env = ServerEnv(*url_, SourcePath("datasets/diamonds.yaml"));
    env["BODY_LIMIT_BYTES"] = "1024";
    env["DEV_ADMIN_TOKEN"] = "t";
    server_ = new ServerProcess(env, FreePort());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete url_;
    url_ = nullptr;
  }
  void SetUp() override { VITRINA_REQUIRE(AdminDatabaseUrl(), "DATABASE_URL is not set"); }

  static inline std::string* url_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
};

TEST_F(HttpServer, UnknownRouteIs404Json) {
  const auto reply = Fetch(server_->port(), "GET", "/no/such/thing");
  EXPECT_EQ(reply.status, 404u);
  EXPECT_EQ(reply.Header("content-type"), "application/json");
  EXPECT_EQ(reply.Json().at("error").at("code"), "not_found");
}

TEST_F(HttpServer, WrongMethodIs405JsonListingTheAllowedOnes) {
  const auto reply = Fetch(server_->port(), "PATCH", "/catalog/1", "{}");
  EXPECT_EQ(reply.status, 405u);
  EXPECT_EQ(reply.Header("allow"), "GET, HEAD, PUT, DELETE");
  EXPECT_EQ(reply.Json().at("error").at("code"), "method_not_allowed");
  EXPECT_EQ(Fetch(server_->port(), "DELETE", "/healthz").status, 405u);
}

TEST_F(HttpServer, BodyOverTheLimitIs413) {
  const std::string big(4096, 'x');
  const auto reply = Fetch(server_->port(), "POST", "/catalog", big,
                           {{"Authorization", "Bearer t"}, {"Content-Type", "application/json"}});
  EXPECT_EQ(reply.status, 413u);
  EXPECT_EQ(reply.Json().at("error").at("code"), "payload_too_large");
  EXPECT_EQ(Fetch(server_->port(), "GET", "/healthz").status, 200u);  // still serving
}

TEST_F(HttpServer, MalformedHttpIs400Json) {
  HttpClient client(server_->port());
  const auto reply =
      client.SendRaw("GET /catalog HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n");
  EXPECT_EQ(reply.status, 400u);
  EXPECT_EQ(reply.Json().at("error").at("code"), "invalid_argument");
}

TEST_F(HttpServer, KeepAliveServesManyRequestsOnOneConnection) {
  HttpClient client(server_->port());
  for (int i = 0; i < 25; ++i) {
    const auto reply = client.Send("GET", i % 2 == 0 ? "/catalog?cut=Fair" : "/catalog/1");
    ASSERT_EQ(reply.status, 200u);
  }
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(HttpServer, EchoesAValidRequestIdAndMakesOneOtherwise) {
  const auto kept = Fetch(server_->port(), "GET", "/healthz", {}, {{"X-Request-Id", "abc-123"}});
  EXPECT_EQ(kept.Header("x-request-id"), "abc-123");
  const auto made = Fetch(server_->port(), "GET", "/healthz", {}, {{"X-Request-Id", "bad id!"}});
  EXPECT_FALSE(made.Header("x-request-id").empty());
  EXPECT_NE(made.Header("x-request-id"), "bad id!");
}

TEST_F(HttpServer, InstancesRunSideBySideOnDifferentPorts) {
  ServerProcess second(ServerEnv(*url_, SourcePath("datasets/diamonds.yaml")), FreePort());
  EXPECT_NE(second.port(), server_->port());
  EXPECT_EQ(Fetch(second.port(), "GET", "/catalog/1").body,
            Fetch(server_->port(), "GET", "/catalog/1").body);
}

TEST_F(HttpServer, SigtermFinishesTheInFlightRequestThenExitsZero) {
  ServerProcess server(ServerEnv(*url_, SourcePath("datasets/diamonds.yaml")), FreePort());
  HttpClient idle(server.port());
  ASSERT_EQ(idle.Send("GET", "/healthz").status, 200u);  // a kept-alive, idle connection

  // Hold a lock the list query waits for, so the request is reliably in flight at SIGTERM.
  auto blocker = db::Connection::Open(*url_).value();
  ASSERT_TRUE(blocker.ExecuteScript("BEGIN; LOCK TABLE diamonds IN ACCESS EXCLUSIVE MODE").ok());
  auto in_flight = std::async(std::launch::async, [port = server.port()] {
    return Fetch(port, "GET", "/catalog?cut=Fair");
  });
  // In flight means PostgreSQL has the query waiting for the lock: wait for that, not a while.
  auto watcher = db::Connection::Open(*url_).value();
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto waiting = watcher.Execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'diamonds'::regclass");
        return waiting.ok() && waiting->Scalar().value_or("0") != "0";
      },
      std::chrono::seconds(10)));
  server.Signal(SIGTERM);
  EXPECT_TRUE(WaitUntil([&] { return !IsListening(server.port()); }, std::chrono::seconds(10)))
      << "still accepting after SIGTERM";
  EXPECT_EQ(in_flight.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  // The idle kept-alive connection is closed rather than left to a request that would race the
  // exit: its next request fails instead of being answered.
  EXPECT_THROW(idle.Send("GET", "/healthz"), std::exception);

  ASSERT_TRUE(blocker.ExecuteScript("COMMIT").ok());
  const auto reply = in_flight.get();
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.Json().at("count").as_int64(), 10);
  EXPECT_EQ(server.WaitForExit(10'000), 0) << server.Log();
}

}  // namespace
}  // namespace vitrina::itest
