// The PostgreSQL side of invalidation: the ETL's NOTIFY and the durable outbox of writes whose
// invalidation was not confirmed. Needs DATABASE_URL and REDIS_URL.
#include <fstream>
#include <sstream>

#include "cache/cache_test_support.hpp"
#include "support/test_env.hpp"
#include "vitrina/cache/catalog_reload_listener.hpp"
#include "vitrina/cache/invalidation_outbox.hpp"
#include "vitrina/db/connection.hpp"

namespace vitrina::cache::testing {
namespace {

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return condition();
}

class CacheListenerTest : public CacheTest {
 protected:
  void SetUp() override {
    CacheTest::SetUp();
    if (IsSkipped()) return;
    VITRINA_REQUIRE_ENV(url, "DATABASE_URL");
    database_url_ = url;
    auto connection = db::Connection::Open(database_url_);
    ASSERT_TRUE(connection.ok()) << connection.error().detail;
    db_.emplace(std::move(*connection));
    auto exists = db_->Execute("SELECT to_regclass('cache_outbox')::text");
    ASSERT_TRUE(exists.ok());
    if (!exists->Scalar()) {
      std::ifstream file(std::string(VITRINA_SOURCE_DIR) + "/migrations/0003_cache_outbox.sql");
      std::stringstream sql;
      sql << file.rdbuf();
      ASSERT_TRUE(db_->ExecuteScript(sql.str()).ok());
    }
    // migrations/0004_cache_outbox_table.sql, on a table an earlier run may have left without it.
    ASSERT_TRUE(
        db_->ExecuteScript("ALTER TABLE cache_outbox ADD COLUMN IF NOT EXISTS catalog_table text")
            .ok());
    ASSERT_TRUE(db_->Execute("DELETE FROM cache_outbox").ok());
  }

  CatalogReloadListenerSettings ListenerSettings() const {
    CatalogReloadListenerSettings settings;
    settings.database_url = database_url_;
    settings.table = spec_.table;
    settings.poll_interval = 50ms;
    settings.outbox_grace = 200ms;
    return settings;
  }

  // Starts `listener` and waits for its connect-time flush, which would otherwise race what the
  // test stores next.
  static bool Started(CatalogReloadListener& listener) {
    listener.Start();
    return WaitFor([&] { return listener.connected() && listener.flushes() >= 1; }, 5s);
  }

  std::string database_url_;
  std::optional<db::Connection> db_;
};

TEST_P(CacheListenerTest, EtlReloadNotificationFlushesTheCatalog) {
  auto instance = NewInstance();
  FakeCatalog db;
  const auto key = Key({{"cut", {"Ideal"}}});
  CatalogReloadListener listener(ListenerSettings(), instance->cache, pool_.executor());
  ASSERT_TRUE(Started(listener));
  ASSERT_EQ(Get(instance->cache, key, db).outcome, CacheOutcome::kMiss);
  ASSERT_TRUE(probe_->Exists(key.str()));

  const auto flushes = listener.flushes();
  ASSERT_TRUE(db_->Execute("NOTIFY vitrina_catalog_reloaded").ok());
  // The key is deleted inside the flush, the counter grows after it: wait for both.
  EXPECT_TRUE(
      WaitFor([&] { return !probe_->Exists(key.str()) && listener.flushes() > flushes; }, 3s));
  EXPECT_GT(listener.flushes(), flushes);
  listener.Stop();
}

TEST_P(CacheListenerTest, AReloadOfAnotherTableKeepsTheAnswersAndOneOfOursFlushesThem) {
  auto instance = NewInstance();
  FakeCatalog db;
  const auto key = Key({{"cut", {"Ideal"}}});
  CatalogReloadListener listener(ListenerSettings(), instance->cache, pool_.executor());
  ASSERT_TRUE(Started(listener));
  ASSERT_EQ(Get(instance->cache, key, db).outcome, CacheOutcome::kMiss);

  // Another dataset's ETL committed: its payload names its own table.
  const auto flushes = listener.flushes();
  const auto handled = listener.notices_handled();
  ASSERT_TRUE(db_->Execute("SELECT pg_notify('vitrina_catalog_reloaded', 'books:7')").ok());
  ASSERT_TRUE(WaitFor([&] { return listener.notices_handled() > handled; }, 3s));
  EXPECT_TRUE(probe_->Exists(key.str()));
  EXPECT_EQ(listener.flushes(), flushes);

  ASSERT_TRUE(
      db_->Execute("SELECT pg_notify('vitrina_catalog_reloaded', $1)", {spec_.table + ":8"}).ok());
  EXPECT_TRUE(
      WaitFor([&] { return !probe_->Exists(key.str()) && listener.flushes() > flushes; }, 3s));
  listener.Stop();
}

TEST_P(CacheListenerTest, OutboxRowsOfAnotherTableAreLeftToItsServers) {
  auto instance = NewInstance();
  FakeCatalog db;
  const auto key = Key({{"cut", {"Fair"}}});
  CatalogReloadListener listener(ListenerSettings(), instance->cache, pool_.executor());
  ASSERT_TRUE(Started(listener));
  ASSERT_EQ(Get(instance->cache, key, db).outcome, CacheOutcome::kMiss);

  ASSERT_TRUE(db_->Execute("INSERT INTO cache_outbox (catalog_table) VALUES ('books')").ok());
  // Two outbox checks after the row is older than the grace (it would count by then, were it
  // ours): the listener looked, and left it.
  const auto inserted = std::chrono::steady_clock::now();
  const auto grace = ListenerSettings().outbox_grace;
  ASSERT_TRUE(WaitFor([&] { return std::chrono::steady_clock::now() - inserted > grace; }, 5s));
  const auto checks = listener.outbox_checks();
  ASSERT_TRUE(WaitFor([&] { return listener.outbox_checks() >= checks + 2; }, 5s));
  EXPECT_TRUE(probe_->Exists(key.str()));
  auto left = db_->Execute("SELECT count(*) FROM cache_outbox WHERE catalog_table = 'books'");
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->Scalar(), "1");
  ASSERT_TRUE(db_->Execute("DELETE FROM cache_outbox").ok());
  listener.Stop();
}

