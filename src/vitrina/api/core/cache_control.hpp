#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "vitrina/http/core/message.hpp"
#include "vitrina/http/core/pipeline.hpp"

namespace vitrina::api::core {

// How long shared caches (a CDN, a reverse proxy) may keep public catalog reads.
struct PublicReadCaching {
  std::chrono::seconds shared_max_age{60};          // CACHE_CONTROL_S_MAXAGE_SECONDS
  std::chrono::seconds stale_while_revalidate{30};  // CACHE_CONTROL_STALE_WHILE_REVALIDATE_SECONDS
};

// What every answer tells downstream caches (RFC 9111), decided by route and status in one table:
//   - catalog reads (GET/HEAD /catalog, /catalog/facets, /catalog/{id}), 2xx and 304:
//     with a token required, "private, no-cache": only the caller's browser keeps them, and it
//     revalidates every time (the ETag makes that a 304);
//     with public reads, "public, max-age=0, s-maxage=N, stale-while-revalidate=M": browsers
//     revalidate, shared caches serve them N s (and M s more while refreshing in the background);
//   - /openapi.json: "no-cache" (changes with a release or a spec);
//   - the console and the Swagger UI (/, /console/*, /docs, /docs/*): the handler's own;
//   - every error (status >= 400) and everything else (writes, sign-up, login, users, /me, health,
//     metrics, preflights): "no-store".
class CachePolicy {
 public:
  CachePolicy(bool public_reads, PublicReadCaching caching);

  // The value for an answer; empty when the handler sets its own.
  std::string_view For(http::core::Method method, std::string_view route, unsigned status) const;

  const std::string& catalog_reads() const { return catalog_reads_; }

 private:
  std::string catalog_reads_;
};

// Adds the policy's Cache-Control to every answer that has none. `policy` must outlive the
// pipeline.
http::core::Middleware CacheControl(const CachePolicy& policy);

}  // namespace vitrina::api::core
