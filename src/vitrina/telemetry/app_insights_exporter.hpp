#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/object.hpp>

#include "vitrina/telemetry/core/ingestion_policy.hpp"
#include "vitrina/telemetry/ingestion_transport.hpp"

namespace vitrina::telemetry {

struct ExporterSettings {
  std::size_t queue_capacity = 10'000;             // items waiting; beyond this Track drops
  std::size_t max_batch_items = 500;               // items per POST; a full batch is sent at once
  std::chrono::milliseconds flush_interval{1500};  // a partial batch waits at most this long
  int max_retries = 5;                             // per batch, after the first attempt
  core::BackoffPolicy backoff;                     // 0.5 s doubling to 30 s, with jitter
  std::chrono::milliseconds request_timeout{10'000};
};

// Counters since construction; every item Track accepted ends in exactly one of sent/dropped_*
// once Stop has returned.
struct ExporterStats {
  std::uint64_t enqueued = 0;
  std::uint64_t sent = 0;                       // accepted by the endpoint
  std::uint64_t dropped_queue_full = 0;         // Track found the queue full
  std::uint64_t dropped_rejected = 0;           // 400-class answers, or non-retriable 206 items
  std::uint64_t dropped_retries_exhausted = 0;  // still failing after max_retries
  std::uint64_t dropped_shutdown = 0;           // pending at the Stop deadline, or tracked after it
  std::uint64_t retries = 0;                    // resend attempts (whole batches or 206 subsets)
  std::uint64_t posts = 0;                      // HTTP requests made

  std::uint64_t dropped() const {
    return dropped_queue_full + dropped_rejected + dropped_retries_exhausted + dropped_shutdown;
  }
};

// Ships envelopes to Application Insights from one background thread. Track() only moves the
// envelope into a bounded vector under a mutex held for a push_back; the worker swaps the whole
// vector out, serializes, and POSTs batches, retrying with backoff, so a slow or failing
// endpoint costs requests nothing but the dropped items it reports.
class AppInsightsExporter {
 public:
  AppInsightsExporter(ExporterSettings settings, std::unique_ptr<IngestionTransport> transport);
  ~AppInsightsExporter();  // stops without waiting if Stop was not called
  AppInsightsExporter(const AppInsightsExporter&) = delete;
  AppInsightsExporter& operator=(const AppInsightsExporter&) = delete;

  void Start();
  // Sends what is queued (and what is being retried) until `deadline` from now; anything left
  // then is counted in dropped_shutdown. Idempotent.
  void Stop(std::chrono::milliseconds deadline);

  // Never blocks on I/O. Returns false, counting the drop, if the queue is full or stopped.
  bool Track(boost::json::object envelope);

  ExporterStats stats() const;
  // The last transport error or unexpected status, for logs and health checks ("" if none).
  std::string last_error() const;

 private:
  using Clock = std::chrono::steady_clock;

  void Run();
  void SendBatch(std::vector<std::string> items);
  bool PastDeadline() const;
  // Waits until `until` unless the shutdown deadline comes first; false if it did.
  bool SleepUntil(Clock::time_point until);
  void NoteError(std::string error);
  // A warning when a batch is refused for good (400-class), once per new status.
  void LogRefusal(const IngestionResponse& response, std::size_t items);

  const ExporterSettings settings_;
  std::unique_ptr<IngestionTransport> transport_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<boost::json::object> queue_;
  bool started_ = false;
  bool stopping_ = false;
  std::string last_error_;
  long refusal_logged_ =
      0;  // the status of the last refusal logged; 0 after a success. Worker only.
  std::thread worker_;
  // Clock::time_point::max() until Stop sets it; read by the transport's give_up poll.
  std::atomic<Clock::rep> deadline_{Clock::time_point::max().time_since_epoch().count()};

  std::atomic<std::uint64_t> enqueued_{0}, sent_{0}, dropped_queue_full_{0}, dropped_rejected_{0},
      dropped_retries_exhausted_{0}, dropped_shutdown_{0}, retries_{0}, posts_{0};
};

}  // namespace vitrina::telemetry
