// Two deployments on two specs (diamonds and books, two tables of one database) sharing one
// Redis, each under its own CACHE_KEY_PREFIX: neither reads, registers nor drops the other's
// keys, and an ETL run or a write of one dataset leaves the other's cached answers in place
// (docs/cache.md, "Sharing a Redis").
#include <chrono>
#include <sstream>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/own_redis.hpp"
#include "support/test_env.hpp"

namespace vitrina::itest {
namespace {

using namespace std::chrono_literals;

constexpr const char* kDatabase = "vitrina_api_itest_shared_redis";
constexpr const char* kToken = "itest-shared-redis-admin";
const HeaderList kAdmin = {{"Authorization", std::string("Bearer ") + kToken},
                           {"Content-Type", "application/json"}};

constexpr const char* kBooks =
    "The Odyssey\tpoetry\t1614\t4.1\tt\n"
    "Middlemarch\tfiction\t1871\t3.9\tf\n"
    "Beloved\tfiction\t1987\t3.9\tt\n";

class SharedRedis : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!AdminDatabaseUrl()) return;
    redis_ = new OwnRedis();
    if (!redis_->Start()) return;
    database_url_ = LoadDiamondsDatabase(kDatabase, MakeDiamonds(30));
    Migrate(database_url_, BooksSpec());
    CopyRows(database_url_, "books", "title, genre, year, rating, in_print", kBooks);
    diamonds_ = new ServerProcess(Env(SourcePath("datasets/diamonds.yaml"), "prod:"), FreePort());
    books_ = new ServerProcess(Env(BooksSpec(), "books:"), FreePort());
  }
  static void TearDownTestSuite() {
    delete diamonds_;
    diamonds_ = nullptr;
    delete books_;
    books_ = nullptr;
    delete redis_;
    redis_ = nullptr;
  }
  void SetUp() override {
    VITRINA_REQUIRE_ENV(database_url, "DATABASE_URL");
    ASSERT_NE(diamonds_, nullptr) << "the suite's Redis or servers did not start";
    redis_->FlushAll();
  }

  static std::string BooksSpec() { return SourcePath("tests/data/api/books.yaml"); }
  static std::map<std::string, std::string> Env(const std::string& spec,
                                                const std::string& prefix) {
    auto env = ServerEnv(database_url_, spec);
    env["DEV_ADMIN_TOKEN"] = kToken;
    env["REDIS_URL"] = redis_->Url();
    env["REDIS_CLUSTER_NODES"] = "";
    env["CACHE_REDIS_TIMEOUT_MS"] = "1000";  // a loaded test machine must not open the breaker
    env["CACHE_KEY_PREFIX"] = prefix;
    return env;
  }
  static HttpReply Get(const ServerProcess& server, const std::string& target) {
    auto reply = Fetch(server.port(), "GET", target);
    EXPECT_EQ(reply.status, 200u) << target << ": " << reply.body;
    return reply;
  }
  static bool Exists(const std::string& key) { return redis_->Exists(key) == "1"; }

  static inline OwnRedis* redis_ = nullptr;
  static inline std::string database_url_;
  static inline ServerProcess* diamonds_ = nullptr;
  static inline ServerProcess* books_ = nullptr;
};

TEST_F(SharedRedis, EachDeploymentCachesUnderItsOwnPrefixOnly) {
  const auto diamonds = Get(*diamonds_, "/catalog");
  EXPECT_EQ(diamonds.Header("x-cache"), "MISS");
  EXPECT_EQ(diamonds.Header("x-cache-key"), "prod:catalog:all");
  // The same query on the other dataset is its own miss, not the first one's answer.
  const auto books = Get(*books_, "/catalog");
  EXPECT_EQ(books.Header("x-cache"), "MISS");
  EXPECT_EQ(books.Header("x-cache-key"), "books:catalog:all");
  EXPECT_EQ(books.Json().at("count").as_int64(), 3);
  EXPECT_EQ(diamonds.Json().at("count").as_int64(), 30);

  EXPECT_EQ(Get(*diamonds_, "/catalog").Header("x-cache"), "HIT");
  EXPECT_EQ(Get(*books_, "/catalog").Header("x-cache"), "HIT");
  Get(*diamonds_, "/catalog?cut=Fair&price_min=500");
  Get(*books_, "/catalog?genre=fiction");

  // Every key in Redis (answers, registry indexes and manifests) is under a prefix; a version key
  // is "{K}:v" with K the prefixed key, so that it hashes to K's Cluster slot.
  std::istringstream keys(redis_->Cli("--scan"));
  int count = 0;
  for (std::string key; std::getline(keys, key);) {
    if (key.empty()) continue;
    ++count;
    const std::string owner = key.front() == '{' ? key.substr(1) : key;
    EXPECT_TRUE(owner.rfind("prod:", 0) == 0 || owner.rfind("books:", 0) == 0) << key;
  }
  EXPECT_GE(count, 4);
  EXPECT_FALSE(Exists("catalog:all"));
}

TEST_F(SharedRedis, AnEtlRunOfOneDatasetKeepsTheOthersAnswers) {
  Get(*diamonds_, "/catalog?cut=Ideal");
  Get(*books_, "/catalog?genre=poetry");
  ASSERT_TRUE(Exists("prod:catalog:cut=Ideal"));
  ASSERT_TRUE(Exists("books:catalog:genre=poetry"));

  // A real ETL run of the books dataset into the same database: its NOTIFY names its table.
  const auto run =
      RunVitrina({"etl", "run", "--spec", BooksSpec(), SourcePath("tests/data/api/books.csv")},
                 {{"DATABASE_URL", database_url_}, {"LOG_LEVEL", "info"}}, 60'000);
  ASSERT_EQ(run.exit_code, 0) << run.output;

  // The books server flushes its answers; the diamonds server keeps its own.
  ASSERT_TRUE(WaitUntil([] { return !Exists("books:catalog:genre=poetry"); }, 10s))
      << books_->Log();
  const auto books = Get(*books_, "/catalog?genre=poetry");
  EXPECT_EQ(books.Header("x-cache"), "MISS");
  EXPECT_EQ(Get(*books_, "/catalog").Json().at("count").as_int64(), 10);  // the loaded file
  EXPECT_TRUE(Exists("prod:catalog:cut=Ideal"));
  EXPECT_EQ(Get(*diamonds_, "/catalog?cut=Ideal").Header("x-cache"), "HIT");
}

TEST_F(SharedRedis, AWriteInvalidatesOnlyItsOwnDeploymentsAnswers) {
  Get(*diamonds_, "/catalog");
  Get(*books_, "/catalog");
  Get(*books_, "/catalog?genre=history");
  const auto created =
      Fetch(books_->port(), "POST", "/catalog",
            R"({"title":"Dune","genre":"fiction","year":1965,"rating":4.3})", kAdmin);
  ASSERT_EQ(created.status, 201u) << created.body;
  // The new book changes books' unfiltered page, not its history page nor any diamond answer.
  EXPECT_EQ(Get(*books_, "/catalog").Header("x-cache"), "MISS");
  EXPECT_EQ(Get(*books_, "/catalog?genre=history").Header("x-cache"), "HIT");
  EXPECT_EQ(Get(*diamonds_, "/catalog").Header("x-cache"), "HIT");
}

TEST_F(SharedRedis, ABadPrefixIsRefusedAtStart) {
  auto env = Env(BooksSpec(), "{books}:");
  env["PORT"] = std::to_string(FreePort());
  const auto result = RunVitrina({"serve"}, env, 20'000);
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("CACHE_KEY_PREFIX"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace vitrina::itest
