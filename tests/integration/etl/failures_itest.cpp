// Every way a run can fail: a clear one-line message, a non-zero exit, and the live catalog
// exactly as it was.

#include <chrono>
#include <fcntl.h>
#include <future>
#include <sys/stat.h>
#include <thread>

#include "etl/etl_itest_support.hpp"

namespace vitrina::etl_itest {
namespace {

class EtlFailure : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (Env("DATABASE_URL") && Env("AZURE_STORAGE_CONNECTION_STRING")) {
      sandbox_ = std::make_unique<EtlSandbox>("etl_fail");
      spec_ = sandbox_->SpecWithTable("datasets/diamonds.yaml", "diamonds_fail");
      const auto uploaded = sandbox_->Vitrina("etl upload " + DiamondsCsv(*sandbox_) + " " +
                                              sandbox_->Blob("diamonds.csv"));
      ASSERT_EQ(uploaded.exit_code, 0) << uploaded.output;
      const auto loaded =
          sandbox_->Vitrina("etl run --spec " + spec_ + " " + sandbox_->Blob("diamonds.csv"));
      ASSERT_EQ(loaded.exit_code, 0) << loaded.output;
      before_ = sandbox_->TableFingerprint("diamonds_fail");
    }
  }
  static void TearDownTestSuite() { sandbox_.reset(); }
  void SetUp() override { VITRINA_REQUIRE_ETL_SERVICES(); }

  // Runs, then checks the exit code, the message and that the live table did not change.
  static void ExpectFailure(const CommandResult& run, int exit_code, const std::string& message) {
    EXPECT_EQ(run.exit_code, exit_code) << run.output;
    EXPECT_NE(run.output.find(message), std::string::npos) << run.output;
    EXPECT_EQ(sandbox_->TableFingerprint("diamonds_fail"), before_);
  }
  static CommandResult Run(const std::string& source, const std::string& extra = "",
                           const std::string& env = "") {
    return sandbox_->Vitrina("etl run --spec " + spec_ + " " + extra + " " + source, env);
  }
  static std::string LastRunField(const std::string& expression) {
    return sandbox_->Query("SELECT " + expression + " FROM etl_runs ORDER BY id DESC LIMIT 1");
  }

  static inline std::unique_ptr<EtlSandbox> sandbox_;
  static inline std::string spec_;
  static inline std::string before_;
};

TEST_F(EtlFailure, ABadSpecIsRefusedBeforeAnythingRuns) {
  const auto bad = sandbox_->WriteFile("bad.yaml", "name: x\ncolumns:\n  - source: a\n");
  ExpectFailure(sandbox_->Vitrina("etl run --spec " + bad + " " + DiamondsCsv(*sandbox_)), 2,
                "column 'a' has no 'type'");
  ExpectFailure(sandbox_->Vitrina("etl run --spec /nonexistent.yaml x.csv"), 2,
                "cannot read dataset spec '/nonexistent.yaml'");
}

TEST_F(EtlFailure, AMissingFileFailsTheRunAndIsRecorded) {
  ExpectFailure(Run("/nonexistent/data.csv"), 2,
                "cannot open source file '/nonexistent/data.csv': No such file or directory");
  EXPECT_EQ(LastRunField("status"), "failed");
  EXPECT_NE(LastRunField("error").find("No such file"), std::string::npos);
}

TEST_F(EtlFailure, AMissingBlobIsNotFound) {
  ExpectFailure(Run(sandbox_->Blob("nope.csv")), 2, "does not exist (HTTP 404 BlobNotFound)");
}

TEST_F(EtlFailure, WrongStorageCredentialsAreNamedAsSuch) {
  std::string wrong = sandbox_->azure();
  const auto key = wrong.find("AccountKey=") + 11;
  wrong.replace(key, 4, "AAAA");
  ExpectFailure(Run(sandbox_->Blob("diamonds.csv"), "",
                    "AZURE_STORAGE_CONNECTION_STRING=" + ShellQuote(wrong)),
                1, "Azure Blob Storage refused the credentials (HTTP 403");
}

