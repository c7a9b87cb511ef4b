#include "vitrina/etl/catalog_loader.hpp"

#include <chrono>

#include "vitrina/catalog/catalog_table.hpp"
#include "vitrina/catalog/core/catalog_schema.hpp"
#include "vitrina/catalog/core/reload_notice.hpp"

namespace vitrina::etl {

namespace {

// One ETL run per table at a time: a second one fails fast instead of racing the swap.
constexpr const char* kTryTableLock =
    "SELECT pg_try_advisory_xact_lock(hashtext('vitrina-etl:' || $1))";
constexpr const char* kSequenceOf = "SELECT pg_get_serial_sequence($1, 'id')";
constexpr const char* kContinueIdentity = "SELECT setval($1::regclass, $2)";
// Readers queue behind the swap's lock; a reader holding the table for longer than this makes
// the run fail rather than stall every request.
constexpr const char* kSwapLockTimeout = "SET LOCAL lock_timeout = '30s'";
constexpr const char* kNotify = "SELECT pg_notify($1, $2)";
// Index builds sort in memory up to maintenance_work_mem (split among the parallel workers), and
// spill to disk beyond it. Raised for this session only, never lowered: managed servers (Azure
// Database for PostgreSQL) let a session set it, and some size it below what 1M rows need.
constexpr const char* kIndexBuildMemory =
    "SELECT set_config('maintenance_work_mem', '256MB', false) "
    "WHERE pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes('256MB')";

base::Error Failed(base::Error error, const std::string& step) {
  const std::string cause = error.detail.empty() ? error.message : error.detail;
  if (error.code == base::ErrorCode::kUnavailable) {
    error.message = "lost the PostgreSQL connection while " + step + ": " + cause;
  } else {
    error.message = "PostgreSQL failed while " + step + ": " + cause;
  }
  return error;
}

// Records one phase of the load, with the SQLSTATE of its failure if it failed.
base::Status Traced(const base::DependencyTimer& timer, std::string_view phase,
                    base::Status status) {
  if (timer.active()) {
    const std::string_view sqlstate =
        status ? std::string_view() : base::SqlStateIn(status.error().detail);
    timer.Finish("postgresql", phase, status.ok(),
                 status ? std::string_view("OK") : (sqlstate.empty() ? "ERROR" : sqlstate));
  }
  return status;
}

}  // namespace

CatalogLoader::CatalogLoader(db::Connection& connection, const catalog::core::DatasetSpec& spec,
                             std::int64_t run_id)
    : connection_(connection),
      spec_(spec),
      run_id_(run_id),
      staging_("etl_staging_" + std::to_string(run_id)) {}

CatalogLoader::~CatalogLoader() { Abort(); }

base::Status CatalogLoader::Begin() {
  // "already exists, skipping" notices from the idempotent DDL are not news for the operator.
  if (auto status = connection_.ExecuteScript("SET client_min_messages = warning"); !status) {
    return Failed(status.error(), "configuring the session");
  }
  if (auto set = connection_.Execute(kIndexBuildMemory); !set) {
    return Failed(set.error(), "configuring the session");
  }
  if (auto status = catalog::EnsureCatalogTable(connection_, spec_); !status) {
    return Failed(status.error(), "creating the catalog table '" + spec_.table + "'");
  }
  if (auto status = connection_.ExecuteScript("BEGIN"); !status) {
    return Failed(status.error(), "starting the load transaction");
  }
  in_transaction_ = true;
  auto locked = connection_.Execute(kTryTableLock, {spec_.table});
  if (!locked) return Failed(locked.error(), "taking the ETL lock");
  if (locked->Scalar() != "t") {
    return base::MakeError(base::ErrorCode::kConflict, "another ETL run is loading table '" +
                                                           spec_.table + "'; try again later");
  }
  if (auto status = connection_.ExecuteScript(catalog::core::CatalogTableDdl(spec_, staging_));
      !status) {
    return Failed(status.error(), "creating the staging table");
  }
  std::string copy = "COPY " + catalog::core::QuoteIdent(staging_) + " (id";
  for (const auto& column : spec_.columns) copy += ", " + catalog::core::QuoteIdent(column.name);
  copy += ") FROM STDIN WITH (FREEZE)";
  copy_timer_ = base::DependencyTimer(base::CurrentBlockingTrace());
  if (auto status = connection_.CopyBegin(copy); !status) {
    return Traced(copy_timer_, "etl_copy", Failed(status.error(), "starting the COPY"));
  }
  copy_open_ = true;
  return base::OkStatus();
}

base::Status CatalogLoader::Put(std::string_view copy_text) {
  if (auto status = connection_.CopyPut(copy_text); !status) {
    return Failed(status.error(), "loading rows");
  }
  return base::OkStatus();
}

base::Status CatalogLoader::EndCopy(std::int64_t expected_rows) {
  copy_open_ = false;
  auto stored = connection_.CopyEnd();
  if (!stored) return Traced(copy_timer_, "etl_copy", Failed(stored.error(), "loading rows"));
  (void)Traced(copy_timer_, "etl_copy", base::OkStatus());
  if (*stored != expected_rows) {
    return base::MakeError(base::ErrorCode::kInternal,
                           "PostgreSQL stored " + std::to_string(*stored) + " rows, expected " +
                               std::to_string(expected_rows));
  }
  // Ids 1..N came from the file; API inserts must continue after them.
  auto sequence = connection_.Execute(kSequenceOf, {catalog::core::QuoteIdent(staging_)});
  if (!sequence) return Failed(sequence.error(), "reading the identity sequence");
  if (expected_rows > 0) {
    auto set = connection_.Execute(
        kContinueIdentity, {sequence->Scalar().value_or(""), std::to_string(expected_rows)});
    if (!set) return Failed(set.error(), "moving the identity sequence");
  }
  return base::OkStatus();
}

base::Status CatalogLoader::Publish() {
  const auto started = std::chrono::steady_clock::now();
  const base::DependencyTimer indexes(base::CurrentBlockingTrace());
  for (const auto& statement : catalog::core::CatalogIndexDdl(spec_, staging_)) {
    if (auto status = connection_.ExecuteScript(statement); !status) {
      return Traced(indexes, "etl_build_indexes", Failed(status.error(), "building indexes"));
    }
  }
  (void)Traced(indexes, "etl_build_indexes", base::OkStatus());
  const auto indexed = std::chrono::steady_clock::now();
  index_seconds_ = std::chrono::duration<double>(indexed - started).count();
  const base::DependencyTimer swap_timer(base::CurrentBlockingTrace());
  auto swapped = Traced(swap_timer, "etl_swap", Swap());
  swap_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - indexed).count();
  return swapped;
}

