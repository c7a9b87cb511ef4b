#pragma once

#include <chrono>
#include <memory>
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
  class Shard;
  boost::asio::awaitable<base::Result<QueryResult>> Run(std::string_view statement,
                                                        const std::string* sql, Params params,
                                                        base::RequestTrace* trace);
  Shard& ShardFor(const boost::asio::any_io_executor& executor);

  PoolSettings settings_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace vitrina::db
