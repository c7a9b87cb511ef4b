#include "vitrina/http/core/cors.hpp"

#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace vitrina::http::core {
namespace {

CorsPolicy Policy(std::string origins, bool credentials = false) {
  auto policy = CorsPolicy::Create({.allowed_origins = std::move(origins),
                                    .allow_credentials = credentials,
                                    .max_age = std::chrono::seconds(600)});
  EXPECT_TRUE(policy) << policy.error().message;
  return policy ? std::move(*policy) : CorsPolicy();
}

std::string CreateError(std::string origins, bool credentials = false) {
  auto policy =
      CorsPolicy::Create({.allowed_origins = std::move(origins), .allow_credentials = credentials});
  return policy ? std::string("(accepted)") : policy.error().message;
}

std::string_view HeaderIn(const Headers* headers, std::string_view name) {
  if (headers == nullptr) return {};
  for (const auto& [key, value] : *headers) {
    if (key == name) return value;
  }
  return {};
}

Request From(std::string origin, Method method = Method::kGet) {
  Request request;
  request.method = method;
  request.path = "/catalog";
  if (!origin.empty()) request.headers.emplace_back("origin", std::move(origin));
  return request;
}

Response RunMiddleware(const Middleware& middleware, Request& request, bool* reached = nullptr) {
  const Handler next = [reached](Request&) -> boost::asio::awaitable<Response> {
    if (reached != nullptr) *reached = true;
    Response response = Response::Json(200, "{}");
    response.headers.emplace_back("X-Cache", "HIT");
    co_return response;
  };
  boost::asio::io_context io;
  std::optional<Response> result;
  boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<void> { result = co_await middleware(request, next); },
      [](const std::exception_ptr& failure) {
        if (failure) std::rethrow_exception(failure);
      });
  io.run();
  return std::move(*result);
}

TEST(CorsPolicy, IsOffWithoutAllowedOrigins) {
  const auto policy = Policy("");
  EXPECT_FALSE(policy.enabled());
  EXPECT_FALSE(policy.Allows("https://app.example.com"));
  EXPECT_EQ(policy.ResponseHeaders("https://app.example.com"), nullptr);
}

TEST(CorsPolicy, ListedOriginsMatchExactlyAsBrowsersSerializeThem) {
  const auto policy = Policy(" https://App.Example.com:443 , http://localhost:5173");
  EXPECT_TRUE(policy.Allows("https://app.example.com"));
  EXPECT_TRUE(policy.Allows("http://localhost:5173"));
  EXPECT_FALSE(policy.Allows("http://app.example.com"));             // another scheme
  EXPECT_FALSE(policy.Allows("https://app.example.com:8443"));       // another port
  EXPECT_FALSE(policy.Allows("https://app.example.com.evil.test"));  // not a suffix match
  EXPECT_FALSE(policy.Allows("http://localhost:5174"));
  EXPECT_FALSE(policy.Allows("null"));
  EXPECT_EQ(policy.origins(),
            (std::vector<std::string>{"https://app.example.com", "http://localhost:5173"}));
}

TEST(CorsPolicy, AnAllowedOriginIsEchoedWithTheExposedHeadersAndVaryOrigin) {
  const auto policy = Policy("https://app.example.com");
  const Headers* headers = policy.ResponseHeaders("https://app.example.com");
  EXPECT_EQ(HeaderIn(headers, "Access-Control-Allow-Origin"), "https://app.example.com");
  const std::string_view exposed = HeaderIn(headers, "Access-Control-Expose-Headers");
  for (const std::string_view name : {"X-Cache", "X-Cache-Bypass", "X-Cache-Key", "ETag",
                                      "Server-Timing", "X-Request-Id", "Location"}) {
    EXPECT_NE(exposed.find(name), std::string_view::npos) << name;
  }
  EXPECT_EQ(HeaderIn(headers, "Vary"), "Origin");
  EXPECT_EQ(HeaderIn(headers, "Access-Control-Allow-Credentials"), "");
}

TEST(CorsPolicy, ADisallowedOriginOrNoOriginGetsOnlyVaryOrigin) {
  const auto policy = Policy("https://app.example.com");
  for (const std::string_view origin : {"https://other.example.com", ""}) {
    const Headers* headers = policy.ResponseHeaders(origin);
    ASSERT_NE(headers, nullptr);
    ASSERT_EQ(headers->size(), 1u);
    EXPECT_EQ(HeaderIn(headers, "Vary"), "Origin");
  }
}

