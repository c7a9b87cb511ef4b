#include "vitrina/cache/core/copy_lease.hpp"

namespace vitrina::cache::core {

CopyLease& CopyLease::operator=(const CopyLease& other) noexcept {
  if (this != &other) until_.store(0, std::memory_order_relaxed);
  return *this;
}

bool CopyLease::Covers(Clock::time_point now) const {
  return now.time_since_epoch().count() < until_.load(std::memory_order_acquire);
}

void CopyLease::Confirmed(Clock::time_point sent, std::chrono::milliseconds lease) {
  if (lease <= std::chrono::milliseconds::zero()) return;
  const auto until = (sent + lease).time_since_epoch().count();
  auto current = until_.load(std::memory_order_relaxed);
  while (current < until &&
         !until_.compare_exchange_weak(current, until, std::memory_order_acq_rel)) {
  }
}

}  // namespace vitrina::cache::core
