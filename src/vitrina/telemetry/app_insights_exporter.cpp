#include "vitrina/telemetry/app_insights_exporter.hpp"

#include <random>

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

namespace vitrina::telemetry {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

std::string JoinAsJsonArray(const std::vector<std::string>& items) {
  std::size_t size = 2;
  for (const auto& item : items) size += item.size() + 1;
  std::string body;
  body.reserve(size);
  body += '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) body += ',';
    body += items[i];
  }
  body += ']';
  return body;
}

double Jitter() {
  thread_local std::minstd_rand generator{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

}  // namespace

AppInsightsExporter::AppInsightsExporter(ExporterSettings settings,
                                         std::unique_ptr<IngestionTransport> transport)
    : settings_(settings), transport_(std::move(transport)) {
  queue_.reserve(settings_.max_batch_items);
}

AppInsightsExporter::~AppInsightsExporter() { Stop(std::chrono::milliseconds(0)); }

void AppInsightsExporter::Start() {
  std::lock_guard lock(mutex_);
  if (started_ || stopping_) return;
  started_ = true;
  worker_ = std::thread([this] { Run(); });
}

void AppInsightsExporter::Stop(std::chrono::milliseconds deadline) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      stopping_ = true;
      deadline_.store((Clock::now() + deadline).time_since_epoch().count());
    }
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  std::lock_guard lock(mutex_);
  // Never started, or the deadline cut the drain short: whatever is left will not be sent.
  dropped_shutdown_.fetch_add(queue_.size(), kRelaxed);
  queue_.clear();
}

bool AppInsightsExporter::Track(boost::json::object envelope) {
  bool wake_worker = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      dropped_shutdown_.fetch_add(1, kRelaxed);
      return false;
    }
    if (queue_.size() >= settings_.queue_capacity) {
      dropped_queue_full_.fetch_add(1, kRelaxed);
      return false;
    }
    queue_.push_back(std::move(envelope));
    wake_worker = queue_.size() == settings_.max_batch_items;
  }
  enqueued_.fetch_add(1, kRelaxed);
  if (wake_worker) wake_.notify_one();
  return true;
}

void AppInsightsExporter::Run() {
  std::vector<boost::json::object> taken;
  auto next_flush = Clock::now() + settings_.flush_interval;
  while (true) {
    bool stopping = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, next_flush,
                       [&] { return stopping_ || queue_.size() >= settings_.max_batch_items; });
      stopping = stopping_;
      if (stopping && queue_.empty()) return;
      if (queue_.size() < settings_.max_batch_items && Clock::now() < next_flush && !stopping) {
        continue;  // spurious wake-up
      }
      taken.swap(queue_);
      queue_.reserve(settings_.max_batch_items);
    }
    next_flush = Clock::now() + settings_.flush_interval;
    // Serialized here, off the request path; each item is kept as text so that a 206 can be
    // answered by resending exactly the listed items.
    for (std::size_t first = 0; first < taken.size(); first += settings_.max_batch_items) {
      const std::size_t last = std::min(taken.size(), first + settings_.max_batch_items);
      std::vector<std::string> items;
      items.reserve(last - first);
      for (std::size_t i = first; i < last; ++i) items.push_back(boost::json::serialize(taken[i]));
      if (PastDeadline()) {
        dropped_shutdown_.fetch_add(items.size(), kRelaxed);
      } else {
        SendBatch(std::move(items));
      }
    }
    taken.clear();
    if (stopping && PastDeadline()) return;  // Stop counts what is still queued
  }
}

