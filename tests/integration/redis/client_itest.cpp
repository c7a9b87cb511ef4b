// MakePerExecutorRedisClient: a command goes out through the connection of the event loop it is
// awaited on (the server's I/O threads), any other caller's through the fallback connection.
#include <future>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>

#include "cache/cache_test_support.hpp"
#include "support/test_env.hpp"

namespace vitrina::cache::testing {
namespace {

// One event loop on one thread, like one of the server's I/O threads.
class Loop {
 public:
  Loop() : guard_(asio::make_work_guard(context_)), thread_([this] { context_.run(); }) {}
  ~Loop() {
    guard_.reset();
    context_.stop();
    thread_.join();
  }
  asio::any_io_executor executor() { return context_.get_executor(); }

  // The id Redis gives the connection that carried a CLIENT ID sent from this loop.
  long long ClientId(redis::RedisClient& client) {
    return asio::co_spawn(
               context_,
               [&client]() -> asio::awaitable<long long> {
                 redis::RedisArgs args = {"CLIENT", "ID"};  // g++ 12: no braced list in a co_await
                 auto reply = co_await client.Command(std::move(args));
                 co_return reply.ok() && reply->type == redis::RedisReply::Type::kInteger
                     ? reply->integer
                     : -1;
               },
               asio::use_future)
        .get();
  }

 private:
  asio::io_context context_{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

TEST(PerExecutorRedisClient, EachLoopSendsThroughItsOwnConnectionAndOthersThroughTheFallback) {
  VITRINA_REQUIRE_ENV(url, "REDIS_URL");
  auto address = redis::core::ParseRedisUrl(url);
  ASSERT_TRUE(address.ok());
  redis::RedisSettings settings;
  settings.nodes.push_back(*address);
  Loop first;
  Loop second;
  Loop background;
  Loop stranger;  // not one of the I/O loops
  auto client = redis::MakePerExecutorRedisClient({first.executor(), second.executor()},
                                                  background.executor(), settings);

  const auto on_first = first.ClientId(*client);
  const auto on_second = second.ClientId(*client);
  const auto on_background = background.ClientId(*client);
  ASSERT_GT(on_first, 0);
  ASSERT_GT(on_second, 0);
  ASSERT_GT(on_background, 0);
  EXPECT_EQ(first.ClientId(*client), on_first);  // the same connection every time
  EXPECT_EQ(second.ClientId(*client), on_second);
  EXPECT_NE(on_first, on_second);
  EXPECT_NE(on_first, on_background);
  EXPECT_NE(on_second, on_background);
  EXPECT_EQ(stranger.ClientId(*client), on_background);
  EXPECT_EQ(client->Describe(), "redis://" + address->HostPort());
}

}  // namespace
}  // namespace vitrina::cache::testing
