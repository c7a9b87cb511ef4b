#include "vitrina/cache/catalog_cache.hpp"

#include <array>
#include <atomic>
#include <future>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/pfr.hpp>
#include <spdlog/spdlog.h>

#include "vitrina/cache/cache_scripts.hpp"
#include "vitrina/cache/catalog_registry.hpp"
#include "vitrina/cache/core/circuit_breaker.hpp"
#include "vitrina/cache/core/local_copies.hpp"
#include "vitrina/cache/core/stored_response.hpp"
#include "vitrina/cache/core/too_large_keys.hpp"
#include "vitrina/cache/sealed_body.hpp"
#include "vitrina/cache/shared_result.hpp"
#include "vitrina/http/compression.hpp"
#include "vitrina/http/offload.hpp"

namespace vitrina::cache {

namespace asio = boost::asio;

namespace {

// A token no earlier version can equal: 128 random bits.
std::string FreshToken() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (int word = 0; word < 2; ++word) {
    auto bits = random();
    for (int i = 0; i < 16; ++i, bits >>= 4) token += kHex[bits & 0x0F];
  }
  return token;
}

base::Error Unavailable(std::string detail) {
  return base::MakeError(base::ErrorCode::kUnavailable, "cache unavailable", std::move(detail));
}

}  // namespace

std::string_view CacheOutcomeName(CacheOutcome outcome) {
  switch (outcome) {
    case CacheOutcome::kHit:
      return "HIT";
    case CacheOutcome::kMiss:
      return "MISS";
    case CacheOutcome::kBypass:
      return "BYPASS";
    case CacheOutcome::kDisabled:
      return "DISABLED";
  }
  return "UNKNOWN";
}

class CatalogCache::Impl {
 public:
  Impl(const asio::any_io_executor& executor, redis::RedisClient& redis,
       const catalog::core::DatasetSpec& spec, const CacheSettings& settings);
  ~Impl() { Stop(); }

  void Start();
  void Stop();
  asio::awaitable<base::Result<CachedResponse>> Get(const core::CacheKey& key, OutcomeLoader loader,
                                                    base::RequestTrace* trace,
                                                    const CacheClient* client,
                                                    const http::core::CodingPreference* accept);
  asio::awaitable<std::optional<CachedResponse>> FindHit(
      const core::CacheKey& key, base::RequestTrace* trace,
      const http::core::CodingPreference* accept);
  asio::awaitable<base::Status> InvalidateForWrite(std::vector<core::ItemValues> versions);
  asio::awaitable<base::Status> InvalidateAll();
  CacheHealth Health() const;
  CacheCounters Counters() const;
  LocalCopiesUsage LocalUsage() const;
  const CacheSettings& settings() const { return settings_; }
  void MarkTooLarge(const std::string& key) {
    std::lock_guard lock(too_large_mutex_);
    too_large_.Add(RedisKey(key), std::chrono::steady_clock::now());
  }
  bool IsTooLarge(const std::string& key) const {
    std::lock_guard lock(too_large_mutex_);
    return too_large_.Contains(RedisKey(key), std::chrono::steady_clock::now());
  }

 private:
  struct Flight;
  struct HeaderCheck;
  struct VariantFlight;
  // What a GETRANGE of a key's header returned, and when it was sent: a lease starts then.
  struct HeaderCheckResult {
    std::string header;
    std::chrono::steady_clock::time_point sent;
  };
  struct CheckSlot {
    bool in_flight = false;             // a GETRANGE of this key is on its way
    std::shared_ptr<HeaderCheck> next;  // the requests that arrived since, waiting for the next
  };

