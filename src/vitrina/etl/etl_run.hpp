#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vitrina/base/access_token.hpp"
#include "vitrina/base/byte_stream.hpp"
#include "vitrina/base/result.hpp"
#include "vitrina/catalog/core/dataset_spec.hpp"
#include "vitrina/etl/blob_client.hpp"
#include "vitrina/etl/core/etl_source.hpp"
#include "vitrina/etl/progress.hpp"
#include "vitrina/etl/run_log.hpp"

namespace vitrina::etl {

struct EtlRunSettings {
  std::string database_url;
  const base::AccessTokenSource* database_token = nullptr;  // Entra: the password, per connection
  double max_reject_ratio = 0.01;
  // Skip the load when the source's sha256 equals the last succeeded run's and the live table
  // has rows: nothing is recorded.
  bool if_changed = false;
};

struct EtlRunReport {
  bool unchanged = false;  // --if-changed found the same checksum; nothing was done
  std::int64_t run_id = 0;
  RunTotals totals;
  std::vector<std::pair<std::string, std::int64_t>> top_rejects;  // at most 5
  double seconds = 0;
  // Where the time went: extract, validate and COPY overlap (one stream), then PostgreSQL builds
  // the category indexes on its own, then the swap and commit.
  double copy_seconds = 0;   // from the start to the end of the COPY and of the rejects
  double index_seconds = 0;  // CREATE INDEX on the staging table
  double swap_seconds = 0;   // lock, swap, NOTIFY, COMMIT
};

// Opens the byte stream behind a parsed source: a file, an http(s) URL (SAS included) or an
// az:// blob at the account of `azure_connection_string`, signed with its key or SAS, or with
// `blob_options.bearer`'s token when there is one (a managed identity).
base::Result<std::unique_ptr<base::ByteSource>> OpenSource(
    const core::EtlSource& source, const std::optional<std::string>& azure_connection_string,
    const BlobClientOptions& blob_options = {});

// One ETL run, streaming end to end: bytes (sha256 and size on the way, gunzip when needed) →
// CSV records → header mapping → row validation → COPY into staging → swap. Rejected records go
// to etl_rejects; the run is a row of etl_runs whatever happens. On failure the live catalog is
// unchanged and the error message is one line naming the run.
base::Result<EtlRunReport> RunEtl(const EtlRunSettings& settings,
                                  const catalog::core::DatasetSpec& spec,
                                  const core::EtlSource& source, base::ByteSource& bytes,
                                  Progress& progress);

}  // namespace vitrina::etl
