// `vitrina spec infer` end to end: the proposed spec is valid and `vitrina etl run` loads the file
// with it, with zero rejects, for the bundled datasets and for a generated file with each quirk
// of real Kaggle files (dates in several layouts, NA markers, leading zeros, headers with spaces
// and symbols, an empty first header, a reserved word).
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/test_env.hpp"
#include "vitrina/catalog/spec_file.hpp"

namespace vitrina::itest {
namespace {

class SpecInfer : public ::testing::Test {
 protected:
  void SetUp() override {
    VITRINA_REQUIRE_ENV(admin_url, "DATABASE_URL");
    admin_ = admin_url;
    dir_ =
        std::filesystem::temp_directory_path() / ("vitrina-spec-infer-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // Infers a spec for `csv` into the test's folder; returns its path.
  std::string InferSpec(const std::string& csv, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"spec", "infer", csv};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto inferred = RunVitrina(args, {{"LOG_LEVEL", "warn"}});
    EXPECT_EQ(inferred.exit_code, 0) << inferred.output;
    const auto path = (dir_ / "spec.yaml").string();
    std::ofstream(path) << inferred.output;
    return path;
  }

  // Loads `csv` with `spec` into a fresh database; the ETL's summary line.
  std::string Load(const std::string& spec, const std::string& csv) {
    RecreateDatabase(admin_, "vitrina_itest_spec_infer");
    const auto url = WithDatabase(admin_, "vitrina_itest_spec_infer");
    Migrate(url, spec);
    const auto run = RunVitrina({"etl", "run", "--spec", spec, csv},
                                {{"DATABASE_URL", url}, {"LOG_LEVEL", "warn"}}, 120'000);
    EXPECT_EQ(run.exit_code, 0) << run.output;
    return run.output;
  }

  std::string admin_;
  std::filesystem::path dir_;
};

TEST_F(SpecInfer, TheBundledDiamondsLoadWithZeroRejects) {
  const auto csv = SourcePath("datasets/diamonds.csv.gz");
  const auto spec_path = InferSpec(csv, {"--sample", "0"});  // the whole file: representative
  auto spec = catalog::LoadSpecFile(spec_path);
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->name, "diamonds");
  const auto* cut = spec->FindColumn("cut");
  ASSERT_NE(cut, nullptr);
  EXPECT_TRUE(cut->category);
  EXPECT_EQ(spec->FindColumn("price")->type, catalog::core::ColumnType::kInteger);
  EXPECT_EQ(spec->FindColumn("carat")->type, catalog::core::ColumnType::kNumber);
  EXPECT_NE(spec->FindColumn("table_value"), nullptr);  // "table" is a reserved word
  const auto summary = Load(spec_path, csv);
  EXPECT_NE(summary.find("53940 loaded, 0 rejected"), std::string::npos) << summary;
}

TEST_F(SpecInfer, TheBooksFileLoadsWithZeroRejects) {
  const auto csv = SourcePath("tests/data/api/books.csv");
  const auto spec_path = InferSpec(csv);
  const auto summary = Load(spec_path, csv);
  EXPECT_NE(summary.find("10 loaded, 0 rejected"), std::string::npos) << summary;
}

TEST_F(SpecInfer, AFileWithEveryQuirkLoadsWithZeroRejects) {
  const auto csv = (dir_ / "Housing Sales.csv").string();
  {
    std::ofstream out(csv);
    out << ",Cost Total $,Zip Code,Sold On,Listed,When (UTC),Rating,In Stock,order,Notes\n";
    for (int i = 1; i <= 60; ++i) {
      const int day = 1 + (i % 28);
      const std::string dd = (day < 10 ? "0" : "") + std::to_string(day);
      out << i << ',' << (i % 7 == 0 ? "NA" : std::to_string(100 + i) + ".5") << ','
          << (i % 2 == 0 ? "02134" : "10001") << ',' << (1 + i % 12) << '/' << day << "/2024," << dd
          << ".03.2023," << (i % 5 == 0 ? "" : "2024-01-" + dd + "T12:00:00+02:00") << ','
          << (i % 9 == 0 ? "N/A" : std::to_string(i % 5)) << ',' << (i % 2 == 0 ? "yes" : "no")
          << ',' << i << ',' << (i % 4 == 0 ? "-" : "\"note, " + std::to_string(i) + "\"") << '\n';
    }
  }
  const auto spec_path = InferSpec(csv);
  auto spec = catalog::LoadSpecFile(spec_path);
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->name, "housing_sales");
  using catalog::core::ColumnType;
  EXPECT_EQ(spec->columns.at(0).name, "column_1");
  EXPECT_EQ(spec->FindColumn("cost_total")->null_values, std::vector<std::string>{"NA"});
  EXPECT_EQ(spec->FindColumn("zip_code")->type, ColumnType::kString);
  EXPECT_TRUE(spec->FindColumn("zip_code")->category);
  EXPECT_EQ(spec->FindColumn("sold_on")->format->pattern(), "%m/%d/%Y");
  EXPECT_EQ(spec->FindColumn("listed")->format->pattern(), "%d.%m.%Y");
  EXPECT_EQ(spec->FindColumn("when_utc")->type, ColumnType::kTimestamp);
  EXPECT_FALSE(spec->FindColumn("when_utc")->required);
  EXPECT_EQ(spec->FindColumn("rating")->type, ColumnType::kInteger);
  EXPECT_EQ(spec->FindColumn("in_stock")->type, ColumnType::kBoolean);
  EXPECT_NE(spec->FindColumn("order_value"), nullptr);
  const auto summary = Load(spec_path, csv);
  EXPECT_NE(summary.find("60 loaded, 0 rejected"), std::string::npos) << summary;
}

TEST_F(SpecInfer, AMissingFileIsAClearError) {
  const auto result = RunVitrina({"spec", "infer", (dir_ / "nope.csv").string()}, {});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("nope.csv"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace vitrina::itest