  // A hit: keeps this instance's copy of the entry (when local copies are on) and counts it.
  // nullopt when the entry points to a shared body that is gone (the entry is dropped, as if
  // evicted, and the request goes on as a miss).
  asio::awaitable<std::optional<CachedResponse>> Hit(const std::string& key,
                                                     core::StoredResponse stored,
                                                     base::RequestTrace* trace);
  // This instance's copy of `copy_key` (an entry, or a variant in `coding`) if its lease covers
  // now or Redis confirms it by its header (which extends the lease): nullopt when there is no copy
  // or it was replaced (the copy is dropped), an error when Redis did not answer.
  asio::awaitable<base::Result<std::optional<CachedResponse>>> FindLocalCopy(
      const std::string& copy_key, http::core::ContentCoding coding, base::RequestTrace* trace);
  // The entry K holds, confirmed (a local copy checked by its header, or one GET): nullopt when
  // there is none, an error when Redis did not answer.
  asio::awaitable<base::Result<std::optional<CachedResponse>>> FindEntry(const std::string& key,
                                                                         base::RequestTrace* trace);
  // Whether this instance's copy of K shows a body too small to compress for `preference`.
  bool KnownTooSmallToCompress(const std::string& key,
                               const http::core::CodingPreference& preference) const;
  // The identity answer: the entry K holds, or the loader's (stored as K).
  asio::awaitable<base::Result<CachedResponse>> GetEntry(const core::CacheKey& key,
                                                         const OutcomeLoader& loader,
                                                         base::RequestTrace* trace,
                                                         const CacheClient* client);
  // The stored variant of `key` (a Redis key) in `coding`, confirmed like an entry (a local copy
  // checked by its header, or one GET); nullopt when there is none or Redis did not answer.
  asio::awaitable<std::optional<CachedResponse>> FindVariant(const std::string& key,
                                                             http::core::ContentCoding coding,
                                                             base::RequestTrace* trace);
  // `entry` compressed in `coding`: once per stored entry and coding in this process (concurrent
  // requests share it), stored beside the entry if it is still the one K holds; a large body's
  // fast compression is replaced in the background (Recompress). An entry that was not stored is
  // compressed for this request only.
  asio::awaitable<base::Result<CachedResponse>> MakeVariant(const std::string& key,
                                                            http::core::ContentCoding coding,
                                                            CachedResponse entry,
                                                            base::RequestTrace* trace);
  asio::awaitable<void> Recompress(std::string key, http::core::ContentCoding coding,
                                   std::string entry_header,
                                   std::shared_ptr<const std::string> body);
  // Stores a variant if K still holds `entry_header`; keeps this instance's copy. True if stored.
  asio::awaitable<std::pair<bool, std::shared_ptr<const http::core::BodyFile>>> StoreVariant(
      const std::string& key, http::core::ContentCoding coding, const std::string& entry_header,
      const std::string& etag, std::shared_ptr<const std::string> bytes, base::RequestTrace* trace);
  // Counts a miss against the client's budget; kTooManyRequests beyond it.
  asio::awaitable<base::Status> ChargeMiss(const CacheClient* client, base::RequestTrace* trace);
  // The value to store for `body`: inline, or (large) a reference to the shared copy it writes.
  asio::awaitable<base::Result<std::string>> StoredValue(const std::string& etag,
                                                         const std::string& stamp,
                                                         const std::string& body,
                                                         base::RequestTrace* trace);
  // Keeps `body` as this instance's copy of `key` (with a file when it is large enough).
  std::shared_ptr<const http::core::BodyFile> KeepCopy(const std::string& key, std::string header,
                                                       std::string etag,
                                                       std::shared_ptr<const std::string> body);
  // The first kStoredHeaderSize bytes of `key` in Redis, to compare with a local copy's header.
  // While one check of the key is on its way, the requests arriving meanwhile wait together for
  // one more, sent as soon as it returns: one GETRANGE per round trip and key, however many
  // requests, and each request's answer still comes from a check sent after it arrived.
  boost::asio::awaitable<base::Result<HeaderCheckResult>> CheckHeader(const std::string& key,
                                                                      base::RequestTrace* trace);
  boost::asio::awaitable<base::Result<HeaderCheckResult>> SendHeaderCheck(
      const std::string& key, base::RequestTrace* trace);
  // After a check: sends the next batch's, if any, from `executor` (the finished check's own, so
  // it goes out through the same I/O thread's Redis connection).
  void HandOnChecks(const std::string& key, const boost::asio::any_io_executor& executor);
  boost::asio::awaitable<void> RunSharedCheck(std::string key, std::shared_ptr<HeaderCheck> check);
  boost::asio::awaitable<base::Result<CachedResponse>> Bypass(const OutcomeLoader& loader,
                                                              CacheOutcome outcome);
  boost::asio::awaitable<base::Result<CachedResponse>> LoadAsLeader(const std::string& key,
                                                                    const std::string& version,
                                                                    std::shared_ptr<Flight> flight,
                                                                    const OutcomeLoader& loader,
                                                                    base::RequestTrace* trace);
  // Sends one command; a transport failure counts against the breaker. With a trace, the call
  // is recorded under `name` ("GET", "EVAL store_if_version": a script's name says more than
  // EVAL).
  boost::asio::awaitable<base::Result<redis::RedisReply>> Send(redis::RedisArgs args,
                                                               base::RequestTrace* trace = nullptr,
                                                               std::string_view name = {});
  // `keys` are catalog keys as CacheKey spells them (the registry's members), without the prefix.
  // Returns once no instance can still send what they held: after the DELs, a lease (CopyLease).
  boost::asio::awaitable<base::Status> InvalidateKeys(const std::vector<std::string>& keys);
  // Waits CACHE_LOCAL_LEASE_MS: every lease granted by a check that Redis ran before the last
  // DEL has ended when it returns, on every instance.
  boost::asio::awaitable<void> OutwaitLeases();
  boost::asio::awaitable<void> DropOldRegistryBuckets();
  boost::asio::awaitable<void> CheckEvictionPolicy();
  boost::asio::awaitable<base::Status> FlushRegistered();
  boost::asio::awaitable<void> ProbeLoop();
  void MarkRepairNeeded();
  // Where a key lives in Redis: under CACHE_KEY_PREFIX, so deployments sharing a Redis never
  // touch each other's keys (empty by default: the documented keys are the Redis keys).
  std::string RedisKey(std::string_view key) const {
    return settings_.key_prefix + std::string(key);
  }
  bool RepairPending() const;
  bool UsesRedis() const;

  boost::asio::strand<boost::asio::any_io_executor> probe_strand_;
  redis::RedisClient& redis_;
  const catalog::core::DatasetSpec& spec_;
  const CacheSettings settings_;
  core::CircuitBreaker breaker_;
  std::unique_ptr<core::LocalCopies> local_;  // null when CACHE_LOCAL_MAX_BYTES=0
  CatalogRegistry registry_;
  std::optional<std::chrono::steady_clock::time_point> registry_dropped_;  // probe strand only
  bool eviction_checked_ = false;                                          // probe strand only
  std::atomic<bool> unsafe_eviction_{false};

  // "Repair pending" while failed_invalidations_ != repaired_up_to_: a generation counter, so a
  // failure that happens during a repair flush is not erased by that flush's success.
  std::atomic<std::uint64_t> failed_invalidations_{0};
  std::atomic<std::uint64_t> repaired_up_to_{0};

  std::mutex flights_mutex_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;

  std::mutex checks_mutex_;
  std::unordered_map<std::string, CheckSlot> checks_;
  std::atomic<int> running_checks_{0};  // RunSharedCheck coroutines not finished yet

  std::mutex variant_flights_mutex_;
  std::unordered_map<std::string, std::shared_ptr<VariantFlight>> variant_flights_;
  std::atomic<int> running_recompressions_{0};  // Recompress coroutines not finished yet

  mutable std::mutex too_large_mutex_;
  mutable core::TooLargeKeys too_large_;

  std::atomic<bool> stopping_{false};
  std::future<void> probe_done_;

  BasicCacheCounters<std::atomic<std::uint64_t>> counters_;

  // Compression runs off the I/O threads: a request's on `compress_pool_`, the background
  // recompressions on one thread of their own, so they never delay a request's. Declared last:
  // destroyed (joined) first, while everything their work touches still exists.
  asio::thread_pool compress_pool_{2};
  asio::thread_pool recompress_pool_{1};
};

// One in-progress load of one key in this process. `version` is the key's version token read
// before the load started: a request may join only a flight with the version it read itself,
// which proves no write invalidated the key between the flight's start and the request's arrival.
struct CatalogCache::Impl::Flight {
  explicit Flight(std::string version_token) : version(std::move(version_token)) {}

  const std::string version;
  SharedResult<base::Result<CachedResponse>> result;
};

// One GETRANGE of a key's header, shared by every request that arrived while the previous check
// of that key was on its way: it is sent after all of them arrived, so its answer is as fresh for
// each of them as a check of its own would be.
struct CatalogCache::Impl::HeaderCheck {
  SharedResult<base::Result<HeaderCheckResult>> header;
};

