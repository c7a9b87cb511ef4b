#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "vitrina/base/request_trace.hpp"
#include "vitrina/base/result.hpp"
#include "vitrina/cache/cache_settings.hpp"
#include "vitrina/cache/core/cache_key.hpp"
#include "vitrina/cache/core/cache_match.hpp"
#include "vitrina/cache/core/stored_response.hpp"
#include "vitrina/catalog/core/dataset_spec.hpp"
#include "vitrina/http/core/body_file.hpp"
#include "vitrina/http/core/content_coding.hpp"
#include "vitrina/redis/client.hpp"

namespace vitrina::cache {

// How a response was obtained; the server turns it into the X-Cache header.
enum class CacheOutcome {
  kHit,       // X-Cache: HIT    the stored bytes
  kMiss,      // X-Cache: MISS   the loader ran (or a concurrent identical request's loader did)
  kBypass,    // X-Cache: BYPASS Redis unreachable, slow, or not trusted yet: loader, not stored
  kDisabled,  // X-Cache: DISABLED CACHE_ENABLED=false or no Redis configured: plain loader
};
std::string_view CacheOutcomeName(CacheOutcome outcome);  // "HIT", "MISS", "BYPASS", "DISABLED"

struct CachedResponse {
  std::shared_ptr<const std::string> body;  // send verbatim; shared by coalesced requests
  std::string etag;                         // quoted strong ETag of `body`, for If-None-Match
  CacheOutcome outcome = CacheOutcome::kMiss;
  std::shared_ptr<const http::core::BodyFile> file;  // the same bytes in a file (local copies only)
  // The content coding of `body` (Content-Encoding); identity unless one was asked for.
  http::core::ContentCoding coding = http::core::ContentCoding::kIdentity;
  // The header of the Redis entry `body` is (or was compressed from), when this answer is what the
  // key held; empty when it was not stored (bypass, refused store). Variants derive from it.
  std::string entry_header;
};

// Who asks, for the per-client budget of uncached queries: the user id, or the client address
// when reads are anonymous. Exempt clients (admins) are never counted.
struct CacheClient {
  std::string id;
  bool exempt = false;
};

// Produces the response body on a miss (the server queries PostgreSQL). Errors are passed through
// to every request waiting for that load.
using Loader = std::function<boost::asio::awaitable<base::Result<std::string>>()>;

// A Loader told how its answer will be used: kMiss (stored if the key did not change meanwhile),
// kBypass or kDisabled (not stored). A streaming caller puts it in X-Cache before the body is
// complete (api/catalog_stream.hpp).
using OutcomeLoader =
    std::function<boost::asio::awaitable<base::Result<std::string>>(CacheOutcome)>;

// What the cache did since it started. Declared once for both uses: the cache counts in
// BasicCacheCounters<std::atomic<std::uint64_t>> and Counters() hands out a copy of plain numbers.
template <typename Count>
struct BasicCacheCounters {
  Count hits{};
  Count local_hits{};     // hits whose body came from this instance's checked copy
  Count leased_hits{};    // of those, sent under a lease: no check needed (CACHE_LOCAL_LEASE_MS)
  Count header_checks{};  // GETRANGEs sent to check a local copy
  Count shared_checks{};  // requests answered by a check another request waited for
  Count misses{};
  Count bypasses{};
  Count loader_calls{};
  Count coalesced{};  // requests served by another request's load
  Count stores{};
  Count stores_refused{};  // a write invalidated the key while we were loading
  Count invalidated_keys{};
  Count invalidation_failures{};
  Count redis_errors{};
  Count compressions{};     // bodies compressed for a request (a variant made or a bypass)
  Count variant_hits{};     // compressed answers sent as stored (no compression)
  Count variant_stores{};   // variants stored beside their entry
  Count variant_refused{};  // variants not stored: the entry changed meanwhile
  Count recompressions{};   // variants replaced by a smaller one made in the background
};
using CacheCounters = BasicCacheCounters<std::uint64_t>;

struct LocalCopiesUsage {
  std::size_t entries = 0;
  std::size_t bytes = 0;
  std::size_t max_bytes = 0;  // 0: local copies are off
  std::size_t files = 0;      // entries also held in a file sent with sendfile(2)
};

struct CacheHealth {
  bool enabled = false;
  bool usable = false;  // requests use Redis (breaker closed and no unrepaired invalidation)
  bool repair_pending = false;
  std::string breaker;  // "closed", "open", "probing"
  std::string backend;  // RedisClient::Describe()
};

// Read-through cache for GET /catalog with exact invalidation on writes. See docs/cache.md for the
// key format, the sequence diagrams and the argument that no stale answer is stored or served.
//
// Lifetime: construct, Start(), use from any thread, Stop() from a thread that is not one of the
// executor's (while they still run), destroy. `redis` and `spec` must outlive the cache.
class CatalogCache {
 public:
  CatalogCache(const boost::asio::any_io_executor& executor, redis::RedisClient& redis,
               const catalog::core::DatasetSpec& spec, const CacheSettings& settings);
  ~CatalogCache();
  CatalogCache(const CatalogCache&) = delete;
  CatalogCache& operator=(const CatalogCache&) = delete;

