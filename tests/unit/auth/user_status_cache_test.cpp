#include "vitrina/auth/core/user_status_cache.hpp"

#include <atomic>
#include <condition_variable>
#include <thread>

#include <gtest/gtest.h>

#include "auth/auth_fakes.hpp"

namespace vitrina::auth::core {
namespace {

using namespace std::chrono_literals;
using testing::FakeUserDirectory;

struct FakeClock {
  UserStatusCache::Clock::time_point now{};
  UserStatusCache::Now Function() {
    return [this] { return now; };
  }
};

TEST(UserStatusCache, RepeatedLookupsWithinTheBoundQueryOnce) {
  FakeUserDirectory users;
  users.rows["u1"] = UserRecord{"u1", "a@x.com", true, false};
  FakeClock clock;
  UserStatusCache cache(users, {}, clock.Function());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(cache.Get("u1").ok());
  EXPECT_EQ(users.find_calls.load(), 1);
}

TEST(UserStatusCache, ADeactivationIsSeenWithinOneSecond) {
  FakeUserDirectory users;
  users.rows["u1"] = UserRecord{"u1", "a@x.com", true, true};
  FakeClock clock;
  UserStatusCache cache(users, {}, clock.Function());
  EXPECT_TRUE(cache.Get("u1")->is_active);
  users.rows["u1"].is_active = false;  // another instance, or `vitrina users deactivate`
  users.rows["u1"].is_admin = false;
  clock.now += 999ms;
  EXPECT_TRUE(cache.Get("u1")->is_active);  // still inside the bound
  clock.now += 1ms;
  EXPECT_FALSE(cache.Get("u1")->is_active);
  EXPECT_FALSE(cache.Get("u1")->is_admin);
}

TEST(UserStatusCache, MissingUsersAreNotFoundAndRememberedForTheBoundToo) {
  FakeUserDirectory users;
  FakeClock clock;
  UserStatusCache cache(users, {}, clock.Function());
  EXPECT_EQ(cache.Get("ghost").error().code, base::ErrorCode::kNotFound);
  EXPECT_EQ(cache.Get("ghost").error().code, base::ErrorCode::kNotFound);
  EXPECT_EQ(users.find_calls.load(), 1);
  users.rows["ghost"] = UserRecord{"ghost", "g@x.com", true, false};
  clock.now += 1s;
  EXPECT_TRUE(cache.Get("ghost").ok());
}

class FailingDirectory : public FakeUserDirectory {
 public:
  bool down = true;
  base::Result<UserRecord> FindByUid(std::string_view uid) override {
    if (down) {
      ++find_calls;
      return base::MakeError(base::ErrorCode::kUnavailable, "the database is unavailable");
    }
    return FakeUserDirectory::FindByUid(uid);
  }
};

TEST(UserStatusCache, DatabaseErrorsAreNotCachedAndFailClosed) {
  FailingDirectory users;
  users.rows["u1"] = UserRecord{"u1", "a@x.com", true, false};
  FakeClock clock;
  UserStatusCache cache(users, {}, clock.Function());
  EXPECT_EQ(cache.Get("u1").error().code, base::ErrorCode::kUnavailable);
  users.down = false;
  EXPECT_TRUE(cache.Get("u1").ok());
}

TEST(UserStatusCache, InvalidateForgetsImmediately) {
  FakeUserDirectory users;
  users.rows["u1"] = UserRecord{"u1", "a@x.com", true, false};
  FakeClock clock;
  UserStatusCache cache(users, {}, clock.Function());
  ASSERT_TRUE(cache.Get("u1")->is_active);
  users.rows["u1"].is_active = false;
  cache.Invalidate("u1");
  EXPECT_FALSE(cache.Get("u1")->is_active);
}

// A directory whose first query blocks until released, to hold a load in flight.
class GatedDirectory : public FakeUserDirectory {
 public:
  std::mutex gate_mutex;
  std::condition_variable gate;
  bool open = false;
  std::atomic<int> entered{0};
  base::Result<UserRecord> FindByUid(std::string_view uid) override {
    ++entered;
    std::unique_lock lock(gate_mutex);
    gate.wait(lock, [this] { return open; });
    return FakeUserDirectory::FindByUid(uid);
  }
};

TEST(UserStatusCache, ConcurrentLookupsOfOneUidShareOneQuery) {
  GatedDirectory users;
  users.rows["u1"] = UserRecord{"u1", "a@x.com", true, false};
  UserStatusCache cache(users, {});
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] { ok += cache.Get("u1").ok() ? 1 : 0; });
  }
  while (users.entered.load() == 0) std::this_thread::yield();
  std::this_thread::sleep_for(50ms);  // let the others queue behind the first query
  {
    std::lock_guard lock(users.gate_mutex);
    users.open = true;
  }
  users.gate.notify_all();
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(users.entered.load(), 1);
}

