#include "vitrina/cache/catalog_cache.hpp"

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
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/pfr.hpp>

#include "vitrina/cache/cache_scripts.hpp"
#include "vitrina/cache/core/circuit_breaker.hpp"
#include "vitrina/cache/core/local_copies.hpp"
#include "vitrina/cache/core/stored_response.hpp"
#include "vitrina/cache/sealed_body.hpp"
#include "vitrina/cache/shared_result.hpp"

namespace vitrina::cache {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kRegistryPrefix = "vitrina:catalog-keys:";
// Registry buckets a writer reads: the current one, two older (an entry registered up to 2 TTLs
// ago may still have a live value when its loader was slow) and one newer (clock skew).
constexpr int kBucketsBack = 2;
constexpr int kBucketsAhead = 1;

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

std::int64_t CurrentBucket(std::chrono::seconds ttl) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return now.count() / ttl.count();
}

std::string RegistryKey(std::int64_t bucket) {
  return std::string(kRegistryPrefix) + std::to_string(bucket);
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
       const catalog::core::DatasetSpec& spec, CacheSettings settings);
  ~Impl() { Stop(); }

  void Start();
  void Stop();
  asio::awaitable<base::Result<CachedResponse>> Get(const core::CacheKey& key, Loader loader,
                                                    base::RequestTrace* trace);
  asio::awaitable<base::Status> InvalidateForWrite(std::vector<core::ItemValues> versions);
  asio::awaitable<base::Status> InvalidateAll();
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

  BasicCacheCounters<std::atomic<std::uint64_t>> counters_;
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
  SharedResult<base::Result<std::string>> header;
};

