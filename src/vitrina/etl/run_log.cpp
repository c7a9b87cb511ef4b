#include "vitrina/etl/run_log.hpp"

#include "vitrina/etl/core/copy_text.hpp"
#include "vitrina/etl/core/etl_rejects.hpp"

namespace vitrina::etl {

namespace {

constexpr const char* kSchemaPresent = "SELECT to_regclass('etl_runs') IS NOT NULL";
constexpr const char* kInsertRun =
    "INSERT INTO etl_runs (dataset, target_table, source) VALUES ($1, $2, $3) RETURNING id";
constexpr const char* kCopyRejects =
    "COPY etl_rejects (run_id, line_number, raw_record, reason) FROM STDIN";
constexpr const char* kFinishRun =
    "UPDATE etl_runs SET finished_at = now(), size_bytes = $2, checksum = $3, rows_read = $4,"
    " rows_loaded = $5, rows_rejected = $6, status = $7, error = $8 WHERE id = $1";
constexpr const char* kLastSuccess =
    "SELECT id, checksum FROM etl_runs WHERE dataset = $1 AND target_table = $2"
    " AND status = 'succeeded' ORDER BY id DESC LIMIT 1";

constexpr std::size_t kRejectFlushBytes = std::size_t{64} * 1024;

base::Error WithContext(base::Error error, const std::string& what) {
  error.message = what + ": " + (error.detail.empty() ? error.message : error.detail);
  return error;
}

}  // namespace

base::Result<std::optional<LastSuccess>> FindLastSuccess(db::Connection& connection,
                                                         const std::string& dataset,
                                                         const std::string& table) {
  auto result = connection.Execute(kLastSuccess, {dataset, table});
  if (!result) return WithContext(result.error(), "cannot read etl_runs");
  if (result->rows.empty()) return std::optional<LastSuccess>();
  const auto& row = result->rows.front();
  return std::optional<LastSuccess>(
      LastSuccess{std::stoll(row[0].value_or("0")), row[1].value_or("")});
}

base::Result<RunLog> RunLog::Start(db::Connection connection, const std::string& dataset,
                                   const std::string& table, const std::string& source) {
  auto present = connection.Execute(kSchemaPresent);
  if (!present) return WithContext(present.error(), "cannot read the database schema");
  if (present->Scalar() != "t") {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           "the database has no etl_runs table: run `vitrina migrate` first");
  }
  auto inserted = connection.Execute(kInsertRun, {dataset, table, source});
  if (!inserted) return WithContext(inserted.error(), "cannot record the run in etl_runs");
  RunLog log(std::move(connection), std::stoll(inserted->Scalar().value_or("0")));
  log.run_id_text_ = std::to_string(log.run_id_);
  if (auto status = log.connection_.CopyBegin(kCopyRejects); !status) {
    return WithContext(status.error(), "cannot open the etl_rejects COPY");
  }
  log.copy_open_ = true;
  return log;
}

base::Status RunLog::AddReject(std::int64_t line, std::string_view raw, std::string_view reason) {
  buffer_ += run_id_text_;
  buffer_ += '\t';
  buffer_ += std::to_string(line);
  buffer_ += '\t';
  core::AppendCopyText(buffer_, core::StorableRawRecord(raw));
  buffer_ += '\t';
  core::AppendCopyText(buffer_, core::StorableRawRecord(reason));
  buffer_ += '\n';
  if (buffer_.size() >= kRejectFlushBytes) return FlushRejects();
  return base::OkStatus();
}

base::Status RunLog::FlushRejects() {
  if (buffer_.empty() || !copy_open_) return base::OkStatus();
  auto status = connection_.CopyPut(buffer_);
  buffer_.clear();
  if (!status) return WithContext(status.error(), "cannot store rejects in etl_rejects");
  return base::OkStatus();
}

base::Status RunLog::EndRejects() {
  if (!copy_open_) return base::OkStatus();
  auto flushed = FlushRejects();
  copy_open_ = false;
  auto ended = connection_.CopyEnd();
  if (!flushed) return flushed;
  if (!ended) return WithContext(ended.error(), "cannot store rejects in etl_rejects");
  return base::OkStatus();
}

base::Status RunLog::Finish(const RunTotals& totals, const std::string& error) {
  auto rejects = EndRejects();
  std::string final_error = error;
  if (!rejects && final_error.empty()) final_error = rejects.error().message;
  const db::Params params = {
      run_id_text_,
      totals.size_bytes ? db::Param(std::to_string(*totals.size_bytes)) : std::nullopt,
      totals.checksum.empty() ? std::nullopt : db::Param(totals.checksum),
      std::to_string(totals.rows_read),
      std::to_string(totals.rows_loaded),
      std::to_string(totals.rows_rejected),
      std::string(final_error.empty() ? "succeeded" : "failed"),
      final_error.empty() ? std::nullopt : db::Param(final_error)};
  auto updated = connection_.Execute(kFinishRun, params);
  if (!updated) return WithContext(updated.error(), "cannot record the run's outcome in etl_runs");
  return rejects;
}

}  // namespace vitrina::etl
