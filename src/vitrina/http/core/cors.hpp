#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "vitrina/base/result.hpp"
#include "vitrina/http/core/message.hpp"
#include "vitrina/http/core/pipeline.hpp"

namespace vitrina::http::core {

// The CORS_* variables as read, before they are checked.
struct CorsSettings {
  std::string allowed_origins;        // CORS_ALLOWED_ORIGINS: "*" or a comma list; empty: off
  bool allow_credentials = false;     // CORS_ALLOW_CREDENTIALS
  std::chrono::seconds max_age{600};  // CORS_MAX_AGE_SECONDS: how long a browser keeps a preflight
};

// Which browser pages on other origins may call the API (the Fetch standard's CORS protocol).
// The API authenticates with `Authorization: Bearer`, which is not a credential in the CORS sense
// (cookies, TLS client certificates, HTTP authentication are), so `*` works for it; a page that
// sends cookies with `credentials: "include"` needs CORS_ALLOW_CREDENTIALS=true and listed origins.
//
// Every header block is built once, here: an answer points at the block of its origin instead of
// copying it (Response::shared_headers), so CORS costs a cached hit no allocation.
class CorsPolicy {
 public:
  // Off (no CORS headers anywhere) when `allowed_origins` is empty. An error naming the variable
  // for an entry that is not an origin (scheme://host[:port], http or https, no path), "null",
  // "*" among other entries, or "*" with credentials (browsers refuse that combination).
  static base::Result<CorsPolicy> Create(const CorsSettings& settings);
  CorsPolicy() = default;

  bool enabled() const { return enabled_; }
  bool allows_any_origin() const { return any_origin_; }
  // The configured origins, normalized (lower case, default port left out); empty with "*".
  std::vector<std::string> origins() const;

  bool Allows(std::string_view origin) const { return Find(origin) != nullptr; }

  // Headers for an answer to a request whose Origin is `origin` (empty: none sent):
  // Access-Control-Allow-Origin and -Expose-Headers when the origin is allowed, and `Vary: Origin`
  // whenever the answer depends on the origin (listed origins, with or without an Origin header,
  // so a shared cache never gives one origin's answer to another). Null when there are none.
  const Headers* ResponseHeaders(std::string_view origin) const;

  // The answer to a preflight from `origin`: 204 with the allowed methods and headers and
  // Access-Control-Max-Age, or 403 without CORS headers when the origin is not allowed.
  Response Preflight(std::string_view origin) const;

 private:
  struct AllowedOrigin {
    std::string origin;  // "*" for any
    Headers response;
    Headers preflight;
  };
  const AllowedOrigin* Find(std::string_view origin) const;

  bool enabled_ = false;
  bool any_origin_ = false;
  std::vector<AllowedOrigin> allowed_;
  Headers vary_;  // `Vary: Origin` alone, for listed origins: the answer to others depends on it
};

// A CORS preflight: OPTIONS with Origin and Access-Control-Request-Method.
bool IsPreflight(const Request& request);

// Answers preflights itself (before authentication: a preflight carries no token) and gives every
// other answer its origin's CORS headers, errors included, so a page can read a 401 or a 404.
// `policy` must outlive the pipeline. Not installed when CORS is off.
Middleware Cors(const CorsPolicy& policy);

}  // namespace vitrina::http::core
