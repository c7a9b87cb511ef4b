#include "vitrina/db/migrations.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace vitrina::db {

using base::ErrorCode;
using base::MakeError;

namespace {

constexpr const char* kCreateSchemaTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())";
// Any constant works; it only has to be the same in every instance.
constexpr const char* kLock = "SELECT pg_advisory_lock(7362836101)";
constexpr const char* kUnlock = "SELECT pg_advisory_unlock(7362836101)";

base::Result<std::vector<std::filesystem::path>> ListMigrationFiles(const std::string& directory) {
  std::error_code error;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".sql") {
      files.push_back(entry.path());
    }
  }
  if (error) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "cannot read migrations directory '" + directory + "': " + error.message());
  }
  std::sort(files.begin(), files.end());
  return files;
}

base::Status ApplyOne(Connection& connection, const std::filesystem::path& file,
                      const std::string& version) {
  std::ifstream in(file);
  std::ostringstream sql;
  sql << in.rdbuf();
  if (!in) return MakeError(ErrorCode::kInternal, "cannot read migration " + file.string());
  if (auto status = connection.ExecuteScript("BEGIN"); !status) return status;
  auto applied = connection.ExecuteScript(sql.str());
  if (applied) {
    auto recorded =
        connection.Execute("INSERT INTO schema_migrations (version) VALUES ($1)", {version});
    if (recorded) return connection.ExecuteScript("COMMIT");
    applied = recorded.error();
  }
  (void)connection.ExecuteScript("ROLLBACK");
  auto error = applied.error();
  error.message = "migration " + version + " failed: " + error.detail;
  return error;
}

}  // namespace

base::Result<std::vector<std::string>> ApplyMigrations(Connection& connection,
                                                       const std::string& directory) {
  auto files = ListMigrationFiles(directory);
  if (!files) return files.error();
  if (auto status = connection.ExecuteScript(kCreateSchemaTable); !status) return status.error();
  if (auto locked = connection.Execute(kLock); !locked) return locked.error();

  std::vector<std::string> applied;
  auto result = [&]() -> base::Status {
    auto done = connection.Execute("SELECT version FROM schema_migrations");
    if (!done) return done.error();
    std::set<std::string> existing;
    for (const auto& row : done->rows) existing.insert(row.front().value_or(""));
    for (const auto& file : *files) {
      const std::string version = file.stem().string();
      if (existing.count(version) != 0) continue;
      if (auto status = ApplyOne(connection, file, version); !status) return status;
      applied.push_back(version);
    }
    return base::OkStatus();
  }();
  (void)connection.Execute(kUnlock);
  if (!result) return result.error();
  return applied;
}

}  // namespace vitrina::db
