#pragma once

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "vitrina/core/result.hpp"
#include "vitrina/http/message.hpp"

namespace vitrina::api {

// A dependency /readyz asks, by name ("postgres"; Redis adds "redis").
struct ReadinessCheck {
  std::string name;
  std::function<boost::asio::awaitable<core::Status>()> probe;
  bool required = true;  // false: its state is reported, but a failure does not make it 503
};

class HealthHandlers {
 public:
  explicit HealthHandlers(std::vector<ReadinessCheck> checks) : checks_(std::move(checks)) {}

  // 200 {"status":"ok"} while the process serves at all.
  boost::asio::awaitable<http::Response> Live(http::Request& request);
  // 200 {"status":"ready","checks":{"postgres":"ok"}} when every dependency answers, else 503
  // {"status":"not_ready","checks":{"postgres":"unavailable"}}.
  boost::asio::awaitable<http::Response> Ready(http::Request& request);

 private:
  std::vector<ReadinessCheck> checks_;
};

}  // namespace vitrina::api
