#pragma once

#include <atomic>
#include <chrono>

namespace vitrina::cache::core {

// How long a local copy may be sent without asking Redis again. A check of the copy's header,
// sent at time `sent` and answered with the copy's own header, proves Redis held exactly those
// bytes at some moment after `sent`; the copy may then be sent until `sent + lease`. An
// invalidation waits `lease` after Redis confirmed its DEL before it returns (CatalogCache), so
// every lease granted by a check that ran before the DEL has ended by then: a request that starts
// after a write's response never gets a copy from before the write, whichever instance serves it
// (docs/cache.md, "Leases"). Only durations on each host's monotonic clock are compared, never
// two clocks. Thread-safe: requests on every I/O thread read and extend it.
class CopyLease {
 public:
  using Clock = std::chrono::steady_clock;

  CopyLease() = default;
  // A lease belongs to the copy it was granted for: a copy of the LocalCopy starts unconfirmed.
  CopyLease(const CopyLease& /*other*/) noexcept {}
  CopyLease& operator=(const CopyLease& other) noexcept;
  ~CopyLease() = default;
  CopyLease(CopyLease&&) = delete;
  CopyLease& operator=(CopyLease&&) = delete;

  // True while a confirmation covers `now`.
  bool Covers(Clock::time_point now) const;
  // Records a confirming check sent at `sent`; never shortens the lease. A zero lease (leases
  // off) grants nothing: every use is checked.
  void Confirmed(Clock::time_point sent, std::chrono::milliseconds lease);

 private:
  std::atomic<Clock::rep> until_{0};  // ticks of Clock since its epoch; 0: never confirmed
};

}  // namespace vitrina::cache::core
