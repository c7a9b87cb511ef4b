#include "vitrina/api/catalog_stream.hpp"

#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "vitrina/catalog/core/catalog_sql.hpp"

namespace vitrina::api {

namespace asio = boost::asio;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

base::Error ReadItYourselfError(std::string_view reason) {
  return base::MakeError(base::ErrorCode::kUnavailable, "the answer was not stored",
                         std::string(kReadItYourself) + std::string(reason));
}

// An unpaginated answer past its first part: the rest of the rows as they come, the envelope's
// end, and (for a miss) a copy kept for the cache while it stays under the entry limit.
class CatalogBodyStream final : public http::core::BodyStream {
 public:
  CatalogBodyStream(ListStart start, std::atomic<int>& open_streams,
                    std::shared_ptr<LoadHandoff> handoff, cache::CatalogCache* cache,
                    std::optional<cache::core::CacheKey> key, bool expect_too_large)
      : head_(std::move(start.head)),
        count_(start.count),
        rest_(std::move(start.rest)),
        open_streams_(open_streams),
        handoff_(std::move(handoff)),
        cache_(cache),
        key_(std::move(key)),
        copy_limit_(cache != nullptr ? cache->settings().max_entry_bytes : 0) {
    // No copy at all of an answer the planner expects to be over twice the limit: keeping up to
    // CACHE_MAX_ENTRY_BYTES only to throw them away was most of the server's memory for it.
    if (expect_too_large) DropCopy();
  }

  ~CatalogBodyStream() override {
    open_streams_.fetch_sub(1);
    // Cut short (the client went away, a HEAD, a failed write): nothing to store, and whoever
    // waited for this load reads the answer itself.
    if (handoff_ && !handoff_->delivered()) handoff_->Deliver(ReadItYourselfError("abandoned"));
  }
  CatalogBodyStream(const CatalogBodyStream&) = delete;
  CatalogBodyStream& operator=(const CatalogBodyStream&) = delete;

  asio::awaitable<base::Result<std::string>> Next() override {
    if (!head_.empty()) {
      std::string piece = std::move(head_);
      head_.clear();
      Keep(piece);
      co_return piece;
    }
    if (!rest_) co_return std::string();
    auto batch = co_await rest_->Next();
    if (!batch.ok()) {
      rest_.reset();
      if (handoff_ && !handoff_->delivered()) handoff_->Deliver(batch.error());
      co_return batch.error();
    }
    if (batch->count == 0) {
      rest_.reset();  // committed: the connection goes back to the pool now
      std::string close = ListClose(count_);
      Keep(close);
      DeliverCopy();
      co_return close;
    }
    std::string piece;
    if (count_ > 0) {
      piece.reserve(batch->json.size() + 1);
      piece += ',';
      piece += batch->json;
    } else {
      piece = std::move(batch->json);
    }
    count_ += static_cast<std::int64_t>(batch->count);
    Keep(piece);
    co_return piece;
  }

 private:
  // The copy for the cache, in pieces (no doubling reallocation of one large buffer).
  void Keep(const std::string& piece) {
    if (!handoff_ || handoff_->delivered()) return;
    if (copy_limit_ > 0 && copied_bytes_ + piece.size() > copy_limit_) {
      DropCopy();
      return;
    }
    copied_bytes_ += piece.size();
    copy_.push_back(piece);
  }

  // Too large for the cache: the key is marked so, and whoever waits for it reads it themselves.
  void DropCopy() {
    copy_.clear();
    copy_.shrink_to_fit();
    if (cache_ != nullptr && key_) cache_->MarkTooLarge(*key_);
    handoff_->Deliver(ReadItYourselfError("too-large"));
  }

  void DeliverCopy() {
    if (!handoff_ || handoff_->delivered()) return;
    std::string body;
    body.reserve(copied_bytes_);
    for (const auto& piece : copy_) body += piece;
    copy_.clear();
    handoff_->Deliver(std::move(body));
  }

  std::string head_;
  std::int64_t count_;
  std::unique_ptr<catalog::ItemStream> rest_;
  std::atomic<int>& open_streams_;
  std::shared_ptr<LoadHandoff> handoff_;
  cache::CatalogCache* cache_;
  std::optional<cache::core::CacheKey> key_;
  const std::size_t copy_limit_;
  std::vector<std::string> copy_;
  std::size_t copied_bytes_ = 0;
};

}  // namespace

std::string ListClose(std::int64_t count) {
  std::string close = "],\"count\":";
  close += std::to_string(count);
  close += '}';
  return close;
}

std::optional<std::string> ReadItYourselfReason(const base::Error& error) {
  if (!error.detail.starts_with(kReadItYourself)) return std::nullopt;
  return error.detail.substr(kReadItYourself.size());
}