TEST(UserStatusCache, PeekAnswersAFreshEntryWithoutTheDirectory) {
  FakeUserDirectory users;
  users.rows["u1"] = UserRecord{"u1", "a@x.com", true, true};
  FakeClock clock;
  UserStatusCache cache(users, {}, clock.Function());
  EXPECT_FALSE(cache.Peek("u1").has_value());  // nothing cached: the caller must Get
  EXPECT_EQ(users.find_calls.load(), 0);
  ASSERT_TRUE(cache.Get("u1").ok());
  for (int i = 0; i < 100; ++i) {
    const auto hit = cache.Peek("u1");
    ASSERT_TRUE(hit.has_value());
    EXPECT_EQ(**hit, (UserRecord{"u1", "a@x.com", true, true}));
  }
  EXPECT_EQ(users.find_calls.load(), 1);
}

TEST(UserStatusCache, PeekHonoursTheOneSecondBound) {
  FakeUserDirectory users;
  users.rows["u1"] = UserRecord{"u1", "a@x.com", true, false};
  FakeClock clock;
  UserStatusCache cache(users, {}, clock.Function());
  ASSERT_TRUE(cache.Get("u1").ok());
  users.rows["u1"].is_active = false;
  clock.now += 999ms;
  ASSERT_TRUE(cache.Peek("u1").has_value());
  EXPECT_TRUE((*cache.Peek("u1"))->is_active);
  clock.now += 1ms;
  EXPECT_FALSE(cache.Peek("u1").has_value());  // stale: only Get may answer, and it re-reads
  EXPECT_FALSE(cache.Get("u1")->is_active);
  EXPECT_FALSE((*cache.Peek("u1"))->is_active);
}

TEST(UserStatusCache, PeekRemembersMissingUsersButNeverErrors) {
  FailingDirectory users;
  FakeClock clock;
  UserStatusCache cache(users, {}, clock.Function());
  (void)cache.Get("u1");  // the database is down: not cached
  EXPECT_FALSE(cache.Peek("u1").has_value());
  users.down = false;
  (void)cache.Get("u1");  // no row: remembered as kNotFound
  const auto missing = cache.Peek("u1");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->error().code, base::ErrorCode::kNotFound);
  cache.Invalidate("u1");
  EXPECT_FALSE(cache.Peek("u1").has_value());
}

TEST(UserStatusCache, PeekDoesNotWaitForALoadInFlight) {
  GatedDirectory users;
  users.rows["u1"] = UserRecord{"u1", "a@x.com", true, false};
  UserStatusCache cache(users, {});
  std::thread loader([&] { (void)cache.Get("u1"); });
  while (users.entered.load() == 0) std::this_thread::yield();
  EXPECT_FALSE(cache.Peek("u1").has_value());  // returns at once although a load is running
  {
    std::lock_guard lock(users.gate_mutex);
    users.open = true;
  }
  users.gate.notify_all();
  loader.join();
  EXPECT_TRUE(cache.Peek("u1").has_value());
}

TEST(UserStatusCache, StaysBoundedByEvictingStaleEntries) {
  FakeUserDirectory users;
  FakeClock clock;
  UserStatusCache cache(users, {1000ms, 10}, clock.Function());
  for (int i = 0; i < 10; ++i) (void)cache.Get("u" + std::to_string(i));
  clock.now += 2s;
  (void)cache.Get("new");
  EXPECT_EQ(cache.size(), 1U);
}

}  // namespace
}  // namespace vitrina::auth::core
