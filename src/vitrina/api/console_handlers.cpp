#include "vitrina/api/console_handlers.hpp"

#include "vitrina/http/core/error_response.hpp"

namespace vitrina::api {

namespace asio = boost::asio;

namespace {

http::core::Response Serve(const StaticFile& file, const http::core::Request& request) {
  http::core::Response response = ServeStaticFile(file, request);
  auto& headers = response.headers;
  headers.emplace_back("Content-Security-Policy", std::string(kConsoleContentSecurityPolicy));
  headers.emplace_back("X-Content-Type-Options", "nosniff");
  headers.emplace_back("X-Frame-Options", "DENY");  // for browsers without frame-ancestors
  headers.emplace_back("Referrer-Policy", "no-referrer");
  headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  headers.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
  // The files are small and not content-hashed: revalidate, so a new release is seen at once.
  headers.emplace_back("Cache-Control", "no-cache");
  return response;
}

}  // namespace

ConsoleHandlers::ConsoleHandlers(const std::string& console_dir)
    : files_(ReadStaticFolder(console_dir)) {}

asio::awaitable<http::core::Response> ConsoleHandlers::Page(http::core::Request& request) {
  const auto page = files_.find("index.html");
  if (page == files_.end()) {
    co_return http::core::ErrorResponse(base::MakeError(
        base::ErrorCode::kNotFound,
        "the web console is not installed (see CONSOLE_DIR); the API is documented at /docs"));
  }
  co_return Serve(page->second, request);
}

asio::awaitable<http::core::Response> ConsoleHandlers::Asset(http::core::Request& request) {
  const auto found = files_.find(request.Param("asset"));
  if (found == files_.end()) co_return http::core::NotFoundResponse(request.path);
  co_return Serve(found->second, request);
}

}  // namespace vitrina::api
