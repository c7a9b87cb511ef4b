#include "vitrina/db/connection.hpp"

#include <utility>

#include <libpq-fe.h>

namespace vitrina::db {

using base::ErrorCode;
using base::MakeError;

std::optional<std::string> QueryResult::Scalar() const {
  if (rows.empty() || rows.front().empty()) return std::nullopt;
  return rows.front().front();
}

namespace {

// Class 08 is connection exceptions; 57P01-57P03 are shutdown/cannot-connect-now.
bool IsUnavailableState(std::string_view sqlstate) {
  return sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

base::Error ErrorFromResult(const PGresult* result, pg_conn* conn, std::string_view what) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state != nullptr ? state : "";
  std::string message = result != nullptr ? PQresultErrorMessage(result) : "";
  if (message.empty()) message = PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  const std::string detail =
      std::string(what) + ": " + (sqlstate.empty() ? "" : "SQLSTATE " + sqlstate + ": ") + message;
  if (PQstatus(conn) != CONNECTION_OK || IsUnavailableState(sqlstate)) {
    return MakeError(ErrorCode::kUnavailable, "the database is unavailable", detail);
  }
  if (sqlstate == "23505") return MakeError(ErrorCode::kConflict, "already exists", detail);
  return MakeError(ErrorCode::kInternal, "database error", detail);
}

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

}  // namespace

base::Result<Connection> Connection::Open(const std::string& url,
                                          std::chrono::seconds connect_timeout,
                                          const std::string& application_name,
                                          const base::AccessTokenSource* password_token) {
  const std::string timeout = std::to_string(connect_timeout.count());
  std::string password;
  if (password_token != nullptr) {
    auto token = password_token->Current();
    if (!token.ok()) {
      return MakeError(ErrorCode::kUnavailable,
                       "cannot connect to PostgreSQL at " + RedactDatabaseUrl(url) +
                           ": no managed identity token (" + token.error().detail + ")",
                       token.error().detail);
    }
    password = std::move(token->value);
  }
  // A key given after the expanded URL overrides what the URL says.
  const char* keys[] = {"dbname", "connect_timeout", "application_name",
                        password_token != nullptr ? "password" : nullptr, nullptr};
  const char* values[] = {url.c_str(), timeout.c_str(), application_name.c_str(), password.c_str(),
                          nullptr};
  pg_conn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    std::string detail = conn != nullptr ? PQerrorMessage(conn) : "out of memory";
    while (!detail.empty() && detail.back() == '\n') detail.pop_back();
    if (conn != nullptr) PQfinish(conn);
    return MakeError(ErrorCode::kUnavailable,
                     "cannot connect to PostgreSQL at " + RedactDatabaseUrl(url) + ": " + detail,
                     detail);
  }
  // Server notices ("relation already exists, skipping") are expected chatter for the tools.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return Connection(conn);
}

Connection::Connection(Connection&& other) noexcept : conn_(std::exchange(other.conn_, nullptr)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = std::exchange(other.conn_, nullptr);
  }
  return *this;
}

Connection::~Connection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

bool Connection::IsAlive() const { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }

int Connection::Socket() const { return PQsocket(conn_); }

base::Result<std::vector<Notification>> Connection::ReceiveNotifications() {
  if (PQconsumeInput(conn_) == 0) return LastError("connection lost");
  std::vector<Notification> received;
  while (PGnotify* notify = PQnotifies(conn_)) {
    received.push_back({notify->relname, notify->extra != nullptr ? notify->extra : ""});
    PQfreemem(notify);
  }
  return received;
}

base::Error Connection::LastError(std::string_view what) const {
  return ErrorFromResult(nullptr, conn_, what);
}

base::Result<QueryResult> Connection::Execute(std::string_view sql, const Params& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
  const std::string statement(sql);
  ResultPtr result(PQexecParams(conn_, statement.c_str(), static_cast<int>(params.size()), nullptr,
                                values.data(), nullptr, nullptr, 0));
  const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return ErrorFromResult(result.get(), conn_, "query");
  }
  QueryResult out;
  const int columns = PQnfields(result.get());
  const int rows = PQntuples(result.get());
  for (int c = 0; c < columns; ++c) out.columns.emplace_back(PQfname(result.get(), c));
  out.rows.reserve(static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    auto& row = out.rows.emplace_back();
    row.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(result.get(), r, c) != 0) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(result.get(), r, c),
                                     static_cast<std::size_t>(PQgetlength(result.get(), r, c))));
      }
    }
  }
  const char* tuples = PQcmdTuples(result.get());
  out.affected_rows = (tuples != nullptr && *tuples != '\0') ? std::stoll(tuples) : rows;
  return out;
}

base::Status Connection::ExecuteScript(std::string_view sql) {
  const std::string script(sql);
  ResultPtr result(PQexec(conn_, script.c_str()));
  const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return ErrorFromResult(result.get(), conn_, "script");
  }
  return base::OkStatus();
}

base::Status Connection::CopyBegin(std::string_view copy_sql) {
  const std::string statement(copy_sql);
  ResultPtr result(PQexec(conn_, statement.c_str()));
  if (!result || PQresultStatus(result.get()) != PGRES_COPY_IN) {
    return ErrorFromResult(result.get(), conn_, "copy");
  }
  return base::OkStatus();
}

base::Status Connection::CopyPut(std::string_view data) {
  if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1) {
    return LastError("copy data");
  }
  return base::OkStatus();
}

base::Result<std::int64_t> Connection::CopyEnd() {
  if (PQputCopyEnd(conn_, nullptr) != 1) return LastError("copy end");
  ResultPtr result(PQgetResult(conn_));
  if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    auto error = ErrorFromResult(result.get(), conn_, "copy");
    while (ResultPtr rest{PQgetResult(conn_)}) {
    }
    return error;
  }
  const char* tuples = PQcmdTuples(result.get());
  while (ResultPtr rest{PQgetResult(conn_)}) {
  }
  return static_cast<std::int64_t>((tuples != nullptr && *tuples != '\0') ? std::stoll(tuples) : 0);
}

void Connection::CopyAbort(std::string_view reason) {
  const std::string text(reason);
  PQputCopyEnd(conn_, text.c_str());
  while (ResultPtr rest{PQgetResult(conn_)}) {
  }
}

std::string RedactDatabaseUrl(std::string_view url) {
  // postgresql://user:password@host → postgresql://user:***@host
  const auto scheme_end = url.find("://");
  const auto at = url.find('@');
  if (scheme_end == std::string_view::npos || at == std::string_view::npos || at < scheme_end) {
    return std::string(url);
  }
  const auto colon = url.find(':', scheme_end + 3);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

std::string DatabaseTarget(std::string_view url) {
  const std::string text(url);
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(text.c_str(), &error);
  if (options == nullptr) {
    PQfreemem(error);
    return "postgresql";
  }
  std::string host = "localhost", port = "5432", dbname;
  for (auto* option = options; option->keyword != nullptr; ++option) {
    if (option->val == nullptr || *option->val == '\0') continue;
    const std::string_view keyword = option->keyword;
    if (keyword == "host") host = option->val;
    if (keyword == "port") port = option->val;
    if (keyword == "dbname") dbname = option->val;
  }
  PQconninfoFree(options);
  // A socket directory is not a host name worth showing.
  if (!host.empty() && host.front() == '/') host = "localhost";
  return host + ":" + port + (dbname.empty() ? "" : " | " + dbname);
}

}  // namespace vitrina::db
