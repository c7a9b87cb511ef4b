#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "vitrina/base/request_trace.hpp"
#include "vitrina/base/result.hpp"
#include "vitrina/catalog/core/dataset_spec.hpp"
#include "vitrina/db/connection.hpp"

namespace vitrina::etl {

// Loads a new catalog beside the live one and swaps it in atomically.
//
// Everything happens in one transaction on one connection: create a staging table, COPY the
// rows into it (FREEZE: the table is new in this transaction), build the category indexes, then
// lock the live table, drop it, rename staging to the live name (with its key, indexes and
// identity sequence) and NOTIFY. Readers see the old catalog or the new one, never a mix, and any
// failure (or a lost connection) rolls everything back, leaving the live table as it was and no
// staging table behind.
//
// With a trace on this thread (base::CurrentBlockingTrace, set by the ETL command), the phases
// are recorded as "postgresql" dependencies of the run: etl_copy (the whole streamed COPY, which
// overlaps the download), etl_build_indexes and etl_swap (swap, NOTIFY, COMMIT).
class CatalogLoader {
 public:
  CatalogLoader(db::Connection& connection, const catalog::core::DatasetSpec& spec,
                std::int64_t run_id);
  ~CatalogLoader();
  CatalogLoader(const CatalogLoader&) = delete;
  CatalogLoader& operator=(const CatalogLoader&) = delete;

  // Makes sure the live table exists, takes the per-table ETL lock, creates staging, opens COPY.
  base::Status Begin();
  // COPY text ("id\tcol\t...\n" lines), as large a block as the caller buffered.
  base::Status Put(std::string_view copy_text);
  // Ends the COPY and checks that PostgreSQL stored exactly `expected_rows`.
  base::Status EndCopy(std::int64_t expected_rows);
  // Indexes, swap, NOTIFY vitrina_catalog_reloaded '<run id>', COMMIT.
  base::Status Publish();
  // Rolls back; the live table is untouched. Safe to call at any point, also twice.
  void Abort();

  const std::string& staging_table() const { return staging_; }
  // How long Publish() spent building indexes, and swapping and committing (0 before it ran).
  double index_seconds() const { return index_seconds_; }
  double swap_seconds() const { return swap_seconds_; }

 private:
  base::Status Swap();  // swap, NOTIFY, COMMIT

  db::Connection& connection_;
  const catalog::core::DatasetSpec& spec_;
  std::int64_t run_id_;
  std::string staging_;
  bool in_transaction_ = false;
  bool copy_open_ = false;
  base::DependencyTimer copy_timer_{nullptr};
  double index_seconds_ = 0;
  double swap_seconds_ = 0;
};

}  // namespace vitrina::etl
