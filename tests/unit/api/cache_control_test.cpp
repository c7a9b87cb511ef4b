#include "vitrina/api/core/cache_control.hpp"

#include <gtest/gtest.h>

namespace vitrina::api::core {
namespace {

using http::core::Method;

const PublicReadCaching kCaching{.shared_max_age = std::chrono::seconds(120),
                                 .stale_while_revalidate = std::chrono::seconds(15)};

TEST(CachePolicy, AuthenticatedCatalogReadsArePrivateAndRevalidated) {
  const CachePolicy policy(false, kCaching);
  for (const std::string_view route : {"/catalog", "/catalog/facets", "/catalog/{id}"}) {
    EXPECT_EQ(policy.For(Method::kGet, route, 200), "private, no-cache") << route;
    EXPECT_EQ(policy.For(Method::kHead, route, 200), "private, no-cache") << route;
  }
  EXPECT_EQ(policy.For(Method::kGet, "/catalog", 304), "private, no-cache");
}

TEST(CachePolicy, PublicCatalogReadsLetSharedCachesKeepThemAsConfigured) {
  const CachePolicy policy(true, kCaching);
  EXPECT_EQ(policy.For(Method::kGet, "/catalog", 200),
            "public, max-age=0, s-maxage=120, stale-while-revalidate=15");
  EXPECT_EQ(policy.For(Method::kGet, "/catalog/{id}", 200), policy.catalog_reads());
}

TEST(CachePolicy, WritesAuthUsersHealthAndMetricsAreNeverStored) {
  const CachePolicy policy(true, kCaching);
  EXPECT_EQ(policy.For(Method::kPost, "/catalog", 201), "no-store");
  EXPECT_EQ(policy.For(Method::kPut, "/catalog/{id}", 200), "no-store");
  EXPECT_EQ(policy.For(Method::kDelete, "/catalog/{id}", 204), "no-store");
  for (const std::string_view route : {"/signup", "/login", "/token/refresh"}) {
    EXPECT_EQ(policy.For(Method::kPost, route, 200), "no-store") << route;
  }
  for (const std::string_view route : {"/me", "/users", "/healthz", "/readyz", "/metrics"}) {
    EXPECT_EQ(policy.For(Method::kGet, route, 200), "no-store") << route;
  }
  EXPECT_EQ(policy.For(Method::kPatch, "/users/{uid}", 200), "no-store");
  EXPECT_EQ(policy.For(Method::kOptions, "", 204), "no-store");  // a preflight
}

TEST(CachePolicy, ErrorsAreNeverStoredWhateverTheRoute) {
  const CachePolicy policy(true, kCaching);
  for (const unsigned status : {400u, 401u, 403u, 404u, 405u, 429u, 500u, 503u}) {
    EXPECT_EQ(policy.For(Method::kGet, "/catalog", status), "no-store") << status;
    EXPECT_EQ(policy.For(Method::kGet, "/console/{asset}", status), "no-store") << status;
  }
  EXPECT_EQ(policy.For(Method::kGet, "", 404), "no-store");  // unmatched
}

TEST(CachePolicy, StaticFilesKeepTheHandlersOwnAndTheApiDocumentIsRevalidated) {
  const CachePolicy policy(false, kCaching);
  for (const std::string_view route : {"/", "/console/{asset}", "/docs", "/docs/{asset}"}) {
    EXPECT_EQ(policy.For(Method::kGet, route, 200), "") << route;
  }
  EXPECT_EQ(policy.For(Method::kGet, "/openapi.json", 200), "no-cache");
}

}  // namespace
}  // namespace vitrina::api::core
