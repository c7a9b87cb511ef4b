#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>

#include "vitrina/base/request_trace.hpp"
#include "vitrina/base/result.hpp"
#include "vitrina/cache/cache_settings.hpp"
#include "vitrina/cache/core/cache_key.hpp"
#include "vitrina/cache/core/cache_match.hpp"
#include "vitrina/cache/core/circuit_breaker.hpp"
#include "vitrina/cache/core/local_copies.hpp"
#include "vitrina/cache/core/stored_response.hpp"
#include "vitrina/catalog/core/dataset_spec.hpp"
#include "vitrina/redis/client.hpp"

namespace vitrina::cache {

// How a response was obtained; the server turns it into the X-Cache header.
enum class CacheOutcome {
  kHit,       // X-Cache: HIT    the stored bytes
  kMiss,      // X-Cache: MISS   the loader ran (or a concurrent identical request's loader did)
  kBypass,    // X-Cache: BYPASS Redis unreachable, slow, or not trusted yet: loader, not stored
  kDisabled,  // CACHE_ENABLED=false: plain loader, no X-Cache header
};
std::string_view CacheOutcomeName(CacheOutcome outcome);  // "HIT", "MISS", "BYPASS", "DISABLED"

struct CachedResponse {
  std::shared_ptr<const std::string> body;  // send verbatim; shared by coalesced requests
  std::string etag;                         // quoted strong ETag of `body`, for If-None-Match
  CacheOutcome outcome = CacheOutcome::kMiss;
  std::shared_ptr<const http::core::BodyFile> file;  // the same bytes in a file (local copies only)
};

// Produces the response body on a miss (the server queries PostgreSQL). Errors are passed through
// to every request waiting for that load.
using Loader = std::function<boost::asio::awaitable<base::Result<std::string>>()>;

struct CacheCounters {
  std::uint64_t hits = 0;
  std::uint64_t local_hits = 0;     // hits whose body came from this instance's checked copy
  std::uint64_t header_checks = 0;  // GETRANGEs sent to check a local copy
  std::uint64_t shared_checks = 0;  // requests answered by a check another request waited for
  std::uint64_t misses = 0;
  std::uint64_t bypasses = 0;
  std::uint64_t loader_calls = 0;
  std::uint64_t coalesced = 0;  // requests served by another request's load
  std::uint64_t stores = 0;
  std::uint64_t stores_refused = 0;  // a write invalidated the key while we were loading
  std::uint64_t invalidated_keys = 0;
  std::uint64_t invalidation_failures = 0;
  std::uint64_t redis_errors = 0;
};

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
               const catalog::core::DatasetSpec& spec, CacheSettings settings);
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
  // is recorded as a "redis" dependency of the request.
  boost::asio::awaitable<base::Result<CachedResponse>> Get(const core::CacheKey& key, Loader loader,
                                                           base::RequestTrace* trace = nullptr);

  // Call after the write's transaction committed and before its response is sent, with the item's
  // old and/or new values (PUT, DELETE: both). Removes every cached answer the write can change
  // and nothing else. An error means Redis could not be reached: the cache then refuses to serve
  // from Redis until it has flushed every registered key (and the outbox, if used, keeps the
  // write pending for the other instances: see cache/invalidation_outbox.hpp).
  boost::asio::awaitable<base::Status> InvalidateForWrite(std::vector<core::ItemValues> versions);

  // Removes every catalog answer (a committed ETL run). Same failure behaviour as above.
  boost::asio::awaitable<base::Status> InvalidateAll();

  CacheHealth Health() const;
  CacheCounters Counters() const;
  LocalCopiesUsage LocalUsage() const;
  const CacheSettings& settings() const { return settings_; }

 private:
  struct Flight;
  struct HeaderCheck;
  struct CheckSlot {
    bool in_flight = false;             // a GETRANGE of this key is on its way
    std::shared_ptr<HeaderCheck> next;  // the requests that arrived since, waiting for the next
  };

  // A hit: keeps this instance's copy of the entry (when local copies are on) and counts it.
  CachedResponse Hit(const std::string& key, core::StoredResponse stored);
  // Keeps `body` as this instance's copy of `key` (with a file when it is large enough).
  std::shared_ptr<const http::core::BodyFile> KeepCopy(const std::string& key, std::string header,
                                                       std::string etag,
                                                       std::shared_ptr<const std::string> body);
  // The first kStoredHeaderSize bytes of `key` in Redis, to compare with a local copy's header.
  // While one check of the key is on its way, the requests arriving meanwhile wait together for
  // one more, sent as soon as it returns: one GETRANGE per round trip and key, however many
  // requests, and each request's answer still comes from a check sent after it arrived.
  boost::asio::awaitable<base::Result<std::string>> CheckHeader(const std::string& key,
                                                                base::RequestTrace* trace);
  boost::asio::awaitable<base::Result<std::string>> SendHeaderCheck(const std::string& key,
                                                                    base::RequestTrace* trace);
  // After a check: sends the next batch's, if any, from `executor` (the finished check's own, so
  // it goes out through the same I/O thread's Redis connection).
  void HandOnChecks(const std::string& key, const boost::asio::any_io_executor& executor);
  boost::asio::awaitable<void> RunSharedCheck(std::string key, std::shared_ptr<HeaderCheck> check);
  boost::asio::awaitable<base::Result<CachedResponse>> Bypass(const Loader& loader,
                                                              CacheOutcome outcome);
  boost::asio::awaitable<base::Result<CachedResponse>> LoadAsLeader(const std::string& key,
                                                                    const std::string& version,
                                                                    std::shared_ptr<Flight> flight,
                                                                    const Loader& loader,
                                                                    base::RequestTrace* trace);
  // Sends one command; a transport failure counts against the breaker. With a trace, the call
  // is recorded under `name` ("GET", "EVAL store_if_version": a script's name says more than
  // EVAL).
  boost::asio::awaitable<base::Result<redis::RedisReply>> Send(redis::RedisArgs args,
                                                               base::RequestTrace* trace = nullptr,
                                                               std::string_view name = {});
  boost::asio::awaitable<base::Status> InvalidateKeys(const std::vector<std::string>& keys);
  boost::asio::awaitable<base::Result<std::vector<std::string>>> RegisteredKeys();
  boost::asio::awaitable<base::Status> FlushRegistered();
  boost::asio::awaitable<void> ProbeLoop();
  void MarkRepairNeeded();
  bool RepairPending() const;
  bool UsesRedis() const;

  boost::asio::strand<boost::asio::any_io_executor> probe_strand_;
  redis::RedisClient& redis_;
  const catalog::core::DatasetSpec& spec_;
  const CacheSettings settings_;
  core::CircuitBreaker breaker_;
  std::unique_ptr<core::LocalCopies> local_;  // null when CACHE_LOCAL_MAX_BYTES=0

  // "Repair pending" while failed_invalidations_ != repaired_up_to_: a generation counter, so a
  // failure that happens during a repair flush is not erased by that flush's success.
  std::atomic<std::uint64_t> failed_invalidations_{0};
  std::atomic<std::uint64_t> repaired_up_to_{0};

  std::mutex flights_mutex_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;

  std::mutex checks_mutex_;
  std::unordered_map<std::string, CheckSlot> checks_;
  std::atomic<int> running_checks_{0};  // RunSharedCheck coroutines not finished yet

  std::atomic<bool> stopping_{false};
  std::future<void> probe_done_;

  struct AtomicCounters {
    std::atomic<std::uint64_t> hits{0}, local_hits{0}, header_checks{0}, shared_checks{0},
        misses{0}, bypasses{0}, loader_calls{0}, coalesced{0}, stores{0}, stores_refused{0},
        invalidated_keys{0}, invalidation_failures{0}, redis_errors{0};
  };
  AtomicCounters counters_;
};

}  // namespace vitrina::cache
