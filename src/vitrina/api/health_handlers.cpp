#include "vitrina/api/health_handlers.hpp"

#include <boost/json.hpp>

namespace vitrina::api {

namespace asio = boost::asio;

asio::awaitable<http::core::Response> HealthHandlers::Live(http::core::Request&) {
  co_return http::core::Response::Json(200, R"({"status":"ok"})");
}

asio::awaitable<http::core::Response> HealthHandlers::Ready(http::core::Request&) {
  boost::json::object checks;
  bool ready = true;
  std::string details;
  for (const auto& check : checks_) {
    const auto status = co_await check.probe();
    if (status) {
      checks[check.name] = "ok";
    } else {
      if (check.required) ready = false;
      checks[check.name] = base::ErrorCodeName(status.error().code);
      details += check.name + ": " + status.error().detail + "; ";
    }
  }
  const boost::json::object body = {{"status", ready ? "ready" : "not_ready"},
                                    {"checks", std::move(checks)}};
  auto response = http::core::Response::Json(ready ? 200 : 503, boost::json::serialize(body));
  response.error_detail = std::move(details);
  co_return response;
}

}  // namespace vitrina::api
