#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "vitrina/base/request_trace.hpp"
#include "vitrina/base/result.hpp"
#include "vitrina/cache/catalog_cache.hpp"
#include "vitrina/catalog/catalog_repository.hpp"
#include "vitrina/catalog/core/catalog_query.hpp"
#include "vitrina/http/core/message.hpp"

namespace vitrina::api {

// How unpaginated GET /catalog answers are read and sent (docs/api.md, "Streamed answers").
//   CATALOG_STREAM_AFTER_BYTES=8388608  an answer up to this size is read whole and sent as one
//                                  body (Content-Length, ETag, compression); a larger one is
//                                  streamed from PostgreSQL with chunked transfer
//   CATALOG_STREAM_BATCH_ROWS=1000  rows per FETCH of the cursor
//   CATALOG_MAX_STREAMS=4          streamed answers at once (each holds a database connection);
//                                  beyond, 503 with Retry-After
struct CatalogStreamSettings {
  std::size_t whole_max_bytes = std::size_t{8} * 1024 * 1024;
  std::size_t batch_rows = 1000;
  int max_streams = 4;
};

// The envelope of an unpaginated answer: {"items":[...],"count":N}. The count goes last because
// it is known only at the end of a stream; JSON members are unordered, so parsers do not care.
inline constexpr std::string_view kListOpen = "{\"items\":[";
std::string ListClose(std::int64_t count);

// The beginning of an unpaginated answer: all of it (`complete`: the envelope closed), or the
// bytes read before it grew past CatalogStreamSettings::whole_max_bytes and the open query to
// read the rest from.
struct ListStart {
  std::string head;
  std::int64_t count = 0;
  bool complete = false;
  std::unique_ptr<catalog::ItemStream> rest;
};

// Hands a Get running in its own coroutine (CatalogCache::GetWithOutcome) over to the handler
// that started it, on one executor: the handler learns either the Get's result or that the cache
// asked for a load (and for which outcome); the loader then waits until the handler, or the
// stream it returned, delivers the body. That lets a miss stream to its client while the cache
// still stores the complete body exactly as any miss (docs/cache.md, "Large answers").
struct LoadHandoff {
  explicit LoadHandoff(const boost::asio::any_io_executor& executor);

  // Records the cache's Redis calls into the request's trace while the handler runs; afterwards
  // (the trace is gone) they are not attributed.
  class TraceRelay final : public base::DependencyObserver {
   public:
    void OnDependency(const base::RequestTrace&, const base::DependencyRecord& record) override {
      if (target != nullptr) target->Record(record);
    }
    base::RequestTrace* target = nullptr;
  };

  boost::asio::awaitable<void> WaitForGetOrLoad();
  boost::asio::awaitable<void> WaitForGet();
  void Deliver(base::Result<std::string> body);
  bool delivered() const { return body.has_value(); }

  TraceRelay relay;
  base::RequestTrace trace{&relay};
  boost::asio::steady_timer wake;    // cancelled when `got` or `load_for` is set
  boost::asio::steady_timer loaded;  // cancelled when `body` is set
  std::optional<base::Result<cache::CachedResponse>> got;
  std::optional<cache::CacheOutcome> load_for;
  std::optional<base::Result<std::string>> body;
};

// A loaded answer that could not be stored and that waiters should read themselves, as its own
// stream: its error detail starts with this, and the reason follows ("too-large", "abandoned").
inline constexpr std::string_view kReadItYourself = "catalog_stream: ";
std::optional<std::string> ReadItYourselfReason(const base::Error& error);

// Streams of unpaginated answers: reads their start, caps how many are streamed at once, and
// makes the body the server sends.
class CatalogStreams {
 public:
  CatalogStreams(catalog::CatalogStreamReader& reader, CatalogStreamSettings settings)
      : reader_(reader), settings_(settings) {}

  // Opens the query and reads until the end or past whole_max_bytes, or only the first batch
  // when the answer is `known_large` (marked too large for the cache) or the planner expects it
  // to be over twice whole_max_bytes; traced as one "postgresql" dependency named catalog_stream.
  boost::asio::awaitable<base::Result<ListStart>> Start(const catalog::core::CatalogQuery& query,
                                                        base::RequestTrace* trace,
                                                        bool known_large);

  // Whether a start of one batch is expected to grow past `bytes`, at its first batch's bytes
  // per item and the planner's `estimate` of the items.
  static bool ExpectedOver(const ListStart& start, std::optional<std::int64_t> estimate,
                           double bytes);

  // The body of a started answer that is not complete; kUnavailable (503, Retry-After) when
  // CATALOG_MAX_STREAMS are already streaming. With `handoff`, the body is also collected while
  // it stays under `cache->settings().max_entry_bytes` and delivered when complete; past it (or
  // from the start, when the planner expects over twice that) the key is marked too large and
  // the waiters are told to read it themselves.
  base::Result<std::shared_ptr<http::core::BodyStream>> Body(
      ListStart start, std::shared_ptr<LoadHandoff> handoff = nullptr,
      cache::CatalogCache* cache = nullptr, const cache::core::CacheKey* key = nullptr);

  int open_streams() const { return open_.load(); }
  const CatalogStreamSettings& settings() const { return settings_; }

 private:
  boost::asio::awaitable<base::Result<ListStart>> ReadStart(
      const catalog::core::CatalogQuery& query, bool known_large);

  catalog::CatalogStreamReader& reader_;
  const CatalogStreamSettings settings_;
  std::atomic<int> open_{0};
};

}  // namespace vitrina::api