base::Status CatalogLoader::Swap() {
  auto sequence = connection_.Execute(kSequenceOf, {catalog::core::QuoteIdent(staging_)});
  if (!sequence) return Failed(sequence.error(), "reading the identity sequence");
  const std::string live = catalog::core::QuoteIdent(spec_.table);
  std::string swap = std::string(kSwapLockTimeout) + ";\nLOCK TABLE " + live +
                     " IN ACCESS EXCLUSIVE MODE;\nDROP TABLE " + live + ";\nALTER TABLE " +
                     catalog::core::QuoteIdent(staging_) + " RENAME TO " + live +
                     ";\nALTER TABLE " + live + " RENAME CONSTRAINT " +
                     catalog::core::QuoteIdent(staging_ + "_pkey") + " TO " +
                     catalog::core::QuoteIdent(spec_.table + "_pkey") + ";\n";
  // Keep the names the live table had, so the next run (and a reader of \d) finds them.
  for (const auto& column : spec_.columns) {
    if (!column.category) continue;
    swap += "ALTER INDEX " + catalog::core::QuoteIdent(staging_ + "_" + column.name + "_idx") +
            " RENAME TO " + catalog::core::QuoteIdent(spec_.table + "_" + column.name + "_idx") +
            ";\n";
  }
  if (const auto name = sequence->Scalar()) {
    swap += "ALTER SEQUENCE " + *name + " RENAME TO " +
            catalog::core::QuoteIdent(spec_.table + "_id_seq") + ";\n";
  }
  if (auto status = connection_.ExecuteScript(swap); !status) {
    return Failed(status.error(), "swapping in the new catalog");
  }
  // The payload names the table, so servers of other datasets keep their cached answers.
  if (auto notified =
          connection_.Execute(kNotify, {std::string(catalog::core::kCatalogReloadedChannel),
                                        catalog::core::ReloadPayload(spec_.table, run_id_)});
      !notified) {
    return Failed(notified.error(), "notifying vitrina_catalog_reloaded");
  }
  if (auto status = connection_.ExecuteScript("COMMIT"); !status) {
    in_transaction_ = false;
    return Failed(status.error(), "committing the new catalog");
  }
  in_transaction_ = false;
  return base::OkStatus();
}

void CatalogLoader::Abort() {
  if (copy_open_) {
    connection_.CopyAbort("ETL run aborted");
    copy_open_ = false;
  }
  if (in_transaction_) {
    (void)connection_.ExecuteScript("ROLLBACK");
    in_transaction_ = false;
  }
}

}  // namespace vitrina::etl
