// RedisClusterClient against the real 3-master cluster while one slot is resharded under it
// (docs/cache.md, "Cluster"): during the migration it follows ASK (ASKING + the command on the
// importing node, without remembering it), after it MOVED (and then goes to the new owner
// directly). The slot goes back to its owner afterwards, whatever the test's outcome.
#include <map>
#include <string>
#include <vector>

#include "cache/cache_test_support.hpp"
#include "support/test_env.hpp"
#include "vitrina/redis/core/slot.hpp"

namespace vitrina::cache::testing {
namespace {

// Hash-tagged: every key of the test lives in one slot nothing else of the suite uses on purpose.
const std::string kKey = "{vitrina-itest-reshard}existing";
const std::string kNewKey = "{vitrina-itest-reshard}created-during-migration";

class RedisClusterReshard : public ::testing::Test {
 protected:
  void SetUp() override {
    VITRINA_REQUIRE_ENV(nodes, "REDIS_CLUSTER_NODES");
    auto seeds = redis::core::ParseHostPortList(nodes);
    ASSERT_TRUE(seeds.ok()) << nodes;
    settings_.nodes = *seeds;
    settings_.cluster = true;
    settings_.command_timeout = 5s;  // not a timeout test: a loaded machine must not fail it
    for (const auto& node : settings_.nodes) {
      redis::RedisConnectionSettings connection;
      connection.address = node;
      connection.command_timeout = 5s;
      admin_[node.port] = std::make_unique<redis::RedisConnection>(pool_.executor(), connection);
      ids_[node.port] = Admin(node.port, {"CLUSTER", "MYID"}).text;
      ASSERT_FALSE(ids_[node.port].empty()) << node.HostPort();
    }
    slot_ = redis::core::KeySlot(kKey);
    ASSERT_EQ(redis::core::KeySlot(kNewKey), slot_);
    // A run that died mid-migration left the slot half moved: settle it first.
    for (const auto& [port, id] : ids_) Admin(port, {"CLUSTER", "SETSLOT", Slot(), "STABLE"});
    source_ = Owner();
    ASSERT_NE(source_, 0) << "no node owns slot " << slot_;
    for (const auto& [port, id] : ids_) {
      if (port != source_) target_ = port;
    }
    ASSERT_NE(target_, 0) << "the cluster has a single master";
    moved_away_ = true;  // from here on TearDown puts the slot back
  }

  void TearDown() override {
    if (!moved_away_) return;
    if (Owner(source_) == target_) {
      // Moved: bring the keys back, then hand the slot back, the importing node first (it takes
      // a new config epoch, so the cluster's gossip agrees with it).
      Migrate(target_, source_);
      AssignSlot(source_);
    } else {
      // Stopped mid-migration: drop what was created on the importing node, cancel the move.
      const auto keys = Admin(target_, {"CLUSTER", "GETKEYSINSLOT", Slot(), "100"});
      if (!keys.elements.empty()) {
        redis::RedisArgs drop = {"DEL"};
        for (const auto& key : keys.elements) drop.push_back(key.text);
        (void)pool_.Run(admin_.at(target_)->Pipeline({redis::RedisArgs{"ASKING"}, drop}));
      }
      for (const auto& [port, id] : ids_) Admin(port, {"CLUSTER", "SETSLOT", Slot(), "STABLE"});
    }
    for (const auto& [port, id] : ids_) {
      EXPECT_EQ(Owner(port), source_) << "slot " << slot_ << " not restored, as seen by " << port;
    }
    Admin(source_, {"DEL", kKey, kNewKey});
  }

  // Ends a migration: `owner` first, then the others.
  void AssignSlot(int owner) {
    Admin(owner, {"CLUSTER", "SETSLOT", Slot(), "NODE", ids_[owner]});
    for (const auto& [port, id] : ids_) {
      if (port != owner) Admin(port, {"CLUSTER", "SETSLOT", Slot(), "NODE", ids_[owner]});
    }
  }

  std::string Slot() const { return std::to_string(slot_); }

  redis::RedisReply Admin(int port, redis::RedisArgs args) {
    auto reply = pool_.Run(admin_.at(port)->Command(args));
    EXPECT_TRUE(reply.ok()) << args.front() << " on " << port;
    return reply.ok() ? *reply : redis::RedisReply{};
  }

  // The port of the master that owns the slot, as node `asked` sees it (0: none).
  int Owner(int asked = 0) {
    const auto slots =
        Admin(asked != 0 ? asked : settings_.nodes.front().port, {"CLUSTER", "SLOTS"});
    for (const auto& range : slots.elements) {
      if (range.elements.size() >= 3 && range.elements[0].integer <= slot_ &&
          slot_ <= range.elements[1].integer) {
        return static_cast<int>(range.elements[2].elements[1].integer);
      }
    }
    return 0;
  }

