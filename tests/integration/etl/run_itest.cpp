// End-to-end ETL runs against real PostgreSQL and Azurite, through the built binary.

#include <atomic>
#include <cstdio>
#include <set>
#include <thread>

#include "etl/etl_itest_support.hpp"

namespace vitrina::etl_itest {
namespace {

class EtlRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (Env("DATABASE_URL") && Env("AZURE_STORAGE_CONNECTION_STRING")) {
      sandbox_ = std::make_unique<EtlSandbox>("etl_run");
      spec_ = sandbox_->SpecWithTable("datasets/diamonds.yaml", "diamonds_run");
      const auto uploaded = sandbox_->Vitrina("etl upload " + DiamondsCsv(*sandbox_) + " " +
                                              sandbox_->Blob("diamonds.csv"));
      ASSERT_EQ(uploaded.exit_code, 0) << uploaded.output;
    }
  }
  static void TearDownTestSuite() { sandbox_.reset(); }
  void SetUp() override { VITRINA_REQUIRE_ETL_SERVICES(); }

  static CommandResult LoadDiamonds(const std::string& extra = "") {
    return sandbox_->Vitrina("etl run --spec " + spec_ + " " + extra + " " +
                             sandbox_->Blob("diamonds.csv"));
  }

  static inline std::unique_ptr<EtlSandbox> sandbox_;
  static inline std::string spec_;
};

TEST_F(EtlRun, LoadsDiamondsFromBlobStorageAndRecordsTheZeroDimensionRowsAsRejects) {
  const auto run = LoadDiamonds();
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("53940 rows read, 53920 loaded, 20 rejected"), std::string::npos)
      << run.output;
  // Where the time went: the COPY and the index builds take measurable time.
  double copy_s = 0;
  double index_s = 0;
  double swap_s = 0;
  const auto time_line = run.output.find("\ntime: ");
  ASSERT_NE(time_line, std::string::npos) << run.output;
  ASSERT_EQ(std::sscanf(run.output.c_str() + time_line,
                        "\ntime: %lf s extract, validate and COPY; %lf s indexes; %lf s swap and "
                        "commit",
                        &copy_s, &index_s, &swap_s),
            3)
      << run.output;
  EXPECT_GT(copy_s, 0);
  EXPECT_GT(index_s, 0);
  EXPECT_GE(swap_s, 0);  // two decimals: a fast commit prints 0.00
  EXPECT_EQ(
      sandbox_->Query("SELECT count(*) || ',' || min(id) || ',' || max(id) FROM diamonds_run"),
      "53920,1,53920");
  const std::string run_id = sandbox_->Query("SELECT max(id) FROM etl_runs");
  EXPECT_EQ(sandbox_->Query("SELECT status || ',' || rows_read || ',' || rows_loaded || ',' || "
                            "rows_rejected || ',' || size_bytes || ',' || source FROM etl_runs "
                            "WHERE id = " +
                            run_id),
            "succeeded,53940,53920,20,3192560," + sandbox_->Blob("diamonds.csv"));
  EXPECT_EQ(sandbox_->Query("SELECT count(*) FROM etl_rejects WHERE run_id = " + run_id +
                            " AND reason ~ '^column ''[xyz]'': must be greater than 0$'"),
            "20");
  // The reject keeps the physical line (the header is line 1) and the raw record.
  EXPECT_EQ(
      sandbox_->Query("SELECT line_number || ' ' || raw_record FROM etl_rejects WHERE run_id = " +
                      run_id + " ORDER BY line_number LIMIT 1"),
      "2209 \"2208\",1,\"Premium\",\"G\",\"SI2\",59.1,59,3142,6.55,6.48,0");
  // The live table keeps its key, category indexes and identity; the sequence continues.
  EXPECT_EQ(
      sandbox_->Query("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes "
                      "WHERE tablename = 'diamonds_run'"),
      "diamonds_run_clarity_idx,diamonds_run_color_idx,diamonds_run_cut_idx,diamonds_run_pkey");
  EXPECT_EQ(sandbox_->Query("SELECT count(*) FROM pg_class WHERE relname LIKE 'etl_staging_%'"),
            "0");
  EXPECT_EQ(sandbox_->Query("SELECT nextval(pg_get_serial_sequence('diamonds_run', 'id'))"),
            "53921");
  EXPECT_EQ(sandbox_->Query("SELECT count(*) FROM diamonds_run WHERE cut = 'Very Good'"), "12081");
}

TEST_F(EtlRun, LoadingTwiceGivesTheSameCatalog) {
  ASSERT_EQ(LoadDiamonds().exit_code, 0);
  const auto first = sandbox_->TableFingerprint("diamonds_run");
  const auto again = LoadDiamonds();
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(sandbox_->TableFingerprint("diamonds_run"), first);
}