  // Starts the background probe that closes the breaker when Redis answers again (after repairing
  // any invalidation that could not reach Redis).
  void Start();
  void Stop();

  // The cached answer for `key`, or the loader's. Never fails because of Redis: at most one
  // command timeout is paid, then the breaker sends requests straight to the loader. Concurrent
  // misses of one key in this process share one loader call. With a trace, each Redis command
  // is recorded as a "redis" dependency of the request. A miss counts against `client`'s budget
  // (CACHE_CLIENT_MISSES_PER_MINUTE): beyond it, kTooManyRequests with a retry_after; without a
  // client nothing is counted. (Pointers, not defaulted references: g++ 12 destroys a default
  // argument's temporary twice when the call is co_awaited.)
  //
  // With `accept` (the request's Accept-Encoding), the answer comes in the coding it prefers
  // (http::core::ChooseContentCoding: small bodies stay identity). A compressed answer is made
  // at most once per stored entry and coding, and stored beside the entry (VariantKey, same hash
  // slot); later requests get those bytes as they are, confirmed like the entry's. See
  // docs/cache.md, "Compression".
  boost::asio::awaitable<base::Result<CachedResponse>> Get(
      const core::CacheKey& key, Loader loader, base::RequestTrace* trace = nullptr,
      const CacheClient* client = nullptr, const http::core::CodingPreference* accept = nullptr);

  // Get with a loader that is told the outcome it loads for (see OutcomeLoader).
  boost::asio::awaitable<base::Result<CachedResponse>> GetWithOutcome(
      const core::CacheKey& key, OutcomeLoader loader, base::RequestTrace* trace = nullptr,
      const CacheClient* client = nullptr, const http::core::CodingPreference* accept = nullptr);

  // The answer Get would send as a hit from this instance's local copy (confirmed against Redis
  // by its header, counted as a hit), and nothing else: nullopt when there is no such copy (a
  // miss, a first read on this instance, local copies off), the cache is off or Redis does not
  // answer; nothing is loaded, stored or counted as a miss then, and Get sends no command twice
  // after it. For a caller that prepares a load differently from a hit (a streamed list runs
  // Get in a coroutine of its own).
  boost::asio::awaitable<std::optional<CachedResponse>> FindHit(
      const core::CacheKey& key, base::RequestTrace* trace,
      const http::core::CodingPreference* accept);

  // Answers larger than CACHE_MAX_ENTRY_BYTES are not stored. A streaming caller that crossed
  // the limit marks the key, and later requests stream at once instead of teeing a copy; the mark
  // is forgotten when a write invalidates the key (InvalidateForWrite, InvalidateAll), after
  // CACHE_TTL_SECONDS, or when more than kMaxTooLargeKeys keys are marked (oldest first).
  static constexpr std::size_t kMaxTooLargeKeys = 1024;
  void MarkTooLarge(const core::CacheKey& key);
  bool IsTooLarge(const core::CacheKey& key) const;

  // Call after the write's transaction committed and before its response is sent, with the item's
  // old and/or new values (PUT, DELETE: both). Removes every cached answer the write can change
  // and nothing else. An error means Redis could not be reached: the cache then refuses to serve
  // from Redis until it has flushed every registered key (and the outbox, if used, keeps the
  // write pending for the other instances: see cache/invalidation_outbox.hpp).
  boost::asio::awaitable<base::Status> InvalidateForWrite(std::vector<core::ItemValues> versions);

  // Removes every catalog answer (a committed ETL run). Same failure behaviour as above.
  boost::asio::awaitable<base::Status> InvalidateAll();

  // Where `key` lives in Redis: CACHE_KEY_PREFIX + the key (what X-Cache-Key shows).
  std::string RedisKey(const core::CacheKey& key) const;

  CacheHealth Health() const;
  CacheCounters Counters() const;
  LocalCopiesUsage LocalUsage() const;
  const CacheSettings& settings() const;

 private:
  class Impl;  // the machinery: catalog_cache.cpp
  std::unique_ptr<Impl> impl_;
};

}  // namespace vitrina::cache