LoadHandoff::LoadHandoff(const asio::any_io_executor& executor)
    : wake(executor, asio::steady_timer::time_point::max()),
      loaded(executor, asio::steady_timer::time_point::max()) {}

asio::awaitable<void> LoadHandoff::WaitForGetOrLoad() {
  // One executor: nothing changes between the check and the wait.
  while (!got && !load_for) {
    (void)co_await wake.async_wait(kTuple);
  }
}

asio::awaitable<void> LoadHandoff::WaitForGet() {
  while (!got) {
    (void)co_await wake.async_wait(kTuple);
  }
}

void LoadHandoff::Deliver(base::Result<std::string> delivered_body) {
  if (body) return;
  body = std::move(delivered_body);
  loaded.cancel();
}

asio::awaitable<base::Result<ListStart>> CatalogStreams::Start(
    const catalog::core::CatalogQuery& query, base::RequestTrace* trace, bool known_large) {
  // One "postgresql" dependency for what the request waits for: opening the cursor and reading
  // the answer, or its first part when it is streamed (the rest is read after the handler).
  const base::DependencyTimer timer(trace);
  auto start = co_await ReadStart(query, known_large);
  if (timer.active()) {
    const std::string_view sqlstate =
        start ? std::string_view() : base::SqlStateIn(start.error().detail);
    timer.Finish("postgresql", catalog::core::kCatalogStreamStatement, start.ok(),
                 start ? std::string_view("OK") : sqlstate);
  }
  co_return start;
}

bool CatalogStreams::ExpectedOver(const ListStart& start, std::optional<std::int64_t> estimate,
                                  double bytes) {
  if (!estimate || start.count <= 0 || *estimate <= start.count) return false;
  const double per_item =
      static_cast<double>(start.head.size() - kListOpen.size()) / static_cast<double>(start.count);
  return per_item * static_cast<double>(*estimate) > bytes;
}

asio::awaitable<base::Result<ListStart>> CatalogStreams::ReadStart(
    const catalog::core::CatalogQuery& query, bool known_large) {
  auto opened = co_await reader_.OpenList(query, settings_.batch_rows);
  if (!opened) co_return opened.error();
  ListStart start;
  start.head = kListOpen;
  start.rest = std::move(*opened);
  const auto estimate = start.rest->EstimatedItems();
  while (start.head.size() <= settings_.whole_max_bytes) {
    auto batch = co_await start.rest->Next();
    if (!batch) co_return batch.error();
    if (batch->count == 0) {
      start.rest.reset();
      start.head += ListClose(start.count);
      start.complete = true;
      break;
    }
    if (start.count > 0) start.head += ',';
    start.head += batch->json;
    start.count += static_cast<std::int64_t>(batch->count);
    // Known or expected to be streamed anyway: the first batch leaves now rather than after
    // whole_max_bytes were read (that wait was the time to first byte: 326 ms at 1M rows).
    // Twice the limit at least, so that an answer near it (the 7.3 MB diamonds under 8 MiB)
    // keeps being read whole.
    if (known_large ||
        ExpectedOver(start, estimate, 2.0 * static_cast<double>(settings_.whole_max_bytes))) {
      break;
    }
  }
  co_return start;
}

base::Result<std::shared_ptr<http::core::BodyStream>> CatalogStreams::Body(
    ListStart start, std::shared_ptr<LoadHandoff> handoff, cache::CatalogCache* cache,
    const cache::core::CacheKey* key) {
  if (open_.fetch_add(1) >= settings_.max_streams) {
    open_.fetch_sub(1);
    return base::MakeError(base::ErrorCode::kUnavailable,
                           "too many large answers are being sent; retry shortly",
                           "CATALOG_MAX_STREAMS reached");
  }
  std::optional<cache::core::CacheKey> kept_key;
  if (key != nullptr) kept_key = *key;
  const std::size_t entry_limit = cache != nullptr ? cache->settings().max_entry_bytes : 0;
  // A quarter over the limit: the planner's estimate of a whole table (or a broad filter) after
  // ANALYZE is close; one that was wrong costs the key its caching until CACHE_TTL_SECONDS.
  const bool expect_too_large =
      handoff != nullptr && entry_limit > 0 && start.rest != nullptr &&
      ExpectedOver(start, start.rest->EstimatedItems(), 1.25 * static_cast<double>(entry_limit));
  return std::shared_ptr<http::core::BodyStream>(std::make_shared<CatalogBodyStream>(
      std::move(start), open_, std::move(handoff), cache, std::move(kept_key), expect_too_large));
}

}  // namespace vitrina::api
