#include "vitrina/http/core/cors.hpp"

#include <algorithm>
#include <charconv>

#include "vitrina/http/core/error_response.hpp"

namespace vitrina::http::core {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kVariable = "CORS_ALLOWED_ORIGINS";
// What a page may send: the API's methods, and the headers it reads (a bearer token, a JSON body,
// a validator for 304s, a request id and trace context to correlate with the server's logs).
// Listed rather than "*": a wildcard does not cover Authorization.
constexpr std::string_view kAllowMethods = "GET, HEAD, POST, PUT, PATCH, DELETE";
constexpr std::string_view kAllowHeaders =
    "Authorization, Content-Type, If-None-Match, X-Request-Id, traceparent, tracestate";
// What a page may read besides the CORS-safelisted headers (Content-Type, Cache-Control, ...).
constexpr std::string_view kExposeHeaders =
    "ETag, Location, Retry-After, Server-Timing, X-Cache, X-Cache-Bypass, X-Cache-Key, "
    "X-Request-Id";

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

base::Error NotAnOrigin(std::string_view entry, std::string_view why) {
  return base::MakeError(base::ErrorCode::kInvalidArgument,
                         std::string(kVariable) + ": '" + std::string(entry) +
                             "' is not an origin (" + std::string(why) +
                             "); write scheme://host[:port], e.g. https://app.example.com");
}

// An origin as browsers serialize it: lower case, the scheme's default port left out, so a
// configured "https://App.example.com:443" matches the "https://app.example.com" a browser sends.
base::Result<std::string> NormalizeOrigin(std::string_view entry) {
  if (entry == "null") {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           std::string(kVariable) +
                               ": 'null' is refused: it is the origin of sandboxed frames and "
                               "local files, which any page can create");
  }
  std::string origin(entry);
  for (auto& c : origin) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  std::string_view scheme;
  if (origin.starts_with("https://")) {
    scheme = "https";
  } else if (origin.starts_with("http://")) {
    scheme = "http";
  } else {
    return NotAnOrigin(entry, "the scheme must be http:// or https://");
  }
  const std::string_view authority = std::string_view(origin).substr(scheme.size() + 3);
  if (authority.empty()) return NotAnOrigin(entry, "no host");
  for (const char c : authority) {
    if (c == '/' || c == '?' || c == '#') return NotAnOrigin(entry, "no path, query or slash");
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                    c == ':' || c == '[' || c == ']';
    if (!ok) return NotAnOrigin(entry, std::string("'") + c + "' in the host");
  }
  // A port follows the last ':' unless that ':' is inside an IPv6 literal ("[::1]").
  const auto colon = authority.rfind(':');
  const auto bracket = authority.rfind(']');
  std::string_view host = authority;
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = authority.substr(0, colon);
    const std::string_view port = authority.substr(colon + 1);
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || error != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
      return NotAnOrigin(entry, "the port must be a number from 1 to 65535");
    }
    if ((scheme == "https" && value == 443) || (scheme == "http" && value == 80)) {
      return std::string(scheme) + "://" + std::string(host);
    }
  }
  if (host.empty()) return NotAnOrigin(entry, "no host");
  return origin;
}

Headers ResponseBlock(std::string_view allow_origin, bool credentials, bool vary) {
  Headers headers;
  headers.emplace_back("Access-Control-Allow-Origin", std::string(allow_origin));
  if (credentials) headers.emplace_back("Access-Control-Allow-Credentials", "true");
  headers.emplace_back("Access-Control-Expose-Headers", std::string(kExposeHeaders));
  if (vary) headers.emplace_back("Vary", "Origin");
  return headers;
}

Headers PreflightBlock(std::string_view allow_origin, bool credentials, bool vary,
                       std::chrono::seconds max_age) {
  Headers headers;
  headers.emplace_back("Access-Control-Allow-Origin", std::string(allow_origin));
  if (credentials) headers.emplace_back("Access-Control-Allow-Credentials", "true");
  headers.emplace_back("Access-Control-Allow-Methods", std::string(kAllowMethods));
  headers.emplace_back("Access-Control-Allow-Headers", std::string(kAllowHeaders));
  headers.emplace_back("Access-Control-Max-Age", std::to_string(max_age.count()));
  if (vary) headers.emplace_back("Vary", "Origin");
  return headers;
}