void AppInsightsExporter::SendBatch(std::vector<std::string> items) {
  int attempt = 0;
  const std::function<bool()> give_up = [this] { return PastDeadline(); };
  while (!items.empty()) {
    const std::string body = JoinAsJsonArray(items);
    const IngestionResponse response = transport_->Post(body, settings_.request_timeout, give_up);
    posts_.fetch_add(1, kRelaxed);
    if (response.status == 200) {
      sent_.fetch_add(items.size(), kRelaxed);
      if (refusal_logged_ != 0) {
        spdlog::info("telemetry: Application Insights ingestion accepts batches again");
        refusal_logged_ = 0;
      }
      return;
    }
    if (response.status == 206) {
      const auto partial = core::ParsePartialAcceptance(response.body, items.size());
      if (!partial) {
        // Unreadable details: resending everything would duplicate the accepted items.
        NoteError("206 with an unreadable body; batch counted as sent");
        sent_.fetch_add(items.size(), kRelaxed);
        return;
      }
      sent_.fetch_add(partial->accepted, kRelaxed);
      dropped_rejected_.fetch_add(partial->rejected, kRelaxed);
      std::vector<std::string> retry;
      retry.reserve(partial->retry.size());
      for (const auto index : partial->retry) retry.push_back(std::move(items[index]));
      items = std::move(retry);
      if (items.empty()) return;
    } else if (!core::IsRetriableBatchStatus(response.status)) {
      NoteError("ingestion answered " + std::to_string(response.status) + ": " +
                response.body.substr(0, 200));
      dropped_rejected_.fetch_add(items.size(), kRelaxed);
      LogRefusal(response, items.size());
      return;
    } else {
      NoteError(response.status == 0 ? response.error
                                     : "ingestion answered " + std::to_string(response.status));
    }
    if (PastDeadline()) {
      dropped_shutdown_.fetch_add(items.size(), kRelaxed);
      return;
    }
    if (++attempt > settings_.max_retries) {
      dropped_retries_exhausted_.fetch_add(items.size(), kRelaxed);
      return;
    }
    const auto delay = core::RetryDelay(settings_.backoff, attempt, Jitter(), response.retry_after);
    if (!SleepUntil(Clock::now() + delay)) {
      dropped_shutdown_.fetch_add(items.size(), kRelaxed);
      return;
    }
    retries_.fetch_add(1, kRelaxed);
  }
}

bool AppInsightsExporter::PastDeadline() const {
  return Clock::now().time_since_epoch().count() >= deadline_.load(kRelaxed);
}

bool AppInsightsExporter::SleepUntil(Clock::time_point until) {
  std::unique_lock lock(mutex_);
  while (true) {
    const auto deadline = Clock::time_point(Clock::duration(deadline_.load(kRelaxed)));
    const auto now = Clock::now();
    if (now >= deadline) return false;
    if (now >= until) return true;
    wake_.wait_until(lock, std::min(until, deadline));
  }
}

void AppInsightsExporter::LogRefusal(const IngestionResponse& response, std::size_t items) {
  // Once per change of status, not per batch: a refused credential refuses every batch.
  if (response.status == refusal_logged_) return;
  refusal_logged_ = response.status;
  const bool credentials = response.status == 401 || response.status == 403;
  spdlog::warn(
      "telemetry: Application Insights ingestion refused a batch of {} items (HTTP {}: {}); they "
      "are dropped and counted in vitrina_telemetry_items_total{{outcome=\"dropped_rejected\"}}, "
      "and later refusals with this status are only counted{}",
      items, response.status, response.body.substr(0, 200),
      credentials
          ? ". The credentials were refused: with APPLICATIONINSIGHTS_AUTH=managed-identity "
            "the identity needs the Monitoring Metrics Publisher role; without it, the "
            "resource must allow local authentication"
          : "");
}

void AppInsightsExporter::NoteError(std::string error) {
  std::lock_guard lock(mutex_);
  last_error_ = std::move(error);
}

ExporterStats AppInsightsExporter::stats() const {
  ExporterStats stats;
  stats.enqueued = enqueued_.load(kRelaxed);
  stats.sent = sent_.load(kRelaxed);
  stats.dropped_queue_full = dropped_queue_full_.load(kRelaxed);
  stats.dropped_rejected = dropped_rejected_.load(kRelaxed);
  stats.dropped_retries_exhausted = dropped_retries_exhausted_.load(kRelaxed);
  stats.dropped_shutdown = dropped_shutdown_.load(kRelaxed);
  stats.retries = retries_.load(kRelaxed);
  stats.posts = posts_.load(kRelaxed);
  return stats;
}

std::string AppInsightsExporter::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

}  // namespace vitrina::telemetry
