#include "vitrina/cache/core/copy_lease.hpp"

#include <gtest/gtest.h>

namespace vitrina::cache::core {
namespace {

using namespace std::chrono_literals;
using Clock = CopyLease::Clock;

TEST(CopyLease, CoversNothingUntilConfirmed) {
  const CopyLease lease;
  EXPECT_FALSE(lease.Covers(Clock::now()));
  EXPECT_FALSE(lease.Covers(Clock::time_point{}));
}

// Counted from when the check was sent, not from when its answer came back.
TEST(CopyLease, CoversFromTheCheckUntilOneLeaseAfterItWasSent) {
  CopyLease lease;
  const auto sent = Clock::now();
  lease.Confirmed(sent, 50ms);
  EXPECT_TRUE(lease.Covers(sent));
  EXPECT_TRUE(lease.Covers(sent + 49ms));
  EXPECT_FALSE(lease.Covers(sent + 50ms));
  EXPECT_FALSE(lease.Covers(sent + 1s));
}

// Two checks answered out of order: the older one must not cut the newer one's lease short.
TEST(CopyLease, AnOlderConfirmationNeverShortensIt) {
  CopyLease lease;
  const auto first = Clock::now();
  lease.Confirmed(first + 30ms, 50ms);
  lease.Confirmed(first, 50ms);
  EXPECT_TRUE(lease.Covers(first + 79ms));
  EXPECT_FALSE(lease.Covers(first + 80ms));
}

TEST(CopyLease, AZeroLeaseGrantsNothing) {
  CopyLease lease;
  const auto sent = Clock::now();
  lease.Confirmed(sent, 0ms);
  EXPECT_FALSE(lease.Covers(sent));
}

// A lease is about one copy object: copying the copy (or assigning over it) starts unconfirmed.
TEST(CopyLease, ACopyStartsUnconfirmed) {
  CopyLease lease;
  const auto sent = Clock::now();
  lease.Confirmed(sent, 50ms);
  const CopyLease copied(lease);  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_FALSE(copied.Covers(sent));
  CopyLease assigned;
  assigned.Confirmed(sent, 50ms);
  assigned = lease;
  EXPECT_FALSE(assigned.Covers(sent));
  EXPECT_TRUE(lease.Covers(sent));
}

}  // namespace
}  // namespace vitrina::cache::core
