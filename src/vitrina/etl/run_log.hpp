#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vitrina/base/result.hpp"
#include "vitrina/db/connection.hpp"

namespace vitrina::etl {

struct RunTotals {
  std::optional<std::uint64_t> size_bytes;
  std::string checksum;
  std::int64_t rows_read = 0;
  std::int64_t rows_loaded = 0;
  std::int64_t rows_rejected = 0;
};

// The last succeeded run of a dataset and table, for --if-changed.
struct LastSuccess {
  std::int64_t run_id = 0;
  std::string checksum;
};

base::Result<std::optional<LastSuccess>> FindLastSuccess(db::Connection& connection,
                                                         const std::string& dataset,
                                                         const std::string& table);

// The record of one run in etl_runs, and its rejects streamed into etl_rejects with COPY. It owns
// a connection of its own: the load's connection is inside a transaction that may roll back, and
// the run and its rejects must stay recorded when it does.
class RunLog {
 public:
  // Inserts the run (status running) and opens the rejects COPY.
  static base::Result<RunLog> Start(db::Connection connection, const std::string& dataset,
                                    const std::string& table, const std::string& source);

  std::int64_t run_id() const { return run_id_; }

  // Buffers one reject; flushed to PostgreSQL every 64 KiB.
  base::Status AddReject(std::int64_t line, std::string_view raw, std::string_view reason);

  // Ends the rejects COPY, committing every reject. Done before the catalog is replaced, so a
  // run whose rejects could not be stored never publishes.
  base::Status EndRejects();

  // Records the outcome (ending the rejects COPY first if still open). `error` empty means
  // succeeded.
  base::Status Finish(const RunTotals& totals, const std::string& error);

 private:
  RunLog(db::Connection connection, std::int64_t run_id)
      : connection_(std::move(connection)), run_id_(run_id) {}
  base::Status FlushRejects();

  db::Connection connection_;
  std::int64_t run_id_ = 0;
  std::string run_id_text_;
  std::string buffer_;
  bool copy_open_ = false;
};

}  // namespace vitrina::etl