CatalogCache::Impl::Impl(const asio::any_io_executor& executor, redis::RedisClient& redis,
                         const catalog::core::DatasetSpec& spec, CacheSettings settings)
    : probe_strand_(asio::make_strand(executor)),
      redis_(redis),
      spec_(spec),
      settings_(settings),
      breaker_({.failure_threshold = settings.breaker_failure_threshold,
                .probe_interval = settings.probe_interval}) {
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
  while (running_checks_.load() > 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

bool CatalogCache::Impl::RepairPending() const {
  return failed_invalidations_.load() != repaired_up_to_.load();
}

bool CatalogCache::Impl::UsesRedis() const { return !RepairPending() && breaker_.AllowsRequests(); }

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

asio::awaitable<base::Result<std::string>> CatalogCache::Impl::SendHeaderCheck(
    const std::string& key, base::RequestTrace* trace) {
  ++counters_.header_checks;
  redis::RedisArgs check = {"GETRANGE", key, "0", std::to_string(core::kStoredHeaderSize - 1)};
  auto header = co_await Send(std::move(check), trace, "GETRANGE");
  if (!header.ok()) co_return header.error();
  co_return std::move(header->text);
}

asio::awaitable<base::Result<std::string>> CatalogCache::Impl::CheckHeader(
    const std::string& key, base::RequestTrace* trace) {
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
  base::Result<std::string> header = base::MakeError(base::ErrorCode::kInternal, "not checked");
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
  base::Result<std::string> header =
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

asio::awaitable<base::Result<CachedResponse>> CatalogCache::Impl::Bypass(const Loader& loader,
                                                                         CacheOutcome outcome) {
  ++counters_.loader_calls;
  if (outcome == CacheOutcome::kBypass) ++counters_.bypasses;
  auto body = co_await loader();
  if (!body.ok()) co_return body.error();
  auto etag = core::BodyEtag(*body);
  co_return CachedResponse{std::make_shared<const std::string>(std::move(*body)), std::move(etag),
                           outcome, nullptr};
}

std::shared_ptr<const http::core::BodyFile> CatalogCache::Impl::KeepCopy(
    const std::string& key, std::string header, std::string etag,
    std::shared_ptr<const std::string> body) {
  if (!local_) return nullptr;
  std::shared_ptr<const http::core::BodyFile> file;
  if (settings_.sendfile_min_bytes > 0 && body->size() >= settings_.sendfile_min_bytes) {
    file = SealBody(*body);
  }
  local_->Put(key, {std::move(header), std::move(etag), std::move(body), file});
  return file;
}

CachedResponse CatalogCache::Impl::Hit(const std::string& key, core::StoredResponse stored) {
  ++counters_.hits;
  auto body = std::make_shared<const std::string>(std::move(stored.body));
  auto file = KeepCopy(key, core::StoredHeader(stored.etag, stored.stamp), stored.etag, body);
  return CachedResponse{std::move(body), std::move(stored.etag), CacheOutcome::kHit,
                        std::move(file)};
}

asio::awaitable<base::Result<CachedResponse>> CatalogCache::Impl::Get(const core::CacheKey& key,
                                                                      Loader loader,
                                                                      base::RequestTrace* trace) {
  if (!settings_.enabled) {
    co_return co_await Bypass(loader, CacheOutcome::kDisabled);
  }
  if (!UsesRedis()) {
    co_return co_await Bypass(loader, CacheOutcome::kBypass);
  }
  const std::string& k = key.str();

  // 1a. The hit path with a local copy: Redis confirms the key still holds exactly the copied
  //     bytes (the header carries a stamp drawn at each store), and only the header travels.
  if (local_) {
    if (auto copy = local_->Find(k)) {
      auto header = co_await CheckHeader(k, trace);
      if (!header.ok()) {
        co_return co_await Bypass(loader, CacheOutcome::kBypass);
      }
      if (*header == copy->header) {
        ++counters_.hits;
        ++counters_.local_hits;
        co_return CachedResponse{std::move(copy->body), std::move(copy->etag), CacheOutcome::kHit,
                                 std::move(copy->file)};
      }
      local_->Erase(k);  // removed or replaced since: read it again
    }
  }

  // 1b. The hit path: one GET.
  redis::RedisArgs get = {"GET", k};
  auto cached = co_await Send(std::move(get), trace, "GET");
  if (!cached.ok()) {
    co_return co_await Bypass(loader, CacheOutcome::kBypass);
  }
  if (!cached->IsNil()) {
    if (auto stored = core::DecodeStoredResponse(cached->text)) {
      co_return Hit(k, std::move(*stored));
    }
  }

  // 2. Register the key BEFORE reading its version: a writer that does not find the key in the
  //    registry read it before this point, so after its commit, and our load starts later still.
  const auto ttl = settings_.ttl.count();
  redis::RedisArgs register_key = {"EVAL", std::string(scripts::kRegister),
                                   "1",    RegistryKey(CurrentBucket(settings_.ttl)),
                                   k,      std::to_string(4 * ttl + 60)};
  if (!(co_await Send(std::move(register_key), trace, "EVAL register_key")).ok()) {
    co_return co_await Bypass(loader, CacheOutcome::kBypass);
  }

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
      co_return Hit(k, std::move(*stored));
    }
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
    const Loader& loader, base::RequestTrace* trace) {
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
    body = co_await loader();
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
  redis::RedisArgs store = {"EVAL",
                            std::string(scripts::kStoreIfVersion),
                            "2",
                            key,
                            scripts::VersionKey(key),
                            version,
                            core::EncodeStoredResponse(etag, stamp, *body),
                            std::to_string(ttl),
                            std::to_string(2 * ttl + 60)};
  auto shared_body = std::make_shared<const std::string>(std::move(*body));
  auto stored = co_await Send(std::move(store), trace, "EVAL store_if_version");
  std::shared_ptr<const http::core::BodyFile> file;
  if (stored.ok()) {
    const bool kept = stored->integer == 1;
    ++(kept ? counters_.stores : counters_.stores_refused);
    if (kept) file = KeepCopy(key, core::StoredHeader(etag, stamp), etag, shared_body);
  }
  co_return finish(CachedResponse{std::move(shared_body), std::move(etag), CacheOutcome::kMiss,
                                  std::move(file)});
}

asio::awaitable<base::Result<std::vector<std::string>>> CatalogCache::Impl::RegisteredKeys() {
  std::set<std::string> keys;
  const auto current = CurrentBucket(settings_.ttl);
  for (auto bucket = current - kBucketsBack; bucket <= current + kBucketsAhead; ++bucket) {
    redis::RedisArgs members = {"SMEMBERS", RegistryKey(bucket)};
    auto reply = co_await Send(std::move(members));
    if (!reply.ok()) co_return reply.error();
    for (auto& element : reply->elements) keys.insert(std::move(element.text));
  }
  co_return std::vector<std::string>(keys.begin(), keys.end());
}

asio::awaitable<base::Status> CatalogCache::Impl::InvalidateKeys(
    const std::vector<std::string>& keys) {
  const auto version_ttl = std::to_string(2 * settings_.ttl.count() + 60);
  for (const auto& key : keys) {
    redis::RedisArgs invalidate = {"EVAL",     std::string(scripts::kInvalidate), "2",
                                   key,        scripts::VersionKey(key),          FreshToken(),
                                   version_ttl};
    auto reply = co_await Send(std::move(invalidate));
    if (!reply.ok()) co_return reply.error();
    ++counters_.invalidated_keys;
  }
  co_return base::OkStatus();
}

asio::awaitable<base::Status> CatalogCache::Impl::InvalidateForWrite(
    std::vector<core::ItemValues> versions) {
  if (!settings_.enabled) co_return base::OkStatus();
  if (!UsesRedis()) {
    MarkRepairNeeded();
    co_return Unavailable("invalidation deferred: redis not usable");
  }
  auto registered = co_await RegisteredKeys();
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
  auto registered = co_await RegisteredKeys();
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
    if (stopping_ || !breaker_.TryStartProbe()) continue;

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
                           const catalog::core::DatasetSpec& spec, CacheSettings settings)
    : impl_(std::make_unique<Impl>(executor, redis, spec, std::move(settings))) {}
CatalogCache::~CatalogCache() = default;
void CatalogCache::Start() { impl_->Start(); }
void CatalogCache::Stop() { impl_->Stop(); }
asio::awaitable<base::Result<CachedResponse>> CatalogCache::Get(const core::CacheKey& key,
                                                                Loader loader,
                                                                base::RequestTrace* trace) {
  return impl_->Get(key, std::move(loader), trace);
}
asio::awaitable<base::Status> CatalogCache::InvalidateForWrite(
    std::vector<core::ItemValues> versions) {
  return impl_->InvalidateForWrite(std::move(versions));
}
asio::awaitable<base::Status> CatalogCache::InvalidateAll() { return impl_->InvalidateAll(); }
CacheHealth CatalogCache::Health() const { return impl_->Health(); }
CacheCounters CatalogCache::Counters() const { return impl_->Counters(); }
LocalCopiesUsage CatalogCache::LocalUsage() const { return impl_->LocalUsage(); }
const CacheSettings& CatalogCache::settings() const { return impl_->settings(); }

}  // namespace vitrina::cache
