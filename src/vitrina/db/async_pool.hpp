#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "vitrina/base/access_token.hpp"
#include "vitrina/base/request_trace.hpp"
#include "vitrina/base/result.hpp"
#include "vitrina/db/connection.hpp"

namespace vitrina::db {

struct PreparedStatement {
  std::string name;  // a named constant (catalog/core/catalog_sql.hpp); labels logs and metrics
  std::string sql;
};

struct PoolSettings {
  std::string url;
  // Connections in all, split evenly over the executors (at least one each).
  int size = 8;
  // Bounds waiting for a free connection, connecting and each statement. A statement that runs
  // out of time closes its connection (it is reopened on next use) and the server-side
  // statement_timeout is set to the same value, so PostgreSQL stops working on it too.
  std::chrono::milliseconds timeout{10'000};
  // Prepared on every connection right after it opens.
  std::vector<PreparedStatement> statements;
  // Microsoft Entra authentication: each new connection's password is the token current at
  // that moment (established connections are not affected by a token's expiry). Null: the URL's.
  const base::AccessTokenSource* password_token = nullptr;
};

// What a row stream's cursor hands over per FETCH: the first column of each row, as text, joined
// with the stream's separator (one string per batch, not one per row).
struct RowBatch {
  std::string text;
  std::size_t rows = 0;  // 0: the stream is over
};

// Trivially copyable on purpose: g++ 12 corrupts a class-type temporary (an std::string member
// here) passed by value to a coroutine.
struct RowStreamSettings {
  std::size_t batch_rows = 1000;  // rows per FETCH
  char separator = ',';           // between rows in RowBatch::text
  bool estimate_rows = false;     // EXPLAIN the query first: RowStream::estimated_rows
};

// A query read incrementally through a server-side cursor (DECLARE ... NO SCROLL CURSOR in a
// READ ONLY transaction) on one connection leased from the pool for the stream's lifetime. Each
// FETCH is one statement, so the pool's timeout and PostgreSQL's statement_timeout bound the time
// without progress, not the whole stream. The statements go in libpq's pipeline mode: BEGIN,
// DECLARE and two FETCHes leave together, and each batch handed over queues the next FETCH
// behind the one in flight, so PostgreSQL works while the caller writes (two batches ahead at
// most) and never waits for a round trip; a caller that stops asking stops the fetching.
//
// Destroying it before the end cancels the FETCH in flight (a cancel request, as psql's ^C) and
// closes the connection, which ends the transaction at once; the pool reopens it on next use.
// Must be used and destroyed on the executor that opened it.
class RowStream {
 public:
  class Impl;
  explicit RowStream(std::unique_ptr<Impl> impl);
  ~RowStream();
  RowStream(const RowStream&) = delete;
  RowStream& operator=(const RowStream&) = delete;

  // The next batch; rows == 0 once every row was read (the transaction is then committed and the
  // connection handed back). After an error the stream is over and its connection closed.
  boost::asio::awaitable<base::Result<RowBatch>> Next();

  // The planner's estimate of the rows (with RowStreamSettings::estimate_rows), for deciding
  // early how to send an answer; only an estimate, wrong in either direction.
  std::optional<std::int64_t> estimated_rows() const;

 private:
  std::unique_ptr<Impl> impl_;
};

// Non-blocking libpq connections driven by Asio: a coroutine awaits the connection's socket
// instead of blocking its thread. One libpq connection runs one statement at a time, so each
// I/O thread (executor) gets its own shard of connections and uses them without locks; a
// coroutine always uses the shard of the thread it runs on. Connections open lazily (or through
// Warm) and reopen after a failure, so the server starts and answers /readyz while PostgreSQL
// is down.
class AsyncPool {
 public:
  AsyncPool(std::vector<boost::asio::any_io_executor> executors, PoolSettings settings);
  ~AsyncPool();
  AsyncPool(const AsyncPool&) = delete;
  AsyncPool& operator=(const AsyncPool&) = delete;

  // Runs a prepared statement by name with text parameters. Must be awaited from a coroutine
  // running on one of the pool's executors. With a trace, the call (waiting for a connection
  // included) is recorded as a "postgresql" dependency named after the statement.
  boost::asio::awaitable<base::Result<QueryResult>> Execute(std::string_view statement,
                                                            Params params,
                                                            base::RequestTrace* trace = nullptr);
  // Runs SQL that is not prepared: a statement whose text varies too much to prepare every
  // variant on every connection (GET /catalog's sorts and field lists). `statement` names it in
  // errors, metrics and telemetry, as for Execute. Parsed and planned on each call.
  boost::asio::awaitable<base::Result<QueryResult>> ExecuteUnprepared(
      std::string_view statement, std::string sql, Params params,
      base::RequestTrace* trace = nullptr);

  // Opens a row stream over `sql` (a SELECT whose first column is text) with its parameters; the
  // first FETCHes are already sent. Errors are the pool's (busy, unavailable, the DECLARE failed)
  // and name `statement`. Not traced here: a stream outlives the request's handler, so its caller
  // records what the request waited for (api::CatalogStreams).
  boost::asio::awaitable<base::Result<std::unique_ptr<RowStream>>> OpenRowStream(
      std::string_view statement, std::string sql, Params params, RowStreamSettings stream);

  // Connection counts for /metrics; read from any thread (each figure is exact, the set is not
  // a snapshot).
  struct Usage {
    int size = 0;     // connections in all
    int in_use = 0;   // leased to a statement
    int waiting = 0;  // statements waiting for a free connection
  };
  Usage CurrentUsage() const;

  // Opens every connection in the background, so the first requests do not pay for it.
  void Warm();

  // Closes every connection; call on the executors' threads after they stopped serving.
  void Close();

 private:
  friend class RowStream::Impl;  // leases a connection of a shard for the stream's lifetime
  class Shard;
  boost::asio::awaitable<base::Result<QueryResult>> Run(std::string_view statement,
                                                        const std::string* sql, Params params,
                                                        base::RequestTrace* trace);
  Shard& ShardFor(const boost::asio::any_io_executor& executor);

  PoolSettings settings_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace vitrina::db
