#include "vitrina/cache/core/circuit_breaker.hpp"

namespace vitrina::cache::core {

CircuitBreaker::CircuitBreaker(Settings settings, Clock clock)
    : settings_(settings), clock_(std::move(clock)) {}

bool CircuitBreaker::AllowsRequests() const {
  std::lock_guard lock(mutex_);
  return state_ == State::kClosed;
}

void CircuitBreaker::RecordSuccess() {
  std::lock_guard lock(mutex_);
  if (state_ == State::kClosed) consecutive_failures_ = 0;
}

void CircuitBreaker::RecordFailure() {
  std::lock_guard lock(mutex_);
  if (state_ != State::kClosed) return;  // already open: the prober owns the recovery
  if (++consecutive_failures_ >= settings_.failure_threshold) OpenLocked();
}

bool CircuitBreaker::TryStartProbe() {
  std::lock_guard lock(mutex_);
  if (state_ != State::kOpen || clock_() - opened_at_ < settings_.probe_interval) return false;
  state_ = State::kProbing;
  return true;
}

void CircuitBreaker::ProbeSucceeded() {
  std::lock_guard lock(mutex_);
  if (state_ != State::kProbing) return;
  state_ = State::kClosed;
  consecutive_failures_ = 0;
}

void CircuitBreaker::ProbeFailed() {
  std::lock_guard lock(mutex_);
  if (state_ == State::kProbing) OpenLocked();
}

void CircuitBreaker::ForceOpen() {
  std::lock_guard lock(mutex_);
  if (state_ == State::kClosed) OpenLocked();
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

std::string_view CircuitBreaker::StateName(State state) {
  switch (state) {
    case State::kClosed:
      return "closed";
    case State::kOpen:
      return "open";
    case State::kProbing:
      return "probing";
  }
  return "unknown";
}

void CircuitBreaker::OpenLocked() {
  state_ = State::kOpen;
  opened_at_ = clock_();
  consecutive_failures_ = 0;
}

}  // namespace vitrina::cache::core
