#include "vitrina/etl/etl_run.hpp"

#include <chrono>

#include "vitrina/catalog/core/catalog_schema.hpp"
#include "vitrina/etl/blob_client.hpp"
#include "vitrina/etl/catalog_loader.hpp"
#include "vitrina/etl/core/azure_storage.hpp"
#include "vitrina/etl/core/csv_header.hpp"
#include "vitrina/etl/core/csv_record_parser.hpp"
#include "vitrina/etl/core/etl_rejects.hpp"
#include "vitrina/etl/core/row_transform.hpp"
#include "vitrina/etl/file_source.hpp"
#include "vitrina/etl/gzip_decoder.hpp"
#include "vitrina/etl/http_source.hpp"
#include "vitrina/etl/sha256.hpp"

namespace vitrina::etl {

namespace {

// COPY data goes to PostgreSQL in blocks of about this size: large enough that the per-call cost
// vanishes, small enough to keep memory flat.
constexpr std::size_t kCopyFlushBytes = std::size_t{256} * 1024;

constexpr const char* kTableExists = "SELECT to_regclass($1) IS NOT NULL";

// Validates and transforms records, and routes each to the staging COPY or to the rejects.
class RowPipeline : public core::CsvRecordSink {
 public:
  RowPipeline(const catalog::core::DatasetSpec& spec, CatalogLoader& loader, RunLog& log)
      : spec_(spec), loader_(loader), log_(log) {
    buffer_.reserve(kCopyFlushBytes + std::size_t{64} * 1024);
  }

  void OnRecord(const core::CsvRecord& record) override {
    if (!status_) return;
    if (!transformer_) {
      ReadHeader(record);
      return;
    }
    ++rows_read_;
    if (!record.error.empty()) {
      Reject(record, record.error);
      return;
    }
    if (auto refusal = transformer_->AppendCopyRow(record.fields, rows_loaded_ + 1, buffer_)) {
      Reject(record, *refusal);
      return;
    }
    ++rows_loaded_;
    if (buffer_.size() >= kCopyFlushBytes) (void)Flush();  // a failure lands in status_
  }

  base::Status Flush() {
    if (!status_ || buffer_.empty()) return status_;
    status_ = loader_.Put(buffer_);
    buffer_.clear();
    return status_;
  }

  const base::Status& status() const { return status_; }
  bool saw_header() const { return transformer_.has_value(); }
  std::int64_t rows_read() const { return rows_read_; }
  std::int64_t rows_loaded() const { return rows_loaded_; }
  std::int64_t rows_rejected() const { return tally_.total(); }
  const core::RejectTally& tally() const { return tally_; }

 private:
  void ReadHeader(const core::CsvRecord& record) {
    if (!record.error.empty()) {
      status_ = base::MakeError(base::ErrorCode::kInvalidArgument,
                                "cannot read the CSV header (line " + std::to_string(record.line) +
                                    "): " + std::string(record.error));
      return;
    }
    auto mapping = core::MapHeader(spec_, record.fields);
    if (!mapping) {
      status_ = mapping.error();
      return;
    }
    transformer_.emplace(spec_, std::move(*mapping));
  }

  void Reject(const core::CsvRecord& record, std::string_view reason) {
    tally_.Add(reason);
    if (auto status = log_.AddReject(record.line, record.raw, reason); !status) status_ = status;
  }

  const catalog::core::DatasetSpec& spec_;
  CatalogLoader& loader_;
  RunLog& log_;
  std::optional<core::RowTransformer> transformer_;
  base::Status status_ = base::OkStatus();
  std::string buffer_;
  std::int64_t rows_read_ = 0;
  std::int64_t rows_loaded_ = 0;
  core::RejectTally tally_;
};

// Feeds decompressed bytes to the CSV parser; stops the source as soon as the rows fail.
class ParserFeed : public base::ByteSink {
 public:
  ParserFeed(core::CsvRecordParser& parser, const RowPipeline& rows)
      : parser_(parser), rows_(rows) {}
  base::Status Consume(std::string_view bytes) override {
    parser_.Feed(bytes);
    return rows_.status();
  }

