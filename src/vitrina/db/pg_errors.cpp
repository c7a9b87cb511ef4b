#include "vitrina/db/pg_errors.hpp"

#include <string>

#include <libpq-fe.h>

namespace vitrina::db {

using base::ErrorCode;
using base::MakeError;

base::Error ErrorFromPg(const pg_result* result, const pg_conn* conn, std::string_view what) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state != nullptr ? state : "";
  std::string message = result != nullptr ? PQresultErrorMessage(result) : "";
  if (message.empty() && conn != nullptr) message = PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  const std::string detail =
      std::string(what) + ": " + (sqlstate.empty() ? "" : "SQLSTATE " + sqlstate + ": ") + message;
  const bool lost = conn == nullptr || PQstatus(conn) != CONNECTION_OK;
  // Class 08: connection exceptions; 57P0x: the server is shutting down or starting.
  if (lost || sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P0", 0) == 0) {
    return MakeError(ErrorCode::kUnavailable, "the database is unavailable", detail);
  }
  if (sqlstate == "57014") {  // statement_timeout or a cancel request
    return MakeError(ErrorCode::kUnavailable, "the database did not answer in time", detail);
  }
  if (sqlstate == "23505") return MakeError(ErrorCode::kConflict, "already exists", detail);
  if (sqlstate.rfind("23", 0) == 0 || sqlstate.rfind("22", 0) == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "the value is not accepted by the database",
                     detail);
  }
  return MakeError(ErrorCode::kInternal, "database error", detail);
}

}  // namespace vitrina::db
