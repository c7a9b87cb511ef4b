#pragma once

#include <string>
#include <vector>

#include "vitrina/base/result.hpp"
#include "vitrina/db/connection.hpp"

namespace vitrina::db {

// Applies the versioned SQL files of `directory` (NNNN_name.sql, in name order) that are not yet
// recorded in schema_migrations, each in its own transaction. Concurrent callers serialise on an
// advisory lock, so two instances starting together apply each file once. Returns the versions
// applied by this call (empty when the schema was already current).
base::Result<std::vector<std::string>> ApplyMigrations(Connection& connection,
                                                       const std::string& directory);

}  // namespace vitrina::db
