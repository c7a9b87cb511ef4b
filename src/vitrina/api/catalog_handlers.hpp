#pragma once

#include <vector>

#include <boost/asio/awaitable.hpp>

#include "vitrina/cache/catalog_cache.hpp"
#include "vitrina/core/catalog_query.hpp"
#include "vitrina/core/dataset_spec.hpp"
#include "vitrina/db/catalog_repository.hpp"
#include "vitrina/http/message.hpp"

namespace vitrina::api {

// The /catalog resource. Each handler parses (core), calls the domain (reader/writer) and renders;
// SQL lives in core/catalog_sql, cache keys come from core::CatalogCacheKey.
//
// With a cache, GET /catalog goes through it: the key is built from the validated query, the
// loader renders the full response body, and every list response carries X-Cache (HIT, MISS,
// BYPASS, DISABLED), X-Cache-Key and an ETag (If-None-Match equal to it answers 304).
class CatalogHandlers {
 public:
  CatalogHandlers(const core::DatasetSpec& spec, db::CatalogReader& reader,
                  db::CatalogWriter& writer, std::vector<db::CatalogWriteListener*> listeners = {},
                  cache::CatalogCache* cache = nullptr)
      : spec_(spec),
        query_parser_(spec),
        reader_(reader),
        writer_(writer),
        listeners_(std::move(listeners)),
        cache_(cache) {}

  boost::asio::awaitable<http::Response> List(http::Request& request);
  boost::asio::awaitable<http::Response> Get(http::Request& request);
  boost::asio::awaitable<http::Response> Create(http::Request& request);
  boost::asio::awaitable<http::Response> Replace(http::Request& request);
  boost::asio::awaitable<http::Response> Delete(http::Request& request);

 private:
  boost::asio::awaitable<void> NotifyCommitted(const db::WriteOutcome& outcome);

  const core::DatasetSpec& spec_;
  const core::CatalogQueryParser query_parser_;
  db::CatalogReader& reader_;
  db::CatalogWriter& writer_;
  std::vector<db::CatalogWriteListener*> listeners_;
  cache::CatalogCache* cache_;
};

}  // namespace vitrina::api