// One compression of one stored entry into one coding, shared by the requests that want it at the
// same time (keyed by the variant's Redis key and the entry's header).
struct CatalogCache::Impl::VariantFlight {
  SharedResult<base::Result<CachedResponse>> result;
};

namespace {
// At most this many background recompressions wait or run; beyond, a variant stays as first made.
constexpr int kMaxRecompressions = 8;
}  // namespace

CatalogCache::Impl::Impl(const asio::any_io_executor& executor, redis::RedisClient& redis,
                         const catalog::core::DatasetSpec& spec, const CacheSettings& settings)
    : probe_strand_(asio::make_strand(executor)),
      redis_(redis),
      spec_(spec),
      settings_(settings),
      breaker_({.failure_threshold = settings.breaker_failure_threshold,
                .probe_interval = settings.probe_interval}),
      registry_(spec, settings.ttl, settings.key_prefix,
                [this](redis::RedisArgs args, base::RequestTrace* trace, std::string_view name) {
                  return Send(std::move(args), trace, name);
                }),
      too_large_(CatalogCache::kMaxTooLargeKeys, settings.ttl) {
  if (settings_.local_max_bytes > 0) {
    local_ = std::make_unique<core::LocalCopies>(settings_.local_max_bytes);
  }
}

void CatalogCache::Impl::Start() {
  if (!settings_.enabled || probe_done_.valid()) return;
  probe_done_ = asio::co_spawn(probe_strand_, ProbeLoop(), asio::use_future);
}

