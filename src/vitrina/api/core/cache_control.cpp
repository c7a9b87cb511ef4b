#include "vitrina/api/core/cache_control.hpp"

namespace vitrina::api::core {

namespace asio = boost::asio;
using http::core::Method;

namespace {

constexpr std::string_view kNoStore = "no-store";

asio::awaitable<http::core::Response> Apply(const CachePolicy& policy, http::core::Request& request,
                                            const http::core::Handler& next) {
  http::core::Response response = co_await next(request);
  for (const auto& [name, value] : response.headers) {
    if (name == "Cache-Control") co_return response;
  }
  const std::string_view value = policy.For(request.method, request.route, response.status);
  if (!value.empty()) response.headers.emplace_back("Cache-Control", std::string(value));
  co_return response;
}

}  // namespace

CachePolicy::CachePolicy(bool public_reads, PublicReadCaching caching) {
  if (public_reads) {
    // max-age=0: a browser revalidates (a cheap 304) and so sees a write at once; only shared
    // caches, which the operator chose to put in front, keep the answer for s-maxage.
    catalog_reads_ =
        "public, max-age=0, s-maxage=" + std::to_string(caching.shared_max_age.count()) +
        ", stale-while-revalidate=" + std::to_string(caching.stale_while_revalidate.count());
  } else {
    // The answer is the same for every user, but a shared cache must not give it to a caller
    // without a token: private. no-cache: the browser asks again each time, with the ETag.
    catalog_reads_ = "private, no-cache";
  }
}

std::string_view CachePolicy::For(Method method, std::string_view route, unsigned status) const {
  // An error is about this request at this moment (a 404 stops being true when the item is
  // created, a 503 when the database is back): nobody keeps it.
  if (status >= 400) return kNoStore;
  const bool read = method == Method::kGet || method == Method::kHead;
  if (read) {
    if (route == "/catalog" || route == "/catalog/facets" || route == "/catalog/{id}") {
      return catalog_reads_;
    }
    if (route == "/openapi.json") return "no-cache";
    if (route == "/" || route == "/console/{asset}" || route == "/docs" ||
        route == "/docs/{asset}") {
      return {};
    }
  }
  return kNoStore;
}

http::core::Middleware CacheControl(const CachePolicy& policy) {
  return [&policy](http::core::Request& request, const http::core::Handler& next) {
    return Apply(policy, request, next);
  };
}

}  // namespace vitrina::api::core