TEST_P(CacheListenerTest, LeftoverOutboxRowsFlushTheCatalogAndAreDeleted) {
  auto instance = NewInstance();
  FakeCatalog db;
  const auto key = Key({{"cut", {"Fair"}}});
  CatalogReloadListener listener(ListenerSettings(), instance->cache, pool_.executor());
  ASSERT_TRUE(Started(listener));
  ASSERT_EQ(Get(instance->cache, key, db).outcome, CacheOutcome::kMiss);

  // A writer committed (with its outbox row) and died before invalidating.
  auto row = db_->Execute(std::string(kInsertCacheOutboxRow));
  ASSERT_TRUE(row.ok());
  EXPECT_TRUE(WaitFor([&] { return !probe_->Exists(key.str()); }, 3s));
  EXPECT_TRUE(WaitFor(
      [&] {
        auto left = db_->Execute("SELECT count(*) FROM cache_outbox");
        return left.ok() && left->Scalar() == "0";
      },
      3s));
  listener.Stop();
}

TEST_P(CacheListenerTest, ConfirmedWritesDeleteTheirOwnRowAndCauseNoFlush) {
  auto instance = NewInstance();
  FakeCatalog db;
  const auto ideal = Key({{"cut", {"Ideal"}}});
  // A grace far longer than the write below takes, so its row is never old enough to count.
  auto settings = ListenerSettings();
  settings.outbox_grace = 5s;
  CatalogReloadListener listener(settings, instance->cache, pool_.executor());
  ASSERT_TRUE(Started(listener));
  ASSERT_EQ(Get(instance->cache, ideal, db).outcome, CacheOutcome::kMiss);

  auto row = db_->Execute(std::string(kInsertCacheOutboxRow));
  ASSERT_TRUE(row.ok());
  std::vector<cache::core::ItemValues> versions = {Diamond("Fair", "E", 900)};
  ASSERT_TRUE(pool_.Run(instance->cache.InvalidateForWrite(versions)).ok());
  ASSERT_TRUE(db_->Execute(std::string(kDeleteCacheOutboxRow), {row->Scalar()}).ok());
  // The listener looks at the outbox twice more (the row is gone): nothing to flush, ever.
  const auto checks = listener.outbox_checks();
  const auto flushes = listener.flushes();
  ASSERT_TRUE(WaitFor([&] { return listener.outbox_checks() >= checks + 2; }, 5s));
  EXPECT_EQ(listener.flushes(), flushes);
  EXPECT_TRUE(probe_->Exists(ideal.str()));
  listener.Stop();
}

INSTANTIATE_TEST_SUITE_P(Redis, CacheListenerTest,
                         ::testing::Values(RedisMode::kSingle, RedisMode::kCluster), ModeName);

}  // namespace
}  // namespace vitrina::cache::testing
