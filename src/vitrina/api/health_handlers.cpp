#include "vitrina/api/health_handlers.hpp"

#include <boost/json.hpp>

namespace vitrina::api {

namespace asio = boost::asio;

asio::awaitable<http::Response> HealthHandlers::Live(http::Request&) {
  co_return http::Response::Json(200, R"({"status":"ok"})");
}

asio::awaitable<http::Response> HealthHandlers::Ready(http::Request&) {
  boost::json::object checks;
  bool ready = true;
  std::string details;
  for (const auto& check : checks_) {
    const auto status = co_await check.probe();
    if (status) {
      checks[check.name] = "ok";
    } else {
      if (check.required) ready = false;
      checks[check.name] = core::ErrorCodeName(status.error().code);
      details += check.name + ": " + status.error().detail + "; ";
    }
  }
  const boost::json::object body = {{"status", ready ? "ready" : "not_ready"},
                                    {"checks", std::move(checks)}};
  auto response = http::Response::Json(ready ? 200 : 503, boost::json::serialize(body));
  response.error_detail = std::move(details);
  co_return response;
}

}  // namespace vitrina::api
