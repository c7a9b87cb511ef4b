// A Kaggle-like file end to end: `vitrina etl run` loads tests/data/api/sales.csv (US dates,
// timestamps with offsets, NA markers) with tests/data/api/sales.yaml, and `vitrina serve` answers
// with ISO 8601 values, date and timestamp range filters, null for missing values, and writes.
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/test_env.hpp"
#include "vitrina/db/connection.hpp"

namespace vitrina::itest {
namespace {

constexpr const char* kDatabase = "vitrina_api_itest_sales";
constexpr const char* kToken = "itest-sales-admin";

class Dates : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto admin = AdminDatabaseUrl();
    if (!admin) return;
    RecreateDatabase(*admin, kDatabase);
    url_ = WithDatabase(*admin, kDatabase);
    Migrate(url_, Spec());
    etl_ = new CommandResult(RunVitrina({"etl", "run", "--spec", Spec(), "--max-reject-ratio",
                                         "0.5", SourcePath("tests/data/api/sales.csv")},
                                        {{"DATABASE_URL", url_}, {"LOG_LEVEL", "info"}}, 60'000));
    auto env = ServerEnv(url_, Spec());
    env["DEV_ADMIN_TOKEN"] = kToken;
    env["REDIS_URL"] = "";  // the cache is another suite's subject; answers come from PostgreSQL
    env["REDIS_CLUSTER_NODES"] = "";
    server_ = new ServerProcess(env, FreePort());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete etl_;
    etl_ = nullptr;
  }
  void SetUp() override {
    VITRINA_REQUIRE_ENV(database_url, "DATABASE_URL");
    ASSERT_NE(etl_, nullptr);
    ASSERT_EQ(etl_->exit_code, 0) << etl_->output;
  }

  static std::string Spec() { return SourcePath("tests/data/api/sales.yaml"); }
  static boost::json::value Get(const std::string& target) {
    const auto reply = Fetch(server_->port(), "GET", target);
    EXPECT_EQ(reply.status, 200u) << target << ": " << reply.body;
    return reply.Json();
  }
  static std::string Items(const std::string& target) {
    std::string names;
    const auto page = Get(target);  // not a range-for over a temporary's member
    for (const auto& item : page.at("items").as_array()) {
      names += std::string(item.at("item").as_string()) + " ";
    }
    return names;
  }

  static inline std::string url_;
  static inline CommandResult* etl_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
};

TEST_F(Dates, TheEtlLoadsDatesOffsetsAndMissingValuesAndRejectsWithReasons) {
  const auto page = Get("/catalog?sold_on_max=2024-12-31");
  ASSERT_EQ(page.at("count").as_int64(), 4) << etl_->output;
  const auto& lamp = page.at("items").at(0).as_object();
  EXPECT_EQ(lamp.at("sold_on"), "2024-01-31");  // read as %m/%d/%Y, shown as ISO 8601
  EXPECT_EQ(lamp.at("listed_at"), "2024-01-30T10:00:00+00:00");
  const auto& chair = page.at("items").at(1).as_object();
  EXPECT_EQ(chair.at("sold_on"), "2024-02-01");
  EXPECT_EQ(chair.at("listed_at"), "2024-01-31T07:30:00+00:00");  // +02:00 applied, shown in UTC
  EXPECT_TRUE(chair.at("price").is_null());                       // the column's own marker "-"
  const auto& desk = page.at("items").at(2).as_object();
  EXPECT_TRUE(desk.at("region").is_null());                       // "NA"
  EXPECT_TRUE(desk.at("listed_at").is_null());                    // "N/A"
  EXPECT_TRUE(page.at("items").at(3).at("listed_at").is_null());  // empty

  // The two refused records, with the words the spec's rules give.
  auto connection = db::Connection::Open(url_);
  ASSERT_TRUE(connection.ok()) << connection.error().message;
  auto rejects = connection->Execute(
      "SELECT line_number, reason FROM etl_rejects WHERE run_id = (SELECT max(id) FROM etl_runs) "
      "ORDER BY line_number");
  ASSERT_TRUE(rejects.ok()) << rejects.error().detail;
  ASSERT_EQ(rejects->rows.size(), 2u);
  EXPECT_EQ(rejects->rows[0][0], "6");
  EXPECT_EQ(rejects->rows[0][1],
            "column 'sold_on': is required (found the missing-value marker 'NA')");
  EXPECT_EQ(rejects->rows[1][0], "7");
  EXPECT_EQ(rejects->rows[1][1], "column 'sold_on': must be a date in the form %m/%d/%Y");
}

TEST_F(Dates, DateAndTimestampRangesAreInclusiveAndNeverMatchNull) {
  EXPECT_EQ(Items("/catalog?sold_on_min=2024-02-01"), "Chair Desk ");
  EXPECT_EQ(Items("/catalog?sold_on_max=2024-01-31"), "Lamp Sofa ");
  EXPECT_EQ(Items("/catalog?sold_on_min=2024-01-31&sold_on_max=2024-02-01"), "Lamp Chair ");
  // A bare date bounds a timestamp at midnight UTC; items without a value never match.
  EXPECT_EQ(Items("/catalog?listed_at_min=2024-01-31"), "Chair ");
  EXPECT_EQ(Items("/catalog?listed_at_max=2024-01-31T09:30:00%2B02:00"), "Lamp Chair ");
  EXPECT_EQ(Items("/catalog?listed_at_max=2024-01-31T07:29:59Z"), "Lamp ");
  EXPECT_EQ(Items("/catalog?price_min=0"), "Lamp Desk Sofa ");
  EXPECT_EQ(Items("/catalog?region=north"), "Lamp Sofa ");
}

TEST_F(Dates, ABadDateOrTimestampBoundIs400NamingTheParameter) {
  for (const char* target :
       {"/catalog?sold_on_min=01/31/2024", "/catalog?sold_on_max=2024-02-30",
        "/catalog?listed_at_min=2024-01-31T25:00Z", "/catalog?listed_at_max=yesterday"}) {
    const auto reply = Fetch(server_->port(), "GET", target);
    ASSERT_EQ(reply.status, 400u) << target;
    const std::string message(reply.Json().at("error").at("message").as_string());
    const std::string name = std::string(target).substr(9, std::string(target).find('=') - 9);
    EXPECT_NE(message.find(name), std::string::npos) << message;
  }
}

TEST_F(Dates, WritesTakeIsoValuesAndNullForOptionalColumns) {
  const HeaderList admin = {{"Authorization", std::string("Bearer ") + kToken},
                            {"Content-Type", "application/json"}};
  const auto created = Fetch(
      server_->port(), "POST", "/catalog",
      R"({"item":"Stool","region":null,"sold_on":"2024-03-01","listed_at":"2024-03-01T12:00:00-01:00","price":null})",
      admin);
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto item = created.Json();
  EXPECT_EQ(item.at("sold_on"), "2024-03-01");
  EXPECT_EQ(item.at("listed_at"), "2024-03-01T13:00:00+00:00");
  EXPECT_TRUE(item.at("price").is_null());
  EXPECT_EQ(Items("/catalog?sold_on_min=2024-03-01"), "Stool ");

  const auto refused =
      Fetch(server_->port(), "POST", "/catalog",
            R"({"item":"Bad","sold_on":"03/01/2024","listed_at":"soon","price":1})", admin);
  ASSERT_EQ(refused.status, 400u) << refused.body;
  const auto fields = refused.Json().at("error").at("fields");
  EXPECT_EQ(fields.at("sold_on"), "must be a date in the form YYYY-MM-DD");
  EXPECT_NE(std::string(fields.at("listed_at").as_string()).find("ISO 8601"), std::string::npos);
  const auto required_null =
      Fetch(server_->port(), "POST", "/catalog", R"({"item":"X","sold_on":null})", admin);
  ASSERT_EQ(required_null.status, 400u);
  EXPECT_EQ(required_null.Json().at("error").at("fields").at("sold_on"), "is required");
}

TEST_F(Dates, OpenApiDescribesDatesAsIsoStrings) {
  const auto document = Get("/openapi.json");
  const auto& properties =
      document.at("components").at("schemas").at("Item").at("properties").as_object();
  EXPECT_EQ(properties.at("sold_on").at("type"), "string");
  EXPECT_EQ(properties.at("sold_on").at("format"), "date");
  EXPECT_EQ(properties.at("listed_at").at("format"), "date-time");
  for (const auto& parameter :
       document.at("paths").at("/catalog").at("get").at("parameters").as_array()) {
    if (parameter.at("name") == "listed_at_min") {
      EXPECT_EQ(parameter.at("schema").at("format"), "date-time");
    }
  }
}

}  // namespace
}  // namespace vitrina::itest