 private:
  core::CsvRecordParser& parser_;
  const RowPipeline& rows_;
};

// Counts and hashes the source's bytes as they arrive (before decompression: the checksum is the
// stored object's), reports progress, and passes them on.
class SourceMeter : public base::ByteSink {
 public:
  SourceMeter(base::ByteSink* next, Progress& progress, const RowPipeline* rows)
      : next_(next), progress_(progress), rows_(rows) {}

  void OnSize(std::uint64_t size) override {
    size_ = size;
    progress_.SetTotal(size);
    if (next_ != nullptr) next_->OnSize(size);
  }
  base::Status Consume(std::string_view bytes) override {
    sha_.Update(bytes);
    bytes_ += bytes.size();
    progress_.Update(bytes_, rows_ != nullptr ? rows_->rows_read() : 0);
    return next_ != nullptr ? next_->Consume(bytes) : base::OkStatus();
  }

  std::uint64_t bytes() const { return bytes_; }
  std::string Checksum() { return sha_.HexDigest(); }

 private:
  base::ByteSink* next_;
  Progress& progress_;
  const RowPipeline* rows_;
  Sha256 sha_;
  std::uint64_t bytes_ = 0;
  std::optional<std::uint64_t> size_;
};

// --if-changed: true when the last succeeded run saw these very bytes and its catalog has rows.
base::Result<bool> IsUnchanged(db::Connection& connection, const catalog::core::DatasetSpec& spec,
                               base::ByteSource& bytes) {
  auto last = FindLastSuccess(connection, spec.name, spec.table);
  if (!last) return last.error();
  if (!*last || (*last)->checksum.empty()) return false;
  auto exists = connection.Execute(kTableExists, {catalog::core::QuoteIdent(spec.table)});
  if (!exists) return exists.error();
  if (exists->Scalar() != "t") return false;
  auto rows = connection.Execute("SELECT EXISTS (SELECT 1 FROM " +
                                 catalog::core::QuoteIdent(spec.table) + ")");
  if (!rows) return rows.error();
  if (rows->Scalar() != "t") return false;
  Progress quiet(Progress::Style::kNone);
  SourceMeter meter(nullptr, quiet, nullptr);
  if (auto status = bytes.StreamTo(meter); !status) return status.error();
  return meter.Checksum() == (*last)->checksum;
}

base::Error WithRun(base::Error error, std::int64_t run_id) {
  error.message += " (run " + std::to_string(run_id) + ")";
  return error;
}

}  // namespace

base::Result<std::unique_ptr<base::ByteSource>> OpenSource(
    const core::EtlSource& source, const std::optional<std::string>& azure_connection_string,
    const BlobClientOptions& blob_options) {
  switch (source.kind) {
    case core::EtlSourceKind::kLocalFile:
      return std::unique_ptr<base::ByteSource>(std::make_unique<FileSource>(source.location));
    case core::EtlSourceKind::kHttp:
      return std::unique_ptr<base::ByteSource>(std::make_unique<HttpSource>(source.location));
    case core::EtlSourceKind::kAzureBlob: {
      if (!azure_connection_string) {
        return base::MakeError(
            base::ErrorCode::kInvalidArgument,
            "AZURE_STORAGE_CONNECTION_STRING is not set; it is needed to read " + source.location);
      }
      auto account = core::ParseAzureConnectionString(*azure_connection_string,
                                                      blob_options.bearer != nullptr);
      if (!account) return account.error();
      BlobClient client(std::move(*account), blob_options);
      return client.OpenBlob(source.container, source.blob);
    }
  }
  return base::MakeError(base::ErrorCode::kInternal, "unknown source kind");
}

base::Result<EtlRunReport> RunEtl(const EtlRunSettings& settings,
                                  const catalog::core::DatasetSpec& spec,
                                  const core::EtlSource& source, base::ByteSource& bytes,
                                  Progress& progress) {
  const auto started = std::chrono::steady_clock::now();
  EtlRunReport report;
  auto log_connection = db::Connection::Open(settings.database_url, std::chrono::seconds(5),
                                             "vitrina-etl-log", settings.database_token);
  if (!log_connection) return log_connection.error();
  if (settings.if_changed) {
    auto unchanged = IsUnchanged(*log_connection, spec, bytes);
    if (!unchanged) return unchanged.error();
    if (*unchanged) {
      report.unchanged = true;
      return report;
    }
  }
  auto load_connection = db::Connection::Open(settings.database_url, std::chrono::seconds(5),
                                              "vitrina-etl-load", settings.database_token);
  if (!load_connection) return load_connection.error();

  auto log = RunLog::Start(std::move(*log_connection), spec.name, spec.table, source.redacted);
  if (!log) return log.error();
  report.run_id = log->run_id();

  CatalogLoader loader(*load_connection, spec, log->run_id());
  RowPipeline rows(spec, loader, *log);
  core::CsvParserOptions parser_options;
  parser_options.delimiter = spec.delimiter;
  core::CsvRecordParser parser(parser_options, rows);
  ParserFeed feed(parser, rows);
  GunzipIfCompressed gunzip(feed);
  SourceMeter meter(&gunzip, progress, &rows);

  const auto load = [&]() -> base::Status {
    if (auto status = loader.Begin(); !status) return status;
    if (auto status = bytes.StreamTo(meter); !status) return status;
    if (auto status = gunzip.Finish(); !status) return status;
    parser.Finish();
    if (auto status = rows.Flush(); !status) return status;
    progress.Done();
    if (!rows.saw_header()) {
      return base::MakeError(base::ErrorCode::kInvalidArgument,
                             "the source is empty: no CSV header, no records");
    }
    if (rows.rows_read() == 0) {
      return base::MakeError(base::ErrorCode::kInvalidArgument,
                             "the source has a header but no records");
    }
    if (auto status = loader.EndCopy(rows.rows_loaded()); !status) return status;
    // Rejects are committed before the catalog changes: a published run has all its rejects.
    if (auto status = log->EndRejects(); !status) return status;
    report.copy_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double ratio =
        static_cast<double>(rows.rows_rejected()) / static_cast<double>(rows.rows_read());
    if (ratio > settings.max_reject_ratio) {
      char text[200];
      std::snprintf(text, sizeof(text),
                    "%lld of %lld records were rejected (%.2f%%), more than --max-reject-ratio "
                    "%g allows; the catalog was not changed (reasons in etl_rejects)",
                    static_cast<long long>(rows.rows_rejected()),
                    static_cast<long long>(rows.rows_read()), ratio * 100,
                    settings.max_reject_ratio);
      return base::MakeError(base::ErrorCode::kInvalidArgument, text);
    }
    return loader.Publish();
  };
  const base::Status loaded = load();
  progress.Done();
  if (!loaded) loader.Abort();

  report.totals.size_bytes = meter.bytes();
  report.totals.checksum = meter.Checksum();
  report.totals.rows_read = rows.rows_read();
  report.totals.rows_loaded = rows.rows_loaded();
  report.totals.rows_rejected = rows.rows_rejected();
  report.top_rejects = rows.tally().Top(5);
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  report.index_seconds = loader.index_seconds();
  report.swap_seconds = loader.swap_seconds();

  const std::string error_text = loaded ? std::string() : loaded.error().message;
  auto recorded = log->Finish(report.totals, error_text);
  if (!loaded) {
    auto error = loaded.error();
    if (!recorded) {
      error.message += "; the run could not be marked failed: " + recorded.error().message;
    }
    return WithRun(error, report.run_id);
  }
  if (!recorded) {
    auto error = recorded.error();
    error.message = "the new catalog is live, but " + error.message;
    return WithRun(error, report.run_id);
  }
  return report;
}

}  // namespace vitrina::etl
