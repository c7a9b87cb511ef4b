// The SQL generated for Azure Data Factory must decide exactly what the C++ ETL decides: the same
// rows accepted, the same rows refused, with the same words. This runs both on the same inputs.
#include <gtest/gtest.h>

#include "support/database.hpp"
#include "support/test_env.hpp"
#include "vitrina/catalog/core/field_value.hpp"
#include "vitrina/catalog/spec_file.hpp"
#include "vitrina/db/connection.hpp"
#include "vitrina/etl/core/adf_pipeline.hpp"
#include "vitrina/etl/core/spec_sql.hpp"

namespace vitrina {
namespace {

class AdfSql : public ::testing::Test {
 protected:
  void SetUp() override {
    VITRINA_REQUIRE_ENV(admin_url, "DATABASE_URL");
    auto url = testing::FreshDatabase(admin_url, "vitrina_test_adf");
    ASSERT_TRUE(url.ok()) << url.error().message << " " << url.error().detail;
    auto connection = db::Connection::Open(*url);
    ASSERT_TRUE(connection.ok()) << connection.error().message;
    connection_.emplace(std::move(*connection));
  }

  // The reason PostgreSQL gives for one text value, or "" when it accepts it.
  std::string SqlReason(const catalog::core::ColumnSpec& column,
                        const std::optional<std::string>& text) {
    auto result =
        connection_->Execute("SELECT " + etl::core::RejectReasonSql(column, "$1::text"), {text});
    EXPECT_TRUE(result.ok()) << result.error().detail;
    if (!result.ok()) return "<error>";
    return result->Scalar().value_or("");
  }

  static std::string CppReason(const catalog::core::ColumnSpec& column, const std::string& text) {
    const auto result = catalog::core::ParseTextField(column, text);
    if (const auto* reason = std::get_if<std::string>(&result)) {
      return "column '" + column.name + "': " + *reason;
    }
    return "";
  }

