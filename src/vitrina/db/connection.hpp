#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vitrina/base/access_token.hpp"
#include "vitrina/base/result.hpp"

struct pg_conn;  // libpq's PGconn; its header stays inside the adapter's .cpp files

namespace vitrina::db {

using Param = std::optional<std::string>;  // nullopt is SQL NULL
using Params = std::vector<Param>;

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::int64_t affected_rows = 0;

  // First column of the first row, when there is one and it is not NULL.
  std::optional<std::string> Scalar() const;
};

// A blocking libpq connection for the command-line tools (migrate, etl, users). The server uses
// the non-blocking pool instead. Errors map to base::ErrorCode: an unreachable or lost server is
// kUnavailable, a unique violation kConflict, anything else kInternal with the SQLSTATE in the
// error's detail.
// A NOTIFY received on a connection that LISTENs.
struct Notification {
  std::string channel;
  std::string payload;
};

class Connection {
 public:
  // `application_name` shows in pg_stat_activity, so an operator can tell the connections apart.
  // With `password_token` (Microsoft Entra authentication), its current token is the password,
  // whatever the URL says: each new connection presents the token valid at that moment.
  static base::Result<Connection> Open(
      const std::string& url, std::chrono::seconds connect_timeout = std::chrono::seconds(5),
      const std::string& application_name = "vitrina",
      const base::AccessTokenSource* password_token = nullptr);

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  // One statement with text parameters ($1, $2, ...).
  base::Result<QueryResult> Execute(std::string_view sql, const Params& params = {});
  // Several statements separated by semicolons, no parameters (migration files).
  base::Status ExecuteScript(std::string_view sql);

  // COPY ... FROM STDIN, streamed: Begin, any number of Put, then End (returns the row count)
  // or Abort. While a COPY is open no other statement can run on this connection.
  base::Status CopyBegin(std::string_view copy_sql);
  base::Status CopyPut(std::string_view data);
  base::Result<std::int64_t> CopyEnd();
  void CopyAbort(std::string_view reason);

  bool IsAlive() const;

  // For LISTEN: the socket to wait on (poll) for notifications, and, once readable, the
  // notifications that arrived (possibly none). A lost connection is kUnavailable.
  int Socket() const;
  base::Result<std::vector<Notification>> ReceiveNotifications();

 private:
  explicit Connection(pg_conn* conn) : conn_(conn) {}
  base::Error LastError(std::string_view what) const;

  pg_conn* conn_ = nullptr;
};

// Turns "postgresql://user@host:port/db" into a form safe to log (the password is masked).
std::string RedactDatabaseUrl(std::string_view url);

// "host:port | dbname" for telemetry (App Insights' dependency target): no user, no password.
// Either form of connection string; libpq's defaults fill what it leaves out.
std::string DatabaseTarget(std::string_view url);

}  // namespace vitrina::db
