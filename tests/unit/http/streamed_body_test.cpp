// The access log of a streamed answer (http::core::RequestLogging): written when the stream ends,
// with the bytes sent, and with an error code when it did not complete.
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "vitrina/http/core/middleware.hpp"

namespace vitrina::http::core {
namespace {

namespace asio = boost::asio;

class FakeStream final : public BodyStream {
 public:
  explicit FakeStream(std::vector<base::Result<std::string>> pieces) : pieces_(std::move(pieces)) {}
  asio::awaitable<base::Result<std::string>> Next() override { co_return pieces_.at(next_++); }

 private:
  std::vector<base::Result<std::string>> pieces_;
  std::size_t next_ = 0;
};

struct Logged {
  unsigned status = 0;
  std::size_t bytes = 0;
  std::string error_code;
  std::string cache;
};

// Runs the logging middleware over a handler answering `stream`, then asks the answer's stream
// for `reads` pieces (fewer than it has: the server stopped early). What the sink saw before the
// reads goes to `before`.
std::vector<Logged> LogOf(std::shared_ptr<BodyStream> stream, int reads,
                          std::vector<Logged>* before = nullptr) {
  std::vector<Logged> records;
  const Middleware logging = RequestLogging([&records](const AccessRecord& record) {
    records.push_back({record.status, record.response_bytes, std::string(record.error_code),
                       std::string(record.cache)});
  });
  const Handler handler = [stream](Request&) -> asio::awaitable<Response> {
    Response response;
    response.body_stream = stream;
    response.headers.emplace_back("X-Cache", "BYPASS");
    co_return response;
  };
  Request request;
  request.method_text = "GET";
  request.path = "/catalog";
  asio::io_context io;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        Response response = co_await logging(request, handler);
        if (before != nullptr) *before = records;
        for (int i = 0; i < reads; ++i) (void)co_await response.body_stream->Next();
      },
      [](const std::exception_ptr& failure) {
        if (failure) std::rethrow_exception(failure);
      });
  io.run();
  return records;
}

TEST(StreamedAccessLog, IsWrittenWhenTheStreamEndsWithEveryByteSent) {
  std::vector<Logged> before;
  const auto records = LogOf(std::make_shared<FakeStream>(std::vector<base::Result<std::string>>{
                                 std::string("{\"items\":["), std::string("1,2"),
                                 std::string("],\"count\":2}"), std::string()}),
                             4, &before);
  EXPECT_TRUE(before.empty()) << "logged when the header was ready, not at the end";
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].status, 200u);
  EXPECT_EQ(records[0].bytes, 25u);
  EXPECT_EQ(records[0].error_code, "");
  EXPECT_EQ(records[0].cache, "BYPASS");
}

TEST(StreamedAccessLog, AFailedStreamIsLoggedWithWhatWasSentAndTheFailure) {
  const auto records = LogOf(std::make_shared<FakeStream>(std::vector<base::Result<std::string>>{
                                 std::string("{\"items\":["),
                                 base::MakeError(base::ErrorCode::kUnavailable, "x", "timed out")}),
                             2);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].bytes, 10u);
  EXPECT_EQ(records[0].error_code, "stream_failed");
}

TEST(StreamedAccessLog, AStreamTheServerDroppedIsLoggedAsAbandoned) {
  const auto records = LogOf(std::make_shared<FakeStream>(std::vector<base::Result<std::string>>{
                                 std::string("{\"items\":["), std::string("1")}),
                             1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].bytes, 10u);
  EXPECT_EQ(records[0].error_code, "stream_abandoned");
}

}  // namespace
}  // namespace vitrina::http::core