TEST(CorsPolicy, AWildcardAnswersStarWithoutVary) {
  const auto policy = Policy("*");
  EXPECT_TRUE(policy.allows_any_origin());
  const Headers* headers = policy.ResponseHeaders("https://anything.example");
  EXPECT_EQ(HeaderIn(headers, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(HeaderIn(headers, "Vary"), "");
  EXPECT_EQ(policy.ResponseHeaders(""), nullptr);  // not a cross-origin request
}

TEST(CorsPolicy, CredentialsNeedListedOrigins) {
  const auto policy = Policy("https://app.example.com", true);
  EXPECT_EQ(HeaderIn(policy.ResponseHeaders("https://app.example.com"),
                     "Access-Control-Allow-Credentials"),
            "true");
  const std::string error = CreateError("*", true);
  EXPECT_NE(error.find("CORS_ALLOWED_ORIGINS=* cannot be combined with CORS_ALLOW_CREDENTIALS"),
            std::string::npos)
      << error;
}

TEST(CorsPolicy, RefusesWhatIsNotAnOriginNamingTheVariable) {
  for (const std::string entry :
       {"app.example.com", "https://app.example.com/", "https://app.example.com/api",
        "ftp://app.example.com", "https://", "https://app.example.com:0",
        "https://app.example.com:99999", "https://*.example.com", "https://a b.com"}) {
    const std::string error = CreateError(entry);
    EXPECT_NE(error.find("CORS_ALLOWED_ORIGINS: '" + entry + "' is not an origin"),
              std::string::npos)
        << entry << ": " << error;
  }
  EXPECT_NE(CreateError("null").find("'null' is refused"), std::string::npos);
  EXPECT_NE(CreateError("*, https://app.example.com").find("must be the only entry"),
            std::string::npos);
  EXPECT_NE(CreateError("https://a.example.com,,https://b.example.com").find("empty entry"),
            std::string::npos);
  EXPECT_EQ(CreateError("http://[::1]:8080"), "(accepted)");
}

TEST(CorsPolicy, APreflightFromAnAllowedOriginNamesMethodsHeadersAndMaxAge) {
  const auto policy = Policy("https://app.example.com");
  const Response answer = policy.Preflight("https://app.example.com");
  EXPECT_EQ(answer.status, 204u);
  const Headers* headers = answer.shared_headers;
  EXPECT_EQ(HeaderIn(headers, "Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_NE(HeaderIn(headers, "Access-Control-Allow-Methods").find("DELETE"), std::string::npos);
  EXPECT_NE(HeaderIn(headers, "Access-Control-Allow-Headers").find("Authorization"),
            std::string::npos);
  EXPECT_EQ(HeaderIn(headers, "Access-Control-Max-Age"), "600");
  EXPECT_EQ(HeaderIn(headers, "Vary"), "Origin");
}

TEST(CorsPolicy, APreflightFromAnotherOriginIsRefusedWithoutCorsHeaders) {
  const auto policy = Policy("https://app.example.com");
  const Response answer = policy.Preflight("https://evil.example");
  EXPECT_EQ(answer.status, 403u);
  EXPECT_EQ(HeaderIn(answer.shared_headers, "Access-Control-Allow-Origin"), "");
  EXPECT_NE(answer.body.find("not allowed by CORS_ALLOWED_ORIGINS"), std::string::npos);
}

TEST(CorsMiddleware, AnswersAPreflightWithoutCallingTheHandler) {
  const auto policy = Policy("https://app.example.com");
  Request request = From("https://app.example.com", Method::kOptions);
  request.headers.emplace_back("access-control-request-method", "POST");
  bool reached = false;
  const Response answer = RunMiddleware(Cors(policy), request, &reached);
  EXPECT_FALSE(reached);
  EXPECT_EQ(answer.status, 204u);
  EXPECT_EQ(HeaderIn(answer.shared_headers, "Access-Control-Allow-Methods"),
            "GET, HEAD, POST, PUT, PATCH, DELETE");
}

TEST(CorsMiddleware, AnOptionsRequestThatIsNoPreflightGoesToTheRouter) {
  const auto policy = Policy("*");
  Request request = From("https://app.example.com", Method::kOptions);  // no request method
  bool reached = false;
  (void)RunMiddleware(Cors(policy), request, &reached);
  EXPECT_TRUE(reached);
}

TEST(CorsMiddleware, AddsTheOriginsHeadersToTheHandlersAnswer) {
  const auto policy = Policy("https://app.example.com");
  Request allowed = From("https://app.example.com");
  const Response answer = RunMiddleware(Cors(policy), allowed);
  EXPECT_EQ(answer.status, 200u);
  EXPECT_EQ(HeaderIn(answer.shared_headers, "Access-Control-Allow-Origin"),
            "https://app.example.com");
  ASSERT_EQ(answer.headers.size(), 1u);  // the handler's own are left alone
  Request other = From("https://evil.example");
  EXPECT_EQ(
      HeaderIn(RunMiddleware(Cors(policy), other).shared_headers, "Access-Control-Allow-Origin"),
      "");
}

}  // namespace
}  // namespace vitrina::http::core
