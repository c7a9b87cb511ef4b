#pragma once

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "vitrina/base/result.hpp"
#include "vitrina/http/core/message.hpp"

namespace vitrina::api {

// A dependency /readyz asks, by name ("postgres"; Redis adds "redis").
struct ReadinessCheck {
  std::string name;
  std::function<boost::asio::awaitable<base::Status>()> probe;
  bool required = true;  // false: its state is reported, but a failure does not make it 503
};

class HealthHandlers {
 public:
  explicit HealthHandlers(std::vector<ReadinessCheck> checks) : checks_(std::move(checks)) {}

  // 200 {"status":"ok"} while the process serves at all.
  boost::asio::awaitable<http::core::Response> Live(http::core::Request& request);
  // 200 {"status":"ready","checks":{"postgres":"ok"}} when every dependency answers, else 503
  // {"status":"not_ready","checks":{"postgres":"unavailable"}}.
  boost::asio::awaitable<http::core::Response> Ready(http::core::Request& request);

 private:
  std::vector<ReadinessCheck> checks_;
};

}  // namespace vitrina::api