asio::awaitable<Response> Apply(const CorsPolicy& policy, Request& request, const Handler& next) {
  const std::string_view origin = request.Header("origin");
  if (IsPreflight(request)) co_return policy.Preflight(origin);
  Response response = co_await next(request);
  response.shared_headers = policy.ResponseHeaders(origin);
  co_return response;
}

}  // namespace

base::Result<CorsPolicy> CorsPolicy::Create(const CorsSettings& settings) {
  CorsPolicy policy;
  const std::string_view list = Trim(settings.allowed_origins);
  if (list.empty()) return policy;
  if (settings.max_age.count() < 0) {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           "CORS_MAX_AGE_SECONDS must not be negative");
  }
  std::vector<std::string> origins;
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto comma = std::min(list.find(',', start), list.size());
    const std::string_view entry = Trim(list.substr(start, comma - start));
    start = comma + 1;
    if (entry.empty()) {
      return base::MakeError(
          base::ErrorCode::kInvalidArgument,
          std::string(kVariable) + " has an empty entry: '" + std::string(list) + "'");
    }
    if (entry == "*") {
      origins.emplace_back("*");
      continue;
    }
    auto origin = NormalizeOrigin(entry);
    if (!origin) return origin.error();
    if (std::find(origins.begin(), origins.end(), *origin) == origins.end()) {
      origins.push_back(std::move(*origin));
    }
  }
  const bool any = std::find(origins.begin(), origins.end(), "*") != origins.end();
  if (any && origins.size() > 1) {
    return base::MakeError(
        base::ErrorCode::kInvalidArgument,
        std::string(kVariable) + ": '*' allows every origin and must be the only entry");
  }
  if (any && settings.allow_credentials) {
    return base::MakeError(
        base::ErrorCode::kInvalidArgument,
        "CORS_ALLOWED_ORIGINS=* cannot be combined with CORS_ALLOW_CREDENTIALS=true: browsers "
        "refuse a wildcard origin on requests with credentials; list the origins instead (the "
        "API's bearer tokens need no credentials mode)");
  }
  policy.enabled_ = true;
  policy.any_origin_ = any;
  // With "*" the answer is the same for every origin; with a list it names the caller's.
  const bool vary = !any;
  if (vary) policy.vary_.emplace_back("Vary", "Origin");
  for (auto& origin : origins) {
    AllowedOrigin allowed;
    allowed.response = ResponseBlock(origin, settings.allow_credentials, vary);
    allowed.preflight = PreflightBlock(origin, settings.allow_credentials, vary, settings.max_age);
    allowed.origin = std::move(origin);
    policy.allowed_.push_back(std::move(allowed));
  }
  return policy;
}

std::vector<std::string> CorsPolicy::origins() const {
  std::vector<std::string> list;
  if (any_origin_) return list;
  for (const auto& allowed : allowed_) list.push_back(allowed.origin);
  return list;
}

const CorsPolicy::AllowedOrigin* CorsPolicy::Find(std::string_view origin) const {
  if (!enabled_ || origin.empty()) return nullptr;
  if (any_origin_) return &allowed_.front();
  for (const auto& allowed : allowed_) {
    if (allowed.origin == origin) return &allowed;
  }
  return nullptr;
}

const Headers* CorsPolicy::ResponseHeaders(std::string_view origin) const {
  if (const auto* allowed = Find(origin)) return &allowed->response;
  return vary_.empty() ? nullptr : &vary_;
}

Response CorsPolicy::Preflight(std::string_view origin) const {
  const auto* allowed = Find(origin);
  if (allowed == nullptr) {
    Response refused = ErrorResponse(base::MakeError(
        base::ErrorCode::kPermissionDenied,
        "origin " + std::string(origin) + " is not allowed by CORS_ALLOWED_ORIGINS"));
    refused.shared_headers = vary_.empty() ? nullptr : &vary_;
    return refused;
  }
  Response response;
  response.status = 204;
  response.shared_headers = &allowed->preflight;
  return response;
}

bool IsPreflight(const Request& request) {
  return request.method == Method::kOptions && !request.Header("origin").empty() &&
         !request.Header("access-control-request-method").empty();
}

Middleware Cors(const CorsPolicy& policy) {
  return [&policy](Request& request, const Handler& next) { return Apply(policy, request, next); };
}

}  // namespace vitrina::http::core
