// PgUserDirectory and UserStatusCache against a real PostgreSQL with the users migration applied.
#include <thread>

#include <gtest/gtest.h>

#include "auth/auth_test_support.hpp"
#include "support/database.hpp"
#include "support/test_env.hpp"
#include "vitrina/auth/core/user_status_cache.hpp"
#include "vitrina/auth/pg_user_directory.hpp"

namespace vitrina::auth {
namespace {

using namespace std::chrono_literals;

class UsersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VITRINA_REQUIRE_ENV(admin_url, "DATABASE_URL");
    auto url = vitrina::testing::FreshDatabase(admin_url, "vitrina_test_auth_users");
    ASSERT_TRUE(url.ok()) << url.error().message << " " << url.error().detail;
    url_ = *url;
    users_ = std::make_unique<PgUserDirectory>(PgUserDirectorySettings{url_, 2});
  }
  void TearDown() override {
    if (url_.empty()) return;
    auto connection = db::Connection::Open(url_);
    if (connection) {
      (void)connection->Execute("DELETE FROM users WHERE uid LIKE $1", {Prefix() + "%"});
    }
  }
  static std::string Prefix() { return "itest-" + testing::RunId() + "-"; }
  core::NewUser Fresh(const std::string& label) {
    return {Prefix() + label, testing::UniqueEmail(label)};
  }

  std::string url_;
  std::unique_ptr<PgUserDirectory> users_;
};

TEST_F(UsersTest, InsertedUsersAreActiveNonAdminsAndCanBeFound) {
  const auto fresh = Fresh("a");
  auto inserted = users_->Insert(fresh);
  ASSERT_TRUE(inserted.ok()) << inserted.error().detail;
  EXPECT_EQ(*inserted, (core::UserRecord{fresh.uid, fresh.email, true, false}));
  EXPECT_EQ(users_->FindByUid(fresh.uid).value(), *inserted);
  EXPECT_EQ(users_->FindByUid(Prefix() + "missing").error().code, base::ErrorCode::kNotFound);
}

TEST_F(UsersTest, DuplicateUidOrCaseInsensitiveEmailIsAConflict) {
  const auto fresh = Fresh("b");
  ASSERT_TRUE(users_->Insert(fresh).ok());
  auto same_uid = users_->Insert({fresh.uid, testing::UniqueEmail("other")});
  EXPECT_EQ(same_uid.error().code, base::ErrorCode::kConflict);
  std::string upper = fresh.email;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto same_email = users_->Insert({Prefix() + "b2", upper});
  EXPECT_EQ(same_email.error().code, base::ErrorCode::kConflict);
  EXPECT_EQ(same_email.error().message, "an account with this email already exists");
}

TEST_F(UsersTest, UpdateChangesOnlyThePatchedFields) {
  const auto fresh = Fresh("c");
  ASSERT_TRUE(users_->Insert(fresh).ok());
  auto promoted = users_->Update(fresh.uid, {std::nullopt, true});
  ASSERT_TRUE(promoted.ok());
  EXPECT_TRUE(promoted->is_admin);
  EXPECT_TRUE(promoted->is_active);
  auto deactivated = users_->Update(fresh.uid, {false, std::nullopt});
  EXPECT_FALSE(deactivated->is_active);
  EXPECT_TRUE(deactivated->is_admin);
  EXPECT_EQ(users_->Update(Prefix() + "missing", {true, true}).error().code,
            base::ErrorCode::kNotFound);
}

TEST_F(UsersTest, ListPagesInUidOrder) {
  for (const auto* label : {"l1", "l2", "l3"}) ASSERT_TRUE(users_->Insert(Fresh(label)).ok());
  // Start just before our prefix so other suites' rows do not matter.
  auto page = users_->List(Prefix() + "l0", 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2U);
  EXPECT_EQ((*page)[0].uid, Prefix() + "l1");
  EXPECT_EQ((*page)[1].uid, Prefix() + "l2");
  auto next = users_->List((*page)[1].uid, 1);
  ASSERT_EQ(next->size(), 1U);
  EXPECT_EQ((*next)[0].uid, Prefix() + "l3");
}

TEST_F(UsersTest, ADeactivationByAnotherInstanceIsSeenWithinOneSecond) {
  const auto fresh = Fresh("d");
  ASSERT_TRUE(users_->Insert(fresh).ok());
  // The cache's clock is the test's: "within one second" is checked on both sides of the
  // freshness window without depending on how fast this machine runs.
  auto now = core::UserStatusCache::Clock::now();
  const core::UserStatusCacheSettings settings;
  ASSERT_EQ(settings.freshness, 1s);  // what the test name and docs/auth.md promise
  core::UserStatusCache cache(*users_, settings, [&now] { return now; });
  ASSERT_TRUE(cache.Get(fresh.uid)->is_active);
  PgUserDirectory other_instance({url_, 1});
  ASSERT_TRUE(other_instance.Update(fresh.uid, {false, std::nullopt}).ok());
  now += settings.freshness - 1ms;
  EXPECT_TRUE(cache.Get(fresh.uid)->is_active);  // still the cached answer
  now += 1ms;
  EXPECT_FALSE(cache.Get(fresh.uid)->is_active);  // read again from PostgreSQL
}

TEST_F(UsersTest, AnUnreachableDatabaseIsUnavailable) {
  PgUserDirectory down({"postgresql://postgres@127.0.0.1:28598/vitrina", 1, 2s});
  auto user = down.FindByUid("x");
  ASSERT_FALSE(user.ok());
  EXPECT_EQ(user.error().code, base::ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace vitrina::auth
