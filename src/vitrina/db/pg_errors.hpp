#pragma once

#include <string_view>

#include "vitrina/base/error.hpp"

struct pg_conn;    // libpq's PGconn
struct pg_result;  // libpq's PGresult

namespace vitrina::db {

// Maps a failed libpq call to the service's error vocabulary: a lost or unreachable server and
// cancelled statements are kUnavailable, unique violations kConflict, other constraint
// violations kInvalidArgument, anything else kInternal. The SQLSTATE and server text go to the
// error's detail (logs only), prefixed with `what` (the statement name).
base::Error ErrorFromPg(const pg_result* result, const pg_conn* conn, std::string_view what);

}  // namespace vitrina::db
