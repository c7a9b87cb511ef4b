#pragma once

#include <vector>

#include <boost/asio/awaitable.hpp>

#include "vitrina/api/catalog_stream.hpp"
#include "vitrina/api/core/parsed_queries.hpp"
#include "vitrina/cache/catalog_cache.hpp"
#include "vitrina/catalog/catalog_repository.hpp"
#include "vitrina/catalog/core/catalog_query.hpp"
#include "vitrina/catalog/core/dataset_spec.hpp"
#include "vitrina/http/core/message.hpp"

namespace vitrina::api {

// The /catalog resource. Each handler parses (core), calls the domain (reader/writer) and renders;
// SQL lives in catalog/core/catalog_sql, cache keys come from cache::core::CatalogCacheKey.
//
// With a cache, GET /catalog goes through it: the key is built from the validated query, the
// loader renders the full response body, and every list response carries X-Cache (HIT, MISS,
// BYPASS, DISABLED), X-Cache-Key and an ETag (If-None-Match equal to it answers 304). Misses
// count against the caller's budget: the user id, or the client address for anonymous reads.
class CatalogHandlers {
 public:
  CatalogHandlers(const catalog::core::DatasetSpec& spec, catalog::CatalogReader& reader,
                  catalog::CatalogWriter& writer,
                  std::vector<catalog::CatalogWriteListener*> listeners = {},
                  cache::CatalogCache* cache = nullptr, int trusted_proxy_hops = 0,
                  CatalogStreams* streams = nullptr)
      : spec_(spec),
        query_parser_(spec),
        reader_(reader),
        writer_(writer),
        listeners_(std::move(listeners)),
        cache_(cache),
        trusted_proxy_hops_(trusted_proxy_hops),
        streams_(streams) {}

  boost::asio::awaitable<http::core::Response> List(http::core::Request& request);
  boost::asio::awaitable<http::core::Response> Get(http::core::Request& request);
  boost::asio::awaitable<http::core::Response> Facets(http::core::Request& request);
  boost::asio::awaitable<http::core::Response> Create(http::core::Request& request);
  boost::asio::awaitable<http::core::Response> Replace(http::core::Request& request);
  boost::asio::awaitable<http::core::Response> Delete(http::core::Request& request);

 private:
  boost::asio::awaitable<void> NotifyCommitted(const catalog::WriteOutcome& outcome);
  // Unpaginated lists: read through CatalogStreams, sent whole when small, streamed otherwise.
  boost::asio::awaitable<http::core::Response> ListAll(http::core::Request& request,
                                                       const catalog::core::CatalogQuery& query,
                                                       const cache::core::CacheKey& key);
  // The query string's validated query and cache key (kept, so a repeated query is parsed once).
  base::Result<std::shared_ptr<const core::ParsedQueries::Parsed>> ParseList(std::string_view raw);
  boost::asio::awaitable<http::core::Response> ListUncached(
      http::core::Request& request, const catalog::core::CatalogQuery& query,
      const cache::core::CacheKey& key, const http::core::CodingPreference& accept,
      cache::CacheOutcome outcome, std::string bypass_reason);
  http::core::Response CachedAnswer(const http::core::Request& request,
                                    cache::CachedResponse cached,
                                    const cache::core::CacheKey& key) const;
  http::core::Response StreamedAnswer(std::shared_ptr<http::core::BodyStream> body,
                                      const http::core::CodingPreference& accept,
                                      cache::CacheOutcome outcome, const cache::core::CacheKey& key,
                                      const std::string& bypass_reason) const;
  cache::CacheClient ClientOf(const http::core::Request& request) const;

  const catalog::core::DatasetSpec& spec_;
  const catalog::core::CatalogQueryParser query_parser_;
  core::ParsedQueries parsed_queries_{1024};
  catalog::CatalogReader& reader_;
  catalog::CatalogWriter& writer_;
  std::vector<catalog::CatalogWriteListener*> listeners_;
  cache::CatalogCache* cache_;
  const int trusted_proxy_hops_;  // TRUSTED_PROXY_HOPS: who an anonymous reader is
  CatalogStreams* streams_;       // null: unpaginated lists are read whole (json_agg)
};

}  // namespace vitrina::api