  std::optional<db::Connection> connection_;
};

TEST_F(AdfSql, ValidationMatchesTheCppRulesValueForValue) {
  catalog::core::ColumnSpec number;
  number.name = "x";
  number.type = catalog::core::ColumnType::kNumber;
  number.exclusive_minimum = 0;
  number.maximum = 100;
  catalog::core::ColumnSpec integer;
  integer.name = "price";
  integer.type = catalog::core::ColumnType::kInteger;
  integer.minimum = 0;
  catalog::core::ColumnSpec text;
  text.name = "cut";
  text.max_length = 9;
  text.allowed = {"Fair", "Very Good"};
  catalog::core::ColumnSpec flag;
  flag.name = "in_stock";
  flag.type = catalog::core::ColumnType::kBoolean;
  flag.required = false;

  const std::vector<std::string> inputs = {
      "",    " ",     "0",     "0.0",    "-1",        "1",       " 3.95 ",
      "+2",  "100",   "100.5", "1e2",    "1e999",     "1e99999", ".5",
      "5.",  "abc",   "1,5",   "0x10",   "nan",       "inf",     "99999999999999999999",
      "326", "326.5", "Fair",  " Fair ", "Very Good", "Ideal",   "true",
      "F",   "yes",   "maybe"};
  for (const auto* column : {&number, &integer, &text, &flag}) {
    for (const auto& input : inputs) {
      EXPECT_EQ(SqlReason(*column, input), CppReason(*column, input))
          << "column " << column->name << ", input '" << input << "'";
    }
  }
}

// Dates, timestamps and null markers: the same decisions and the same stored values (days since
// 1970-01-01, microseconds since the epoch) on both sides.
TEST_F(AdfSql, DatesTimestampsAndNullMarkersMatchTheCppRulesAndValues) {
  auto spec = catalog::ParseSpecYaml(R"(
name: temporal
null_values: ["", "NA", "N/A"]
columns:
  - {source: day, type: date}
  - {source: us_day, type: date, format: "%m/%d/%Y", required: false}
  - {source: at, type: timestamp, required: false}
  - {source: local_at, type: timestamp, format: "%d.%m.%y %H:%M", required: false}
  - {source: price, type: integer, required: false, null_values: ["-"]}
)",
                                     "temporal.yaml");
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  const std::vector<std::string> inputs = {"",
                                           "NA",
                                           " N/A ",
                                           "-",
                                           "null",
                                           "2024-01-31",
                                           "2024-02-29",
                                           "2023-02-29",
                                           "2024-13-01",
                                           "2024-1-31",
                                           "0000-01-01",
                                           "9999-12-31",
                                           "01/31/2024",
                                           "1/5/2024",
                                           "02/30/2024",
                                           "2024-01-31T12:00:00Z",
                                           "2024-01-31 12:00",
                                           "2024-01-31T12:00:00.123456+02:00",
                                           "2024-01-31T12:00:00.5-0530",
                                           "2024-01-31T23:59:59+14",
                                           "2024-01-31T12:00:00+15:00",
                                           "2024-01-31T24:00:00Z",
                                           "0001-01-01T00:30:00+01:00",
                                           "9999-12-31T23:30:00-01:00",
                                           "31.01.24 12:05",
                                           "31.01.99 7:05",
                                           "32.01.24 12:05",
                                           "42",
                                           "abc"};
  for (const auto& column : spec->columns) {
    for (const auto& input : inputs) {
      const auto sql = SqlReason(column, input);
      const auto cpp = CppReason(column, input);
      EXPECT_EQ(sql, cpp) << "column " << column.name << ", input '" << input << "'";
      if (!sql.empty() || !cpp.empty()) continue;
      // Accepted on both sides: the stored values agree too.
      const auto parsed = catalog::core::ParseTextField(column, input);
      const auto& value = std::get<catalog::core::FieldValue>(parsed);
      const std::string converted = etl::core::ConvertSql(column, "$1::text");
      std::string expected = "NULL";
      std::string select = "SELECT coalesce((" + converted + ")::text, 'NULL')";
      if (const auto* date = std::get_if<catalog::core::Date>(&value)) {
        expected = std::to_string(date->days);
        select = "SELECT ((" + converted + ") - date '1970-01-01')::text";
      } else if (const auto* at = std::get_if<catalog::core::Timestamp>(&value)) {
        expected = std::to_string(at->micros);
        select = "SELECT (extract(epoch FROM (" + converted + ")) * 1000000)::bigint::text";
      } else if (const auto* number = std::get_if<std::int64_t>(&value)) {
        expected = std::to_string(*number);
      }
      auto result = connection_->Execute(select, {input});
      ASSERT_TRUE(result.ok()) << result.error().detail;
      EXPECT_EQ(result->Scalar().value_or("<none>"), expected)
          << "column " << column.name << ", input '" << input << "'";
    }
  }
}

TEST_F(AdfSql, TheGeneratedScriptsLoadTheCatalogAndRecordRejects) {
  auto spec = catalog::ParseSpecYaml(R"(
name: adf_probe
table: adf_probe
columns:
  - {source: "", skip: true}
  - {source: name, type: string, category: true}
  - {source: size, type: number, exclusive_minimum: 0}
)",
                                     "adf_probe.yaml");
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  ASSERT_TRUE(connection_->ExecuteScript("DROP TABLE IF EXISTS adf_probe").ok());
  ASSERT_TRUE(connection_
                  ->ExecuteScript("CREATE TABLE adf_probe (id bigint GENERATED BY DEFAULT AS "
                                  "IDENTITY PRIMARY KEY, name text NOT NULL, size double "
                                  "precision NOT NULL)")
                  .ok());
  etl::core::AdfOptions options;
  options.max_reject_ratio = 0.5;
  ASSERT_TRUE(connection_->ExecuteScript(etl::core::AdfPrepareSql(*spec)).ok());
  // What Data Factory's Copy activity does: every mapped CSV column lands as text.
  ASSERT_TRUE(connection_
                  ->ExecuteScript("INSERT INTO adf_probe_adf_staging (name, size) VALUES "
                                  "('a', '1.5'), ('b', '0'), (' c ', '2'), ('', '3')")
                  .ok());
  auto swapped = connection_->ExecuteScript(etl::core::AdfValidateAndSwapSql(*spec, options));
  ASSERT_TRUE(swapped.ok()) << swapped.error().detail;
  auto rows = connection_->Execute("SELECT id, name, size FROM adf_probe ORDER BY id");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->rows.size(), 2U);
  EXPECT_EQ(rows->rows[0][1], "a");
  EXPECT_EQ(rows->rows[1][1], "c");
  auto run = connection_->Execute(
      "SELECT rows_read, rows_loaded, rows_rejected, status FROM etl_runs "
      "WHERE dataset = 'adf_probe' ORDER BY id DESC LIMIT 1");
  ASSERT_TRUE(run.ok());
  ASSERT_EQ(run->rows.size(), 1U);
  EXPECT_EQ(run->rows[0][0], "4");
  EXPECT_EQ(run->rows[0][1], "2");
  EXPECT_EQ(run->rows[0][2], "2");
  EXPECT_EQ(run->rows[0][3], "succeeded");
  auto rejects = connection_->Execute(
      "SELECT line_number, reason FROM etl_rejects WHERE run_id = (SELECT max(id) FROM etl_runs "
      "WHERE dataset = 'adf_probe') ORDER BY line_number");
  ASSERT_TRUE(rejects.ok());
  ASSERT_EQ(rejects->rows.size(), 2U);
  EXPECT_EQ(rejects->rows[0][0], "3");
  EXPECT_EQ(rejects->rows[0][1], "column 'size': must be greater than 0");
  EXPECT_EQ(rejects->rows[1][1], "column 'name': is required");
  (void)connection_->ExecuteScript("DROP TABLE adf_probe; DROP TABLE adf_probe_adf_staging");
}

TEST_F(AdfSql, AboveTheRejectRatioTheLiveTableIsUntouched) {
  auto spec = catalog::ParseSpecYaml(
      "name: adf_ratio\ncolumns:\n  - {source: size, type: number, exclusive_minimum: 0}\n",
      "adf_ratio.yaml");
  ASSERT_TRUE(spec.ok());
  ASSERT_TRUE(connection_
                  ->ExecuteScript("DROP TABLE IF EXISTS adf_ratio; CREATE TABLE adf_ratio (id "
                                  "bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, size "
                                  "double precision NOT NULL); INSERT INTO adf_ratio (size) "
                                  "VALUES (7)")
                  .ok());
  ASSERT_TRUE(connection_->ExecuteScript(etl::core::AdfPrepareSql(*spec)).ok());
  ASSERT_TRUE(
      connection_->ExecuteScript("INSERT INTO adf_ratio_adf_staging (size) VALUES ('0'), ('1')")
          .ok());
  auto swapped = connection_->ExecuteScript(etl::core::AdfValidateAndSwapSql(*spec, {}));
  ASSERT_FALSE(swapped.ok());
  EXPECT_NE(swapped.error().detail.find("above the maximum reject ratio"), std::string::npos)
      << swapped.error().detail;
  auto rows = connection_->Execute("SELECT size FROM adf_ratio");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->rows.size(), 1U);
  EXPECT_EQ(rows->rows[0][0], "7");
  (void)connection_->ExecuteScript("DROP TABLE adf_ratio; DROP TABLE adf_ratio_adf_staging");
}

}  // namespace
}  // namespace vitrina
