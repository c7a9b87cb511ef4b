#pragma once

// In-memory stand-ins for the auth interfaces, for unit tests of the orchestration.
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "vitrina/auth/identity_provider.hpp"
#include "vitrina/auth/login_rate_limiter.hpp"
#include "vitrina/auth/user_directory.hpp"
#include "vitrina/core/auth_firebase_errors.hpp"

namespace vitrina::auth::testing {

class FakeIdentityProvider : public IdentityProvider {
 public:
  std::map<std::string, std::string> passwords;  // email -> password
  std::map<std::string, std::string> uids;       // email -> uid
  std::vector<std::string> deleted_by_token;
  std::vector<std::string> deleted_by_uid;
  bool token_delete_fails = false;
  bool admin_delete_fails = false;
  int sign_in_calls = 0;

  core::Result<TokenGrant> SignUp(std::string_view email, std::string_view password) override {
    if (passwords.count(std::string(email)) != 0) {
      return core::MapFirebaseAuthError("EMAIL_EXISTS", 400);
    }
    if (password.size() < 6) return core::MapFirebaseAuthError("WEAK_PASSWORD : short", 400);
    const std::string uid = "uid-" + std::to_string(uids.size() + 1);
    passwords[std::string(email)] = std::string(password);
    uids[std::string(email)] = uid;
    return Grant(uid, email);
  }

  core::Result<TokenGrant> SignIn(std::string_view email, std::string_view password) override {
    ++sign_in_calls;
    const auto it = passwords.find(std::string(email));
    if (it == passwords.end()) return core::MapFirebaseAuthError("EMAIL_NOT_FOUND", 400);
    if (it->second != password) return core::MapFirebaseAuthError("INVALID_PASSWORD", 400);
    return Grant(uids[it->first], email);
  }

  core::Result<TokenGrant> Refresh(std::string_view refresh_token) override {
    for (const auto& [email, uid] : uids) {
      if ("refresh-" + uid == refresh_token) {
        auto grant = Grant(uid, "");
        grant.email.clear();
        return grant;
      }
    }
    return core::MapFirebaseAuthError("INVALID_REFRESH_TOKEN", 400);
  }

  core::Status DeleteAccountWithToken(std::string_view id_token) override {
    if (token_delete_fails) return core::MakeError(core::ErrorCode::kUnavailable, "down", "t");
    deleted_by_token.emplace_back(id_token);
    Forget("id-", id_token);
    return core::OkStatus();
  }

  core::Status DeleteAccount(std::string_view uid) override {
    if (admin_delete_fails) return core::MakeError(core::ErrorCode::kUnavailable, "down", "a");
    deleted_by_uid.emplace_back(uid);
    Forget("", uid);
    return core::OkStatus();
  }

  bool HasAccount(const std::string& email) const { return passwords.count(email) != 0; }

 private:
  static TokenGrant Grant(const std::string& uid, std::string_view email) {
    return TokenGrant{uid, std::string(email), "id-" + uid, "refresh-" + uid,
                      std::chrono::seconds(3600)};
  }
  void Forget(std::string_view prefix, std::string_view value) {
    for (auto it = uids.begin(); it != uids.end(); ++it) {
      if (std::string(prefix) + it->second == value) {
        passwords.erase(it->first);
        uids.erase(it);
        return;
      }
    }
  }
};

class FakeUserDirectory : public UserDirectory {
 public:
  std::map<std::string, UserRecord> rows;
  std::atomic<int> find_calls{0};
  bool insert_fails = false;

  core::Result<UserRecord> Insert(const NewUser& user) override {
    std::lock_guard lock(mutex_);
    if (insert_fails) {
      return core::MakeError(core::ErrorCode::kUnavailable, "the database is unavailable", "fake");
    }
    for (const auto& [uid, row] : rows) {
      if (uid == user.uid || row.email == user.email) {
        return core::MakeError(core::ErrorCode::kConflict, "already exists", "23505");
      }
    }
    UserRecord record{user.uid, user.email, true, false};
    rows[user.uid] = record;
    return record;
  }

  core::Result<UserRecord> FindByUid(std::string_view uid) override {
    ++find_calls;
    std::lock_guard lock(mutex_);
    const auto it = rows.find(std::string(uid));
    if (it == rows.end()) return core::MakeError(core::ErrorCode::kNotFound, "no such user");
    return it->second;
  }

  core::Result<std::vector<UserRecord>> List(std::string_view after_uid,
                                             std::size_t limit) override {
    std::lock_guard lock(mutex_);
    std::vector<UserRecord> out;
    for (auto it = rows.upper_bound(std::string(after_uid)); it != rows.end() && out.size() < limit;
         ++it) {
      out.push_back(it->second);
    }
    return out;
  }

  core::Result<UserRecord> Update(std::string_view uid, const UserPatch& patch) override {
    std::lock_guard lock(mutex_);
    const auto it = rows.find(std::string(uid));
    if (it == rows.end()) return core::MakeError(core::ErrorCode::kNotFound, "no such user");
    if (patch.is_active) it->second.is_active = *patch.is_active;
    if (patch.is_admin) it->second.is_admin = *patch.is_admin;
    return it->second;
  }

 private:
  std::mutex mutex_;
};

class FakeLoginRateLimiter : public LoginRateLimiter {
 public:
  core::RateLimitRule rule{3, std::chrono::seconds(300)};
  std::map<std::string, std::int64_t> failures;

  core::RateLimitDecision Check(const LoginAttempt& attempt) override {
    return core::Stricter(
        core::DecideRateLimit(failures[core::LoginEmailRateLimitKey(attempt.email)],
                              std::chrono::seconds(120), rule),
        core::DecideRateLimit(failures[core::LoginAddressRateLimitKey(attempt.client_address)],
                              std::chrono::seconds(200), rule));
  }
  void RecordFailure(const LoginAttempt& attempt) override {
    ++failures[core::LoginEmailRateLimitKey(attempt.email)];
    ++failures[core::LoginAddressRateLimitKey(attempt.client_address)];
  }
};

}  // namespace vitrina::auth::testing