void CatalogCache::Impl::Stop() {
  stopping_ = true;
  if (probe_done_.valid()) {
    probe_done_.wait();
    probe_done_ = {};
  }
  // A shared header check ends within one Redis timeout while its event loop runs (the server's
  // loops have drained every request by now). The bound is for a loop stopped with a check still
  // inside: it never resumes, so it never touches the cache again.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((running_checks_.load() > 0 || running_recompressions_.load() > 0) &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

bool CatalogCache::Impl::RepairPending() const {
  return failed_invalidations_.load() != repaired_up_to_.load();
}

bool CatalogCache::Impl::UsesRedis() const {
  return !RepairPending() && !unsafe_eviction_ && breaker_.AllowsRequests();
}

// The registry's correctness rests on Redis never evicting keys without a TTL. An allkeys-*
// policy could drop a registration and let a write miss an answer it changes, so with one the
// cache stays off (BYPASS) and says why. Redis that hides CONFIG (Azure) is trusted to run the
// documented volatile-lfu.
asio::awaitable<void> CatalogCache::Impl::CheckEvictionPolicy() {
  redis::RedisArgs ask = {"CONFIG", "GET", "maxmemory-policy"};
  auto reply = co_await redis_.Command(std::move(ask));
  if (!reply.ok()) co_return;  // not answered: ask again on the next tick
  eviction_checked_ = true;
  if (reply->IsError() || reply->elements.size() != 2) co_return;
  const std::string& policy = reply->elements[1].text;
  if (policy.starts_with("allkeys")) {
    unsafe_eviction_ = true;
    spdlog::error(
        "catalog cache off: Redis evicts with maxmemory-policy {}, which can drop the key "
        "registry and leave stale answers; use volatile-lfu (docs/cache.md)",
        policy);
  }
}

void CatalogCache::Impl::MarkRepairNeeded() {
  ++failed_invalidations_;
  ++counters_.invalidation_failures;
  // Nothing in Redis can be trusted until every registered key has been flushed.
  breaker_.ForceOpen();
}

asio::awaitable<base::Result<redis::RedisReply>> CatalogCache::Impl::Send(redis::RedisArgs args,
                                                                          base::RequestTrace* trace,
                                                                          std::string_view name) {
  const base::DependencyTimer timer(trace);
  auto reply = co_await redis_.Command(std::move(args));
  const bool ok = reply.ok() && !reply->IsError();
  timer.Finish("redis", name, ok, ok ? "OK" : "ERROR");
  if (!reply.ok()) {
    ++counters_.redis_errors;
    breaker_.RecordFailure();
    co_return reply;
  }
  breaker_.RecordSuccess();
  if (reply->IsError()) {
    ++counters_.redis_errors;
    co_return Unavailable("redis error reply: " + reply->text);
  }
  co_return reply;
}

asio::awaitable<base::Result<CatalogCache::Impl::HeaderCheckResult>>
CatalogCache::Impl::SendHeaderCheck(const std::string& key, base::RequestTrace* trace) {
  ++counters_.header_checks;
  // Taken before the command leaves: Redis runs it later, so a lease counted from here ends
  // no later than one counted from the moment Redis read the header.
  const auto sent = std::chrono::steady_clock::now();
  redis::RedisArgs check = {"GETRANGE", key, "0", std::to_string(core::kStoredHeaderSize - 1)};
  auto header = co_await Send(std::move(check), trace, "GETRANGE");
  if (!header.ok()) co_return header.error();
  co_return HeaderCheckResult{std::move(header->text), sent};
}

asio::awaitable<base::Result<CatalogCache::Impl::HeaderCheckResult>>
CatalogCache::Impl::CheckHeader(const std::string& key, base::RequestTrace* trace) {
  std::shared_ptr<HeaderCheck> joined;
  {
    std::lock_guard lock(checks_mutex_);
    auto& slot = checks_[key];
    if (slot.in_flight) {
      if (!slot.next) slot.next = std::make_shared<HeaderCheck>();
      joined = slot.next;
    } else {
      slot.in_flight = true;
    }
  }
  if (joined) {
    ++counters_.shared_checks;
    co_return co_await joined->header.Wait();
  }
  const auto executor = co_await asio::this_coro::executor;
  base::Result<HeaderCheckResult> header =
      base::MakeError(base::ErrorCode::kInternal, "not checked");
  try {
    header = co_await SendHeaderCheck(key, trace);
  } catch (...) {
    HandOnChecks(key, executor);
    throw;
  }
  HandOnChecks(key, executor);
  co_return header;
}

void CatalogCache::Impl::HandOnChecks(const std::string& key,
                                      const asio::any_io_executor& executor) {
  std::shared_ptr<HeaderCheck> next;
  {
    std::lock_guard lock(checks_mutex_);
    const auto found = checks_.find(key);
    if (found == checks_.end()) return;
    next = std::move(found->second.next);
    if (!next) {
      checks_.erase(found);  // nobody waits: the next request sends its own check
      return;
    }
  }
  // Still in flight: the batch that gathered meanwhile gets a check of its own, sent now.
  ++running_checks_;
  asio::co_spawn(executor, RunSharedCheck(key, std::move(next)), asio::detached);
}

asio::awaitable<void> CatalogCache::Impl::RunSharedCheck(std::string key,
                                                         std::shared_ptr<HeaderCheck> check) {
  base::Result<HeaderCheckResult> header =
      base::MakeError(base::ErrorCode::kInternal, "internal error", "header check threw");
  try {
    header = co_await SendHeaderCheck(key, nullptr);
  } catch (...) {
    // The waiters bypass the cache rather than hang.
  }
  check->header.Set(std::move(header));
  HandOnChecks(key, co_await asio::this_coro::executor);
  --running_checks_;
}

asio::awaitable<base::Result<CachedResponse>> CatalogCache::Impl::Bypass(
    const OutcomeLoader& loader, CacheOutcome outcome) {
  ++counters_.loader_calls;
  if (outcome == CacheOutcome::kBypass) ++counters_.bypasses;
  auto body = co_await loader(outcome);
  if (!body.ok()) co_return body.error();
  auto etag = core::BodyEtag(*body);
  co_return CachedResponse{std::make_shared<const std::string>(std::move(*body)),
                           std::move(etag),
                           outcome,
                           nullptr,
                           http::core::ContentCoding::kIdentity,
                           {}};
}

std::shared_ptr<const http::core::BodyFile> CatalogCache::Impl::KeepCopy(
    const std::string& key, std::string header, std::string etag,
    std::shared_ptr<const std::string> body) {
  if (!local_) return nullptr;
  std::shared_ptr<const http::core::BodyFile> file;
  if (settings_.sendfile_min_bytes > 0 && body->size() >= settings_.sendfile_min_bytes) {
    file = SealBody(*body);
  }
  local_->Put(key, {std::move(header), std::move(etag), std::move(body), file, {}});
  return file;
}

asio::awaitable<std::optional<CachedResponse>> CatalogCache::Impl::Hit(const std::string& key,
                                                                       core::StoredResponse stored,
                                                                       base::RequestTrace* trace) {
  if (!stored.shared_body_key.empty()) {
    redis::RedisArgs get = {"GET", RedisKey(stored.shared_body_key)};
    auto shared = co_await Send(std::move(get), trace, "GET shared_body");
    if (!shared.ok()) co_return std::nullopt;
    if (shared->IsNil()) {
      // The shared bytes expired or were evicted before an entry pointing to them: drop the
      // entry (only if it is still that one) so the next request stores both again.
      redis::RedisArgs drop = {
          "EVAL", std::string(scripts::kDeleteIfValue), "1", key,
          core::EncodeSharedReference(stored.etag, stored.stamp, stored.shared_body_key)};
      (void)co_await Send(std::move(drop), trace, "EVAL drop_dangling");
      co_return std::nullopt;
    }
    stored.body = std::move(shared->text);
  }
  ++counters_.hits;
  auto body = std::make_shared<const std::string>(std::move(stored.body));
  auto header = stored.Header();
  auto file = KeepCopy(key, header, stored.etag, body);
  co_return CachedResponse{std::move(body),
                           std::move(stored.etag),
                           CacheOutcome::kHit,
                           std::move(file),
                           http::core::ContentCoding::kIdentity,
                           std::move(header)};
}

asio::awaitable<base::Status> CatalogCache::Impl::ChargeMiss(const CacheClient* client,
                                                             base::RequestTrace* trace) {
  const auto budget = settings_.client_misses_per_minute;
  if (budget <= 0 || client == nullptr || client->exempt || client->id.empty()) {
    co_return base::OkStatus();
  }
  redis::RedisArgs count = {"EVAL", std::string(scripts::kCountInWindow), "1",
                            RedisKey("vitrina:misses:" + client->id), "60"};
  auto counted = co_await Send(std::move(count), trace, "EVAL count_miss");
  if (!counted.ok()) co_return counted.error();
  if (counted->elements.size() != 2 || counted->elements[0].integer <= budget) {
    co_return base::OkStatus();
  }
  auto refused =
      base::MakeError(base::ErrorCode::kTooManyRequests,
                      "too many uncached catalog queries: at most " + std::to_string(budget) +
                          " a minute per client; cached answers are still served",
                      "miss budget of " + client->id);
  refused.retry_after =
      std::chrono::seconds(std::max<std::int64_t>(1, counted->elements[1].integer));
  co_return refused;
}

asio::awaitable<base::Result<std::string>> CatalogCache::Impl::StoredValue(
    const std::string& etag, const std::string& stamp, const std::string& body,
    base::RequestTrace* trace) {
  const auto threshold = settings_.shared_body_min_bytes;
  if (threshold == 0 || body.size() < threshold) {
    co_return core::EncodeStoredResponse(etag, stamp, body);
  }
  // Outlives every entry that will point to it (they expire after one TTL from their store).
  const auto ttl = std::to_string(settings_.ttl.count() + 60);
  // The entry refers to the body by its key without the prefix, as core::SharedBodyKey names it.
  const auto shared_key = core::SharedBodyKey(body);
  redis::RedisArgs extend = {"EVAL", std::string(scripts::kExtendIfPresent), "1",
                             RedisKey(shared_key), ttl};
  auto present = co_await Send(std::move(extend), trace, "EVAL extend_shared_body");
  if (!present.ok()) co_return present.error();
  if (present->integer != 1) {
    redis::RedisArgs set = {"SET", RedisKey(shared_key), body, "EX", ttl};
    if (auto written = co_await Send(std::move(set), trace, "SET shared_body"); !written.ok()) {
      co_return written.error();
    }
  }
  co_return core::EncodeSharedReference(etag, stamp, shared_key);
}

asio::awaitable<base::Result<CachedResponse>> CatalogCache::Impl::Get(
    const core::CacheKey& key, OutcomeLoader loader, base::RequestTrace* trace,
    const CacheClient* client, const http::core::CodingPreference* accept) {
  const http::core::CodingPreference preference =
      accept != nullptr ? *accept : http::core::CodingPreference{};
  const auto coding = preference.best;
  if (coding == http::core::ContentCoding::kIdentity) {
    co_return co_await GetEntry(key, loader, trace, client);
  }
  const std::string k = RedisKey(key.str());
  // A body this instance knows is too small to compress skips the variant's lookup.
  if (!KnownTooSmallToCompress(k, preference) && settings_.enabled && UsesRedis()) {
    if (auto stored = co_await FindVariant(k, coding, trace)) co_return std::move(*stored);
  }
  auto entry = co_await GetEntry(key, loader, trace, client);
  if (!entry.ok()) co_return entry;
  if (http::core::ChooseContentCoding(preference, entry->body->size()) ==
      http::core::ContentCoding::kIdentity) {
    co_return entry;
  }
  co_return co_await MakeVariant(k, coding, std::move(*entry), trace);
}

bool CatalogCache::Impl::KnownTooSmallToCompress(
    const std::string& key, const http::core::CodingPreference& preference) const {
  if (!local_) return false;
  const auto copy = local_->Find(key);
  return copy && http::core::ChooseContentCoding(preference, copy->body->size()) ==
                     http::core::ContentCoding::kIdentity;
}

asio::awaitable<std::optional<CachedResponse>> CatalogCache::Impl::FindHit(
    const core::CacheKey& key, base::RequestTrace* trace,
    const http::core::CodingPreference* accept) {
  // Local copies only (every repeated hit on an instance has one): a key without a copy is left
  // to Get, so that a miss sends no Redis command twice.
  if (!settings_.enabled || !UsesRedis() || !local_) co_return std::nullopt;
  const std::string k = RedisKey(key.str());
  const http::core::CodingPreference preference =
      accept != nullptr ? *accept : http::core::CodingPreference{};
  const bool compressed = preference.best != http::core::ContentCoding::kIdentity &&
                          !KnownTooSmallToCompress(k, preference);
  const auto coding = compressed ? preference.best : http::core::ContentCoding::kIdentity;
  // Named, not a conditional expression in the co_await's arguments (g++ 12 destroys such a
  // temporary twice).
  const std::string copy_key = compressed ? core::VariantKey(k, coding) : k;
  auto found = co_await FindLocalCopy(copy_key, coding, trace);
  if (!found.ok()) co_return std::nullopt;
  co_return std::move(*found);
}

asio::awaitable<base::Result<std::optional<CachedResponse>>> CatalogCache::Impl::FindLocalCopy(
    const std::string& copy_key, http::core::ContentCoding coding, base::RequestTrace* trace) {
  if (!local_) co_return std::optional<CachedResponse>();
  auto copy = local_->Find(copy_key);
  if (!copy) co_return std::optional<CachedResponse>();
  if (copy->lease.Covers(std::chrono::steady_clock::now())) {
    ++counters_.leased_hits;
  } else {
    auto checked = co_await CheckHeader(copy_key, trace);
    if (!checked.ok()) co_return checked.error();
    if (checked->header != copy->header) {
      local_->Erase(copy_key);  // removed or replaced since: read it again
      co_return std::optional<CachedResponse>();
    }
    copy->lease.Confirmed(checked->sent, settings_.local_lease);
  }
  ++counters_.hits;
  ++counters_.local_hits;
  const bool variant = coding != http::core::ContentCoding::kIdentity;
  if (variant) ++counters_.variant_hits;
  co_return CachedResponse{copy->body, copy->etag, CacheOutcome::kHit,
                           copy->file, coding,     variant ? std::string() : copy->header};
}

asio::awaitable<std::optional<CachedResponse>> CatalogCache::Impl::FindVariant(
    const std::string& key, http::core::ContentCoding coding, base::RequestTrace* trace) {
  const std::string variant_key = core::VariantKey(key, coding);
  auto local = co_await FindLocalCopy(variant_key, coding, trace);
  if (!local.ok()) co_return std::nullopt;
  if (*local) co_return std::move(*local);
  redis::RedisArgs get = {"GET", variant_key};
  auto cached = co_await Send(std::move(get), trace, "GET variant");
  if (!cached.ok() || cached->IsNil()) co_return std::nullopt;
  auto stored = core::DecodeVariant(coding, cached->text);
  if (!stored) co_return std::nullopt;
  ++counters_.hits;
  ++counters_.variant_hits;
  auto body = std::make_shared<const std::string>(std::move(stored->body));
  auto file =
      KeepCopy(variant_key, cached->text.substr(0, core::kStoredHeaderSize), stored->etag, body);
  co_return CachedResponse{
      std::move(body), std::move(stored->etag), CacheOutcome::kHit, std::move(file), coding, {}};
}

asio::awaitable<std::pair<bool, std::shared_ptr<const http::core::BodyFile>>>
CatalogCache::Impl::StoreVariant(const std::string& key, http::core::ContentCoding coding,
                                 const std::string& entry_header, const std::string& etag,
                                 std::shared_ptr<const std::string> bytes,
                                 base::RequestTrace* trace) {
  // The entry's stamp sits after "v2 " and its etag in the header line.
  const std::string stamp = entry_header.substr(3 + 18 + 1, 32);
  auto value = core::EncodeVariant(coding, etag, stamp, *bytes);
  if (value.empty()) co_return std::pair{false, nullptr};
  std::string header = value.substr(0, core::kStoredHeaderSize);
  const std::string variant_key = core::VariantKey(key, coding);
  redis::RedisArgs store = {
      "EVAL",          std::string(scripts::kStoreVariant), "2", key, variant_key, entry_header,
      std::move(value)};
  auto stored = co_await Send(std::move(store), trace, "EVAL store_variant");
  if (!stored.ok() || stored->integer != 1) {
    ++counters_.variant_refused;
    co_return std::pair{false, nullptr};
  }
  ++counters_.variant_stores;
  co_return std::pair{true, KeepCopy(variant_key, std::move(header), etag, std::move(bytes))};
}

asio::awaitable<base::Result<CachedResponse>> CatalogCache::Impl::MakeVariant(
    const std::string& key, http::core::ContentCoding coding, CachedResponse entry,
    base::RequestTrace* trace) {
  const auto size = entry.body->size();
  const bool large = settings_.recompress_min_bytes > 0 && size >= settings_.recompress_min_bytes;
  const auto effort = large ? http::CompressionEffort::kFast : http::CompressionEffort::kSmall;
  // The representation sent is made for this request: for this coding the cache missed, even when
  // the identity entry it is made from was a hit (X-Cache tells whether stored bytes were sent).
  if (entry.outcome == CacheOutcome::kHit) entry.outcome = CacheOutcome::kMiss;
  const std::shared_ptr<const std::string> identity = entry.body;
  const auto job = [identity, coding, effort] {
    return std::make_shared<const std::string>(http::Compress(coding, *identity, effort));
  };
  if (entry.entry_header.size() != core::kStoredHeaderSize) {
    // Not stored (bypass, refused store): nothing to keep it beside.
    ++counters_.compressions;
    std::shared_ptr<const std::string> bytes = co_await http::Offload(compress_pool_, job);
    auto etag = core::BodyEtag(*bytes);
    co_return CachedResponse{std::move(bytes), std::move(etag), entry.outcome, nullptr, coding, {}};
  }

  const std::string flight_key = core::VariantKey(key, coding) + '\n' + entry.entry_header;
  std::shared_ptr<VariantFlight> flight;
  bool leader = false;
  {
    std::lock_guard lock(variant_flights_mutex_);
    auto& slot = variant_flights_[flight_key];
    if (!slot) {
      slot = std::make_shared<VariantFlight>();
      leader = true;
    }
    flight = slot;
  }
  if (!leader) {
    auto shared = co_await flight->result.Wait();
    if (shared.ok()) shared->outcome = entry.outcome;
    co_return shared;
  }
  const auto finish = [&](base::Result<CachedResponse> result) {
    {
      std::lock_guard lock(variant_flights_mutex_);
      variant_flights_.erase(flight_key);
    }
    flight->result.Set(result);
    return result;
  };
  std::shared_ptr<const std::string> bytes;
  try {
    ++counters_.compressions;
    bytes = co_await http::Offload(compress_pool_, job);
  } catch (...) {
    (void)finish(
        base::MakeError(base::ErrorCode::kInternal, "internal error", "compression threw"));
    throw;
  }
  auto etag = core::BodyEtag(*bytes);
  auto stored = co_await StoreVariant(key, coding, entry.entry_header, etag, bytes, trace);
  if (stored.first && large && running_recompressions_.load() < kMaxRecompressions) {
    ++running_recompressions_;
    const auto executor = co_await asio::this_coro::executor;
    asio::co_spawn(executor, Recompress(key, coding, entry.entry_header, entry.body),
                   asio::detached);
  }
  co_return finish(CachedResponse{
      std::move(bytes), std::move(etag), entry.outcome, std::move(stored.second), coding, {}});
}

asio::awaitable<void> CatalogCache::Impl::Recompress(std::string key,
                                                     http::core::ContentCoding coding,
                                                     std::string entry_header,
                                                     std::shared_ptr<const std::string> body) {
  try {
    const auto job = [this, coding, body] {
      return http::Compress(coding, *body, http::CompressionEffort::kSmallest, stopping_);
    };
    std::optional<std::string> smaller = co_await http::Offload(recompress_pool_, job);
    if (smaller && !stopping_) {
      auto bytes = std::make_shared<const std::string>(std::move(*smaller));
      auto etag = core::BodyEtag(*bytes);
      auto stored = co_await StoreVariant(key, coding, entry_header, etag, bytes, nullptr);
      if (stored.first) ++counters_.recompressions;
    }
  } catch (const std::exception& error) {
    spdlog::warn("recompressing {} failed: {}", key, error.what());
  }
  --running_recompressions_;
}

asio::awaitable<base::Result<std::optional<CachedResponse>>> CatalogCache::Impl::FindEntry(
    const std::string& key, base::RequestTrace* trace) {
  // 1a. With a local copy: Redis confirms the key still holds exactly the copied bytes (the
  //     header carries a stamp drawn at each store), and only the header travels.
  auto local = co_await FindLocalCopy(key, http::core::ContentCoding::kIdentity, trace);
  if (!local.ok() || *local) co_return std::move(local);

  // 1b. One GET.
  redis::RedisArgs get = {"GET", key};
  auto cached = co_await Send(std::move(get), trace, "GET");
  if (!cached.ok()) co_return cached.error();
  if (!cached->IsNil()) {
    if (auto stored = core::DecodeStoredResponse(cached->text)) {
      if (auto hit = co_await Hit(key, std::move(*stored), trace)) co_return std::move(*hit);
    }
  }
  co_return std::optional<CachedResponse>();
}

asio::awaitable<base::Result<CachedResponse>> CatalogCache::Impl::GetEntry(
    const core::CacheKey& key, const OutcomeLoader& loader, base::RequestTrace* trace,
    const CacheClient* client) {
  if (!settings_.enabled) {
    co_return co_await Bypass(loader, CacheOutcome::kDisabled);
  }
  if (!UsesRedis()) {
    co_return co_await Bypass(loader, CacheOutcome::kBypass);
  }
  const std::string k = RedisKey(key.str());

  // 1. The hit path.
  auto found = co_await FindEntry(k, trace);
  if (!found.ok()) {
    co_return co_await Bypass(loader, CacheOutcome::kBypass);
  }
  if (*found) co_return std::move(**found);

  // A miss costs the database a query and Redis memory: each client has a budget of them.
  if (auto charged = co_await ChargeMiss(client, trace); !charged.ok()) {
    if (charged.error().code == base::ErrorCode::kTooManyRequests) co_return charged.error();
    co_return co_await Bypass(loader, CacheOutcome::kBypass);
  }

  // 2. Register the key BEFORE reading its version: a writer that does not find the key in the
  //    registry read it before this point, so after its commit, and our load starts later still.
  if (!(co_await registry_.Register(key, trace)).ok()) {
    co_return co_await Bypass(loader, CacheOutcome::kBypass);
  }
  const auto ttl = settings_.ttl.count();

  // 3. Read (or create) the version this load will have to present when storing.
  redis::RedisArgs begin = {
      "EVAL",       std::string(scripts::kBeginMiss), "2", k, scripts::VersionKey(k),
      FreshToken(), std::to_string(2 * ttl + 60)};
  auto begun = co_await Send(std::move(begin), trace, "EVAL begin_miss");
  if (!begun.ok() || begun->elements.size() != 2) {
    co_return co_await Bypass(loader, CacheOutcome::kBypass);
  }
  if (begun->elements[0].integer == 1) {  // stored by someone else meanwhile
    if (auto stored = core::DecodeStoredResponse(begun->elements[1].text)) {
      if (auto hit = co_await Hit(k, std::move(*stored), trace)) co_return std::move(*hit);
    }
    // A dangling or foreign entry: answer from the loader this once, without storing.
    co_return co_await Bypass(loader, CacheOutcome::kMiss);
  }
  const std::string version = begun->elements[1].text;

  // 4. Single flight: join a load of the same key and version, or lead a new one.
  std::shared_ptr<Flight> flight;
  bool leader = false;
  {
    std::lock_guard lock(flights_mutex_);
    auto& slot = flights_[k];
    if (slot && slot->version == version) {
      flight = slot;
    } else {
      // No load, or one that started before a write replaced the version: do not join it.
      slot = std::make_shared<Flight>(version);
      flight = slot;
      leader = true;
    }
  }
  if (!leader) {
    ++counters_.coalesced;
    co_return co_await flight->result.Wait();
  }
  co_return co_await LoadAsLeader(k, version, flight, loader, trace);
}

asio::awaitable<base::Result<CachedResponse>> CatalogCache::Impl::LoadAsLeader(
    const std::string& key, const std::string& version, std::shared_ptr<Flight> flight,
    const OutcomeLoader& loader, base::RequestTrace* trace) {
  const auto finish = [&](base::Result<CachedResponse> result) {
    {
      std::lock_guard lock(flights_mutex_);
      const auto found = flights_.find(key);
      if (found != flights_.end() && found->second == flight) flights_.erase(found);
    }
    flight->result.Set(result);
    return result;
  };

  ++counters_.loader_calls;
  ++counters_.misses;
  base::Result<std::string> body = base::MakeError(base::ErrorCode::kInternal, "not loaded");
  try {
    body = co_await loader(CacheOutcome::kMiss);
  } catch (...) {
    // Waiters must not hang on a loader bug; the leader still sees the exception.
    (void)finish(
        base::MakeError(base::ErrorCode::kInternal, "internal error", "catalog loader threw"));
    throw;
  }
  if (!body.ok()) co_return finish(body.error());

  auto etag = core::BodyEtag(*body);
  const auto stamp = FreshToken();
  const auto ttl = settings_.ttl.count();
  auto shared_body = std::make_shared<const std::string>(std::move(*body));
  std::shared_ptr<const http::core::BodyFile> file;
  std::string entry_header;
  auto value = co_await StoredValue(etag, stamp, *shared_body, trace);
  if (value.ok()) {
    const std::string header = value->substr(0, core::kStoredHeaderSize);
    redis::RedisArgs store = {"EVAL",
                              std::string(scripts::kStoreIfVersion),
                              "4",
                              key,
                              scripts::VersionKey(key),
                              core::VariantKey(key, http::core::ContentCoding::kGzip),
                              core::VariantKey(key, http::core::ContentCoding::kBrotli),
                              version,
                              std::move(*value),
                              std::to_string(ttl),
                              std::to_string(2 * ttl + 60)};
    auto stored = co_await Send(std::move(store), trace, "EVAL store_if_version");
    if (stored.ok()) {
      const bool kept = stored->integer == 1;
      ++(kept ? counters_.stores : counters_.stores_refused);
      if (kept) {
        file = KeepCopy(key, header, etag, shared_body);
        entry_header = header;
      }
    }
  }
  co_return finish(CachedResponse{std::move(shared_body), std::move(etag), CacheOutcome::kMiss,
                                  std::move(file), http::core::ContentCoding::kIdentity,
                                  std::move(entry_header)});
}

asio::awaitable<base::Status> CatalogCache::Impl::InvalidateKeys(
    const std::vector<std::string>& keys) {
  const auto version_ttl = std::to_string(2 * settings_.ttl.count() + 60);
  for (const auto& logical : keys) {
    const std::string key = RedisKey(logical);
    {
      std::lock_guard lock(too_large_mutex_);
      too_large_.Forget(key);
    }
    // The entry and its compressed variants: deleted in Redis, then this instance's copies.
    const std::array<std::string, 3> copies = {
        key, core::VariantKey(key, http::core::ContentCoding::kGzip),
        core::VariantKey(key, http::core::ContentCoding::kBrotli)};
    redis::RedisArgs invalidate = {"EVAL",
                                   std::string(scripts::kInvalidate),
                                   "4",
                                   copies[0],
                                   scripts::VersionKey(key),
                                   copies[1],
                                   copies[2],
                                   FreshToken(),
                                   version_ttl};
    auto reply = co_await Send(std::move(invalidate));
    if (!reply.ok()) co_return reply.error();
    ++counters_.invalidated_keys;
    if (local_) {
      for (const auto& copy : copies) local_->Erase(copy);
    }
  }
  co_await OutwaitLeases();
  co_return base::OkStatus();
}

asio::awaitable<void> CatalogCache::Impl::OutwaitLeases() {
  if (settings_.local_lease <= std::chrono::milliseconds::zero()) co_return;
  asio::steady_timer lease_end(co_await asio::this_coro::executor);
  lease_end.expires_after(settings_.local_lease);
  boost::system::error_code ignored;
  co_await lease_end.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

asio::awaitable<base::Status> CatalogCache::Impl::InvalidateForWrite(
    std::vector<core::ItemValues> versions) {
  if (!settings_.enabled) co_return base::OkStatus();
  if (!UsesRedis()) {
    MarkRepairNeeded();
    co_return Unavailable("invalidation deferred: redis not usable");
  }
  auto registered = co_await registry_.KeysForWrite(versions);
  if (!registered.ok()) {
    MarkRepairNeeded();
    co_return registered.error();
  }
  // The keys named in the contract are always included, even if the registry lost them.
  std::set<std::string> affected = {std::string(core::kCatalogAllKey)};
  for (const auto& item : versions) {
    for (const auto& column : spec_.columns) {
      if (!column.category) continue;
      const auto value = item.find(column.name);
      if (value == item.end()) continue;
      if (const auto* text = std::get_if<std::string>(&value->second)) {
        affected.insert(core::CacheKey::ForCatalog({{column.name, {*text}}}).str());
      }
    }
  }
  for (const auto& key : *registered) {
    const auto params = core::ParseCatalogKey(key);
    if (!params) continue;
    for (const auto& item : versions) {
      if (core::ItemMayAffectKey(spec_, *params, item)) {
        affected.insert(key);
        break;
      }
    }
  }
  auto status = co_await InvalidateKeys(std::vector<std::string>(affected.begin(), affected.end()));
  if (!status.ok()) MarkRepairNeeded();
  co_return status;
}

asio::awaitable<base::Status> CatalogCache::Impl::FlushRegistered() {
  {
    std::lock_guard lock(too_large_mutex_);
    too_large_.Clear();
  }
  auto registered = co_await registry_.AllKeys();
  if (!registered.ok()) co_return registered.error();
  registered->push_back(std::string(core::kCatalogAllKey));
  co_return co_await InvalidateKeys(*registered);
}

asio::awaitable<base::Status> CatalogCache::Impl::InvalidateAll() {
  if (!settings_.enabled) co_return base::OkStatus();
  if (!UsesRedis()) {
    MarkRepairNeeded();
    co_return Unavailable("invalidation deferred: redis not usable");
  }
  auto status = co_await FlushRegistered();
  if (!status.ok()) MarkRepairNeeded();
  co_return status;
}

asio::awaitable<void> CatalogCache::Impl::ProbeLoop() {
  asio::steady_timer timer(probe_strand_);
  const auto tick = std::min<std::chrono::milliseconds>(settings_.probe_interval / 2,
                                                        std::chrono::milliseconds(100));
  while (!stopping_) {
    timer.expires_after(std::max(tick, std::chrono::milliseconds(5)));
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    if (stopping_) break;
    if (!eviction_checked_) {
      co_await CheckEvictionPolicy();
    }
    co_await DropOldRegistryBuckets();
    if (!breaker_.TryStartProbe()) continue;

    redis::RedisArgs ping = {"PING"};
    auto pong = co_await redis_.Command(std::move(ping));
    if (!pong.ok() || pong->IsError()) {
      breaker_.ProbeFailed();
      continue;
    }
    // Redis answers. Before requests may read from it again, repair what writes could not
    // invalidate: flush every registered key (new versions, values deleted).
    const auto failures_seen = failed_invalidations_.load();
    if (failures_seen != repaired_up_to_.load()) {
      auto flushed = co_await FlushRegistered();
      if (!flushed.ok()) {
        breaker_.ProbeFailed();
        continue;
      }
      repaired_up_to_ = failures_seen;
      if (RepairPending()) {  // another invalidation failed during the flush: flush again
        breaker_.ProbeFailed();
        continue;
      }
    }
    breaker_.ProbeSucceeded();
  }
}

// The registry has no TTLs (eviction must never drop a registration), so buckets no writer reads
// any more are deleted here: on the first tick a day's worth back (an instance may have been down),
// then the few that aged since, at most every half TTL. Any instance may do it; it is idempotent.
asio::awaitable<void> CatalogCache::Impl::DropOldRegistryBuckets() {
  const auto now = std::chrono::steady_clock::now();
  const auto interval = std::max<std::chrono::seconds>(settings_.ttl / 2, std::chrono::seconds(1));
  if (registry_dropped_ && now - *registry_dropped_ < interval) co_return;
  if (!UsesRedis()) co_return;
  const int reach =
      registry_dropped_
          ? 3
          : static_cast<int>(std::max<std::int64_t>(
                3, std::chrono::hours(24) / std::max(settings_.ttl, std::chrono::seconds(1))));
  if ((co_await registry_.DropOldBuckets(reach, stopping_)).ok()) registry_dropped_ = now;
}

CacheHealth CatalogCache::Impl::Health() const {
  CacheHealth health;
  health.enabled = settings_.enabled;
  health.repair_pending = RepairPending();
  health.usable = settings_.enabled && UsesRedis();
  health.breaker = std::string(core::CircuitBreaker::StateName(breaker_.state()));
  health.backend = redis_.Describe();
  return health;
}

LocalCopiesUsage CatalogCache::Impl::LocalUsage() const {
  if (!local_) return {};
  return {.entries = local_->size(),
          .bytes = local_->bytes(),
          .max_bytes = settings_.local_max_bytes,
          .files = local_->files()};
}

CacheCounters CatalogCache::Impl::Counters() const {
  CacheCounters out;
  boost::pfr::for_each_field(out, [this](auto& count, auto index) {
    count = boost::pfr::get<decltype(index)::value>(counters_).load(std::memory_order_relaxed);
  });
  return out;
}

CatalogCache::CatalogCache(const asio::any_io_executor& executor, redis::RedisClient& redis,
                           const catalog::core::DatasetSpec& spec, const CacheSettings& settings)
    : impl_(std::make_unique<Impl>(executor, redis, spec, settings)) {}
CatalogCache::~CatalogCache() = default;
void CatalogCache::Start() { impl_->Start(); }
void CatalogCache::Stop() { impl_->Stop(); }
asio::awaitable<base::Result<CachedResponse>> CatalogCache::Get(
    const core::CacheKey& key, Loader loader, base::RequestTrace* trace, const CacheClient* client,
    const http::core::CodingPreference* accept) {
  // The wrapper holds the loader by value: the Impl's coroutine outlives this call's frame.
  return impl_->Get(
      key, [loader = std::move(loader)](CacheOutcome) { return loader(); }, trace, client, accept);
}
asio::awaitable<base::Result<CachedResponse>> CatalogCache::GetWithOutcome(
    const core::CacheKey& key, OutcomeLoader loader, base::RequestTrace* trace,
    const CacheClient* client, const http::core::CodingPreference* accept) {
  return impl_->Get(key, std::move(loader), trace, client, accept);
}
asio::awaitable<std::optional<CachedResponse>> CatalogCache::FindHit(
    const core::CacheKey& key, base::RequestTrace* trace,
    const http::core::CodingPreference* accept) {
  return impl_->FindHit(key, trace, accept);
}
void CatalogCache::MarkTooLarge(const core::CacheKey& key) { impl_->MarkTooLarge(key.str()); }
bool CatalogCache::IsTooLarge(const core::CacheKey& key) const {
  return impl_->IsTooLarge(key.str());
}
asio::awaitable<base::Status> CatalogCache::InvalidateForWrite(
    std::vector<core::ItemValues> versions) {
  return impl_->InvalidateForWrite(std::move(versions));
}
asio::awaitable<base::Status> CatalogCache::InvalidateAll() { return impl_->InvalidateAll(); }
std::string CatalogCache::RedisKey(const core::CacheKey& key) const {
  return impl_->settings().key_prefix + key.str();
}
CacheHealth CatalogCache::Health() const { return impl_->Health(); }
CacheCounters CatalogCache::Counters() const { return impl_->Counters(); }
LocalCopiesUsage CatalogCache::LocalUsage() const { return impl_->LocalUsage(); }
const CacheSettings& CatalogCache::settings() const { return impl_->settings(); }

}  // namespace vitrina::cache