TEST_F(EtlFailure, AHeaderThatDoesNotMatchTheSpecNamesTheColumns) {
  const auto file = sandbox_->WriteFile("header.csv",
                                        "\"\",carat,cut,colour,clarity,depth,table,"
                                        "price,x,y,z,extra\n\"1\",1,Good,E,SI1,60,"
                                        "55,300,1,1,1,2\n");
  ExpectFailure(Run(file), 2,
                "the CSV header does not match the spec 'diamonds': missing column(s) 'color'; "
                "unexpected column(s) 'colour', 'extra'");
}

TEST_F(EtlFailure, AnEmptyFileIsRefused) {
  ExpectFailure(Run(sandbox_->WriteFile("empty.csv", "")), 2, "the source is empty");
  ExpectFailure(Run(sandbox_->WriteFile("header-only.csv",
                                        "\"\",carat,cut,color,clarity,depth,table,price,x,y,z\n")),
                2, "the source has a header but no records");
}

TEST_F(EtlFailure, TooManyRejectsKeepTheCatalogButRecordTheRejects) {
  ExpectFailure(Run(sandbox_->Blob("diamonds.csv"), "--max-reject-ratio 0.0001"), 2,
                "20 of 53940 records were rejected (0.04%), more than --max-reject-ratio 0.0001");
  EXPECT_EQ(
      LastRunField("status || ',' || rows_read || ',' || rows_loaded || ',' || rows_rejected"),
      "failed,53940,53920,20");
  EXPECT_EQ(sandbox_->Query("SELECT count(*) FROM etl_rejects WHERE run_id = (SELECT max(id) FROM "
                            "etl_runs)"),
            "20");
}

TEST_F(EtlFailure, ACorruptGzipIsRefused) {
  ExpectFailure(Run(sandbox_->WriteFile("bad.csv.gz", std::string("\x1f\x8b\x08\x00garbage", 11))),
                2, "cannot be decompressed");
}

TEST_F(EtlFailure, AnUnreachableDatabaseIsReportedAsUnavailable) {
  ExpectFailure(
      Run(DiamondsCsv(*sandbox_), "", "DATABASE_URL=postgresql://postgres@127.0.0.1:1/vitrina"), 3,
      "cannot connect to PostgreSQL at postgresql://postgres@127.0.0.1:1/vitrina");
}

// The load's backend is terminated while COPY is streaming (as a restart would): the run fails
// with a clear message, is marked failed through the other connection, and nothing changes.
TEST_F(EtlFailure, ALostDatabaseConnectionMidLoadFailsTheRunCleanly) {
  const auto fifo = (sandbox_->scratch() / "slow.csv").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Once the run fails it stops reading: our writes must then fail with EPIPE, not kill us.
  ::signal(SIGPIPE, SIG_IGN);
  auto running = std::async(std::launch::async, [&] { return Run(fifo); });
  const int writer = ::open(fifo.c_str(), O_WRONLY);
  ASSERT_GE(writer, 0);
  const auto write_all = [&](const std::string& text) {
    return ::write(writer, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  };
  ASSERT_TRUE(write_all("\"\",carat,cut,color,clarity,depth,table,price,x,y,z\n"));
  const std::string row = "\"1\",0.23,\"Ideal\",\"E\",\"SI2\",61.5,55,326,3.95,3.98,2.43\n";
  std::string block;
  for (int i = 0; i < 10000; ++i) block += row;
  ASSERT_TRUE(write_all(block));
  // Wait until the COPY is running, then end that backend.
  std::string terminated = "0";
  for (int attempt = 0; attempt < 100 && terminated != "1"; ++attempt) {
    terminated = sandbox_->Query(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = "
        "'vitrina-etl-load' AND query LIKE 'COPY%' AND datname = current_database()");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(terminated, "1");
  for (int i = 0; i < 20 && write_all(block); ++i) {
  }
  ::close(writer);
  const auto run = running.get();
  ExpectFailure(run, 3, "lost the PostgreSQL connection while");
  EXPECT_EQ(LastRunField("status"), "failed");
  EXPECT_NE(LastRunField("error").find("lost the PostgreSQL connection"), std::string::npos);
  EXPECT_EQ(LastRunField("rows_read = rows_loaded + rows_rejected"), "t");
}

}  // namespace
}  // namespace vitrina::etl_itest
