#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vitrina/base/result.hpp"

namespace vitrina::auth::core {

// A row of the users table: Firebase proves who someone is, this decides what they may do.
struct UserRecord {
  std::string uid;
  std::string email;
  bool is_active = true;
  bool is_admin = false;

  bool operator==(const UserRecord&) const = default;
};

struct NewUser {
  std::string uid;
  std::string email;
};

// PATCH /users/{uid}: only the fields present change.
struct UserPatch {
  std::optional<bool> is_active;
  std::optional<bool> is_admin;
};

// The users table. New users are always active non-admins: nothing a client sends can set
// is_admin at creation.
class UserDirectory {
 public:
  virtual ~UserDirectory() = default;
  // kConflict when the uid or (case-insensitively) the email already has a row.
  virtual base::Result<UserRecord> Insert(const NewUser& user) = 0;
  // kNotFound when there is no such user.
  virtual base::Result<UserRecord> FindByUid(std::string_view uid) = 0;
  // Keyset pagination in uid order: the users after `after_uid` (all from the start when empty).
  virtual base::Result<std::vector<UserRecord>> List(std::string_view after_uid,
                                                     std::size_t limit) = 0;
  // kNotFound when there is no such user; an empty patch returns the row unchanged.
  virtual base::Result<UserRecord> Update(std::string_view uid, const UserPatch& patch) = 0;
};

}  // namespace vitrina::auth::core