  // Moves the slot's keys from `from` to `to` the way redis-cli --cluster reshard does.
  void Migrate(int from, int to) {
    Admin(to, {"CLUSTER", "SETSLOT", Slot(), "IMPORTING", ids_[from]});
    Admin(from, {"CLUSTER", "SETSLOT", Slot(), "MIGRATING", ids_[to]});
    for (;;) {
      const auto keys = Admin(from, {"CLUSTER", "GETKEYSINSLOT", Slot(), "100"});
      if (keys.elements.empty()) break;
      redis::RedisArgs migrate = {"MIGRATE", "127.0.0.1", std::to_string(to), "", "0",
                                  "5000",    "KEYS"};
      for (const auto& key : keys.elements) migrate.push_back(key.text);
      ASSERT_EQ(Admin(from, migrate).text, "OK");
    }
  }

  // How often `node` was asked to run `command` (run or redirected: calls + rejected_calls).
  long long Touches(int port, const std::string& command) {
    const auto stats = Admin(port, {"INFO", "commandstats"}).text;
    const auto line = stats.find("cmdstat_" + command + ":");
    if (line == std::string::npos) return 0;
    const auto end = stats.find('\n', line);
    const auto text = stats.substr(line, end - line);
    long long total = 0;
    for (const std::string field : {"calls=", "rejected_calls="}) {
      for (auto at = text.find(field); at != std::string::npos; at = text.find(field, at + 1)) {
        if (at > 0 && text[at - 1] != ',' && text[at - 1] != ':') continue;  // "rejected_calls"
        total += std::stoll(text.substr(at + field.size()));
      }
    }
    return total;
  }

  redis::RedisReply Through(redis::RedisClient& client, redis::RedisArgs args) {
    auto reply = pool_.Run(client.Command(std::move(args)));
    EXPECT_TRUE(reply.ok()) << (reply.ok() ? "" : reply.error().detail);
    return reply.ok() ? *reply : redis::RedisReply{};
  }

  AsioPool pool_;
  redis::RedisSettings settings_;
  std::map<int, std::unique_ptr<redis::RedisConnection>> admin_;
  std::map<int, std::string> ids_;
  int slot_ = 0;
  int source_ = 0;
  int target_ = 0;
  bool moved_away_ = false;
};

TEST_F(RedisClusterReshard, FollowsAskDuringAMigrationAndMovedAfterIt) {
  auto client = redis::MakeRedisClient(pool_.executor(), settings_);
  ASSERT_EQ(Through(*client, {"SET", kKey, "before"}).text, "OK");  // the map: slot -> source

  // Migration half done: the key already lives on the target, the source still owns the slot.
  Admin(target_, {"CLUSTER", "SETSLOT", Slot(), "IMPORTING", ids_[source_]});
  Admin(source_, {"CLUSTER", "SETSLOT", Slot(), "MIGRATING", ids_[target_]});
  ASSERT_EQ(
      Admin(source_, {"MIGRATE", "127.0.0.1", std::to_string(target_), kKey, "0", "5000"}).text,
      "OK");
  ASSERT_EQ(Admin(source_, {"EXISTS", kKey}).integer, 0);

  // ASK: the source redirects, the client asks the target once, and does not remember it.
  for (int i = 0; i < 2; ++i) {
    const auto asking = Touches(target_, "asking");
    const auto at_source = Touches(source_, "get");
    const auto reply = Through(*client, {"GET", kKey});
    EXPECT_FALSE(reply.IsError()) << reply.text;
    EXPECT_EQ(reply.text, "before") << "GET " << i;
    EXPECT_EQ(Touches(target_, "asking"), asking + 1) << "GET " << i;
    EXPECT_EQ(Touches(source_, "get"), at_source + 1) << "the slot's owner is asked first";
  }
  // A key the source does not have is created where the slot is going.
  EXPECT_EQ(Through(*client, {"SET", kNewKey, "new"}).text, "OK");
  EXPECT_EQ(Admin(source_, {"EXISTS", kNewKey}).integer, 0);
  auto on_target = pool_.Run(
      admin_.at(target_)->Pipeline({redis::RedisArgs{"ASKING"}, redis::RedisArgs{"GET", kNewKey}}));
  ASSERT_TRUE(on_target.ok());
  EXPECT_EQ(on_target->back().text, "new");

  // Migration finished: every master now says the target owns the slot.
  AssignSlot(target_);
  for (const auto& [port, id] : ids_) ASSERT_EQ(Owner(port), target_) << "as seen by " << port;

  // MOVED: the client's map still says source; it follows the redirect and updates the map.
  const auto redirected_before = Touches(source_, "get");
  const auto moved = Through(*client, {"GET", kKey});
  EXPECT_FALSE(moved.IsError()) << moved.text;
  EXPECT_EQ(moved.text, "before");
  EXPECT_EQ(Touches(source_, "get"), redirected_before + 1);
  const auto served_before = Touches(target_, "get");
  EXPECT_EQ(Through(*client, {"GET", kNewKey}).text, "new");
  EXPECT_EQ(Touches(source_, "get"), redirected_before + 1) << "the map was not updated";
  EXPECT_EQ(Touches(target_, "get"), served_before + 1);
  EXPECT_EQ(Through(*client, {"SET", kKey, "after"}).text, "OK");
  EXPECT_EQ(Admin(target_, {"GET", kKey}).text, "after");
}

}  // namespace
}  // namespace vitrina::cache::testing
