#include "vitrina/auth/pg_user_directory.hpp"

#include <optional>

#include "vitrina/base/request_trace.hpp"

namespace vitrina::auth {
namespace {

// Every statement is a named constant; the name labels errors in the logs.
constexpr std::string_view kInsertUser =
    "INSERT INTO users (uid, email) VALUES ($1, $2) RETURNING uid, email, is_active, is_admin";
constexpr std::string_view kFindUserByUid =
    "SELECT uid, email, is_active, is_admin FROM users WHERE uid = $1";
constexpr std::string_view kListUsers =
    "SELECT uid, email, is_active, is_admin FROM users WHERE uid > $1 ORDER BY uid LIMIT $2";
constexpr std::string_view kUpdateUser =
    "UPDATE users SET is_active = COALESCE($2::boolean, is_active),"
    " is_admin = COALESCE($3::boolean, is_admin), updated_at = now()"
    " WHERE uid = $1 RETURNING uid, email, is_active, is_admin";

core::UserRecord RecordFromRow(const std::vector<std::optional<std::string>>& row) {
  return core::UserRecord{row[0].value_or(""), row[1].value_or(""), row[2].value_or("") == "t",
                          row[3].value_or("") == "t"};
}

db::Param BoolParam(std::optional<bool> value) {
  if (!value) return std::nullopt;
  return std::string(*value ? "true" : "false");
}

base::Error NoSuchUser(std::string_view uid) {
  return base::MakeError(base::ErrorCode::kNotFound, "no such user",
                         "no users row for uid " + std::string(uid));
}

}  // namespace

base::Result<db::QueryResult> PgUserDirectory::Run(std::string_view statement_name,
                                                   std::string_view sql, const db::Params& params) {
  std::optional<db::Connection> connection;
  {
    std::unique_lock lock(mutex_);
    returned_.wait(lock, [this] { return !idle_.empty() || open_ < settings_.pool_size; });
    if (!idle_.empty()) {
      connection.emplace(std::move(idle_.back()));
      idle_.pop_back();
    } else {
      ++open_;  // reserve the slot before connecting outside the lock
    }
  }
  if (!connection) {
    auto opened = db::Connection::Open(settings_.database_url, settings_.connect_timeout,
                                       "vitrina-users", settings_.database_token);
    if (!opened) {
      {
        std::lock_guard lock(mutex_);
        --open_;
      }
      returned_.notify_one();
      auto error = opened.error();
      error.message = "the database is unavailable";
      return error;
    }
    connection.emplace(std::move(*opened));
  }
  const base::DependencyTimer timer(base::CurrentBlockingTrace());
  auto result = connection->Execute(sql, params);
  timer.Finish("postgresql", statement_name, result.ok(),
               result ? std::string_view("OK") : base::SqlStateIn(result.error().detail));
  if (!result) {
    auto error = result.error();
    error.detail = std::string(statement_name) + ": " + error.detail;
    result = std::move(error);
  }
  {
    std::lock_guard lock(mutex_);
    if (connection->IsAlive()) {
      idle_.push_back(std::move(*connection));
    } else {
      --open_;
    }
  }
  returned_.notify_one();
  return result;
}

base::Result<core::UserRecord> PgUserDirectory::Insert(const core::NewUser& user) {
  auto result = Run("insert_user", kInsertUser, {user.uid, user.email});
  if (!result) {
    if (result.error().code == base::ErrorCode::kConflict) {
      return base::MakeError(base::ErrorCode::kConflict,
                             "an account with this email already exists", result.error().detail);
    }
    return result.error();
  }
  return RecordFromRow(result->rows.at(0));
}

base::Result<core::UserRecord> PgUserDirectory::FindByUid(std::string_view uid) {
  auto result = Run("find_user_by_uid", kFindUserByUid, {std::string(uid)});
  if (!result) return result.error();
  if (result->rows.empty()) return NoSuchUser(uid);
  return RecordFromRow(result->rows.front());
}

base::Result<std::vector<core::UserRecord>> PgUserDirectory::List(std::string_view after_uid,
                                                                  std::size_t limit) {
  auto result = Run("list_users", kListUsers, {std::string(after_uid), std::to_string(limit)});
  if (!result) return result.error();
  std::vector<core::UserRecord> users;
  users.reserve(result->rows.size());
  for (const auto& row : result->rows) users.push_back(RecordFromRow(row));
  return users;
}

base::Result<core::UserRecord> PgUserDirectory::Update(std::string_view uid,
                                                       const core::UserPatch& patch) {
  auto result = Run("update_user", kUpdateUser,
                    {std::string(uid), BoolParam(patch.is_active), BoolParam(patch.is_admin)});
  if (!result) return result.error();
  if (result->rows.empty()) return NoSuchUser(uid);
  return RecordFromRow(result->rows.front());
}

}  // namespace vitrina::auth
