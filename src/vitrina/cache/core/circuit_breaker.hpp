#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string_view>

namespace vitrina::cache::core {

// Decides whether requests may use a dependency (Redis) that has been failing. A request should
// pay a timeout at most once per outage: after `failure_threshold` consecutive failures the breaker
// opens and callers skip the dependency. Requests never probe; a single background prober asks
// TryStartProbe() and, once a probe succeeds, closes the breaker. Thread-safe.
//
//   kClosed --failures >= threshold--> kOpen --probe_interval elapsed, TryStartProbe--> kProbing
//   kProbing --ProbeSucceeded--> kClosed      kProbing --ProbeFailed--> kOpen (timer restarts)
class CircuitBreaker {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  enum class State { kClosed, kOpen, kProbing };

  struct Settings {
    int failure_threshold = 1;
    std::chrono::milliseconds probe_interval{500};
  };

  explicit CircuitBreaker(Settings settings, Clock clock = &std::chrono::steady_clock::now);

  // True while closed: the caller may use the dependency.
  bool AllowsRequests() const;
  void RecordSuccess();
  void RecordFailure();

  // For the prober: true (and the state becomes kProbing) when open for at least probe_interval.
  bool TryStartProbe();
  void ProbeSucceeded();
  void ProbeFailed();
  // Opens the breaker now, whatever its state (e.g. a lost invalidation must be repaired first).
  void ForceOpen();

  State state() const;
  static std::string_view StateName(State state);

 private:
  void OpenLocked();

  const Settings settings_;
  const Clock clock_;
  mutable std::mutex mutex_;
  State state_ = State::kClosed;
  int consecutive_failures_ = 0;
  std::chrono::steady_clock::time_point opened_at_{};
};

}  // namespace vitrina::cache::core