TEST_F(EtlRun, IfChangedSkipsAnUnchangedSourceAndRecordsNothing) {
  ASSERT_EQ(LoadDiamonds().exit_code, 0);
  const auto runs = sandbox_->Query("SELECT count(*) FROM etl_runs");
  const auto skipped = LoadDiamonds("--if-changed");
  ASSERT_EQ(skipped.exit_code, 0) << skipped.output;
  EXPECT_NE(skipped.output.find("unchanged, keeping the loaded catalog"), std::string::npos)
      << skipped.output;
  EXPECT_EQ(sandbox_->Query("SELECT count(*) FROM etl_runs"), runs);
  EXPECT_EQ(sandbox_->Query("SELECT count(*) FROM diamonds_run"), "53920");
}

TEST_F(EtlRun, IfChangedLoadsWhenTheLiveTableIsEmpty) {
  ASSERT_EQ(LoadDiamonds().exit_code, 0);
  auto connection = sandbox_->Connect();
  ASSERT_TRUE(connection.ExecuteScript("TRUNCATE diamonds_run").ok());
  const auto run = LoadDiamonds("--if-changed");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output.find("unchanged"), std::string::npos);
  EXPECT_EQ(sandbox_->Query("SELECT count(*) FROM diamonds_run"), "53920");
}

TEST_F(EtlRun, TheSecondDatasetLoadsFromAGzipFileWithItsBadRecordsRejected) {
  const auto spec = sandbox_->SpecWithTable("tests/data/books.yaml", "books_run");
  const auto run = sandbox_->Vitrina("etl run --spec " + spec + " --max-reject-ratio 0.6 " +
                                     EtlSandbox::Source("tests/data/books.csv.gz"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("11 rows read, 5 loaded, 6 rejected"), std::string::npos) << run.output;
  EXPECT_EQ(sandbox_->Query("SELECT string_agg(id || '=' || title || '/' || edition || '/' || "
                            "in_print || '/' || coalesce(rating::text, 'null'), ' | ' ORDER BY id) "
                            "FROM books_run"),
            "1=Plain Title/1/true/4.5 | 2=Cats, Dogs\nand Birds/2/false/3.9 | "
            "3=The \"Quoted\" Book/1/true/null | 4=Caf\xC3\xA9 Cr\xC3\xA8me/3/false/5 | "
            "5=After The Stray Quote/2/false/2.5");
  const std::string run_id = sandbox_->Query("SELECT max(id) FROM etl_runs");
  EXPECT_EQ(sandbox_->Query("SELECT string_agg(line_number || ': ' || reason, ' | ' ORDER BY "
                            "line_number) FROM etl_rejects WHERE run_id = " +
                            run_id),
            "6: column 'pages': must be at least 1 | 7: expected 6 fields, found 7 | "
            "8: column 'title': is not valid UTF-8 | 9: column 'in_print': must be true or false | "
            "11: column 'rating': must be at most 5 | 13: unterminated quoted field");
  EXPECT_EQ(sandbox_->Query(
                "SELECT raw_record FROM etl_rejects WHERE line_number = 8 AND run_id = " + run_id),
            "Bad \\xff Bytes,978-0000000005,10,1.0,1,true");
  EXPECT_EQ(sandbox_->Query("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes "
                            "WHERE tablename = 'books_run'"),
            "books_run_edition_idx,books_run_pkey");
}

// Readers that query while loads swap the table must see the old or the new catalog in full.
TEST_F(EtlRun, ReadersDuringASwapSeeTheOldOrTheNewCountOnly) {
  const auto full = DiamondsCsv(*sandbox_);
  const auto half = (sandbox_->scratch() / "half.csv").string();
  RunCommand("head -n 25001 " + full + " > " + half);
  ASSERT_EQ(sandbox_->Vitrina("etl run --spec " + spec_ + " " + full).exit_code, 0);
  // 25,000 records of which 11 have a zero dimension.
  std::atomic<bool> loading{true};
  std::set<std::string> seen;
  std::string reader_error;
  std::thread reader([&] {
    auto connection = sandbox_->Connect();
    while (loading) {
      auto count = connection.Execute("SELECT count(*) FROM diamonds_run");
      if (!count) {
        reader_error = count.error().detail;
        return;
      }
      seen.insert(count->Scalar().value_or("?"));
    }
  });
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sandbox_->Vitrina("etl run --spec " + spec_ + " " + half).exit_code, 0);
    EXPECT_EQ(sandbox_->Vitrina("etl run --spec " + spec_ + " " + full).exit_code, 0);
  }
  loading = false;
  reader.join();
  EXPECT_EQ(reader_error, "");
  for (const auto& count : seen) EXPECT_TRUE(count == "53920" || count == "24989") << count;
  EXPECT_EQ(seen.size(), 2U) << "the reader should have seen both catalogs";
}

}  // namespace
}  // namespace vitrina::etl_itest
