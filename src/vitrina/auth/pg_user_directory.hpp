#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "vitrina/auth/core/user_directory.hpp"
#include "vitrina/base/access_token.hpp"
#include "vitrina/db/connection.hpp"

namespace vitrina::auth {

struct PgUserDirectorySettings {
  std::string database_url;
  std::size_t pool_size = 4;
  std::chrono::seconds connect_timeout{5};
  const base::AccessTokenSource* database_token = nullptr;  // Entra: the password, per connection
};

// The users table over blocking libpq connections from a small mutex-protected pool (opened on
// demand, dropped when broken). Calls block: keep them off I/O threads, or swap in an
// implementation over the server's async pool.
class PgUserDirectory final : public core::UserDirectory {
 public:
  explicit PgUserDirectory(PgUserDirectorySettings settings) : settings_(std::move(settings)) {}

  base::Result<core::UserRecord> Insert(const core::NewUser& user) override;
  base::Result<core::UserRecord> FindByUid(std::string_view uid) override;
  base::Result<std::vector<core::UserRecord>> List(std::string_view after_uid,
                                                   std::size_t limit) override;
  base::Result<core::UserRecord> Update(std::string_view uid,
                                        const core::UserPatch& patch) override;

 private:
  base::Result<db::QueryResult> Run(std::string_view statement_name, std::string_view sql,
                                    const db::Params& params);

  PgUserDirectorySettings settings_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<db::Connection> idle_;
  std::size_t open_ = 0;
};

}  // namespace vitrina::auth
