#pragma once

// In-memory stand-ins for the auth interfaces, for unit tests of the orchestration.
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "vitrina/auth/core/firebase_errors.hpp"
#include "vitrina/auth/core/identity_provider.hpp"
#include "vitrina/auth/core/login_rate_limiter.hpp"
#include "vitrina/auth/core/user_directory.hpp"

namespace vitrina::auth::core::testing {

class FakeIdentityProvider : public auth::core::IdentityProvider {
 public:
  std::map<std::string, std::string> passwords;  // email -> password
  std::map<std::string, std::string> uids;       // email -> uid
  std::vector<std::string> deleted_by_token;
  std::vector<std::string> deleted_by_uid;
  bool token_delete_fails = false;
  bool admin_delete_fails = false;
  int sign_in_calls = 0;

  base::Result<auth::core::TokenGrant> SignUp(std::string_view email,
                                              std::string_view password) override {
    if (passwords.count(std::string(email)) != 0) {
      return auth::core::MapFirebaseAuthError("EMAIL_EXISTS", 400);
    }
    if (password.size() < 6) return auth::core::MapFirebaseAuthError("WEAK_PASSWORD : short", 400);
    const std::string uid = "uid-" + std::to_string(uids.size() + 1);
    passwords[std::string(email)] = std::string(password);
    uids[std::string(email)] = uid;
    return Grant(uid, email);
  }

  base::Result<auth::core::TokenGrant> SignIn(std::string_view email,
                                              std::string_view password) override {
    ++sign_in_calls;
    const auto it = passwords.find(std::string(email));
    if (it == passwords.end()) return auth::core::MapFirebaseAuthError("EMAIL_NOT_FOUND", 400);
    if (it->second != password) return auth::core::MapFirebaseAuthError("INVALID_PASSWORD", 400);
    return Grant(uids[it->first], email);
  }

  base::Result<auth::core::TokenGrant> Refresh(std::string_view refresh_token) override {
    for (const auto& [email, uid] : uids) {
      if ("refresh-" + uid == refresh_token) {
        auto grant = Grant(uid, "");
        grant.email.clear();
        return grant;
      }
    }
    return auth::core::MapFirebaseAuthError("INVALID_REFRESH_TOKEN", 400);
  }

  base::Status DeleteAccountWithToken(std::string_view id_token) override {
    if (token_delete_fails) return base::MakeError(base::ErrorCode::kUnavailable, "down", "t");
    deleted_by_token.emplace_back(id_token);
    Forget("id-", id_token);
    return base::OkStatus();
  }

  base::Status DeleteAccount(std::string_view uid) override {
    if (admin_delete_fails) return base::MakeError(base::ErrorCode::kUnavailable, "down", "a");
    deleted_by_uid.emplace_back(uid);
    Forget("", uid);
    return base::OkStatus();
  }

  bool HasAccount(const std::string& email) const { return passwords.count(email) != 0; }

 private:
  static auth::core::TokenGrant Grant(const std::string& uid, std::string_view email) {
    return auth::core::TokenGrant{uid, std::string(email), "id-" + uid, "refresh-" + uid,
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

class FakeUserDirectory : public auth::core::UserDirectory {
 public:
  std::map<std::string, auth::core::UserRecord> rows;
  std::atomic<int> find_calls{0};
  bool insert_fails = false;

  base::Result<auth::core::UserRecord> Insert(const auth::core::NewUser& user) override {
    std::lock_guard lock(mutex_);
    if (insert_fails) {
      return base::MakeError(base::ErrorCode::kUnavailable, "the database is unavailable", "fake");
    }
    for (const auto& [uid, row] : rows) {
      if (uid == user.uid || row.email == user.email) {
        return base::MakeError(base::ErrorCode::kConflict, "already exists", "23505");
      }
    }
    auth::core::UserRecord record{user.uid, user.email, true, false};
    rows[user.uid] = record;
    return record;
  }

  base::Result<auth::core::UserRecord> FindByUid(std::string_view uid) override {
    ++find_calls;
    std::lock_guard lock(mutex_);
    const auto it = rows.find(std::string(uid));
    if (it == rows.end()) return base::MakeError(base::ErrorCode::kNotFound, "no such user");
    return it->second;
  }

  base::Result<std::vector<auth::core::UserRecord>> List(std::string_view after_uid,
                                                         std::size_t limit) override {
    std::lock_guard lock(mutex_);
    std::vector<auth::core::UserRecord> out;
    for (auto it = rows.upper_bound(std::string(after_uid)); it != rows.end() && out.size() < limit;
         ++it) {
      out.push_back(it->second);
    }
    return out;
  }

  base::Result<auth::core::UserRecord> Update(std::string_view uid,
                                              const auth::core::UserPatch& patch) override {
    std::lock_guard lock(mutex_);
    const auto it = rows.find(std::string(uid));
    if (it == rows.end()) return base::MakeError(base::ErrorCode::kNotFound, "no such user");
    if (patch.is_active) it->second.is_active = *patch.is_active;
    if (patch.is_admin) it->second.is_admin = *patch.is_admin;
    return it->second;
  }

 private:
  std::mutex mutex_;
};

// The policy over maps, with time standing still: windows never end and a back-off lasts until
// `backoff_over()` ends it.
class FakeLoginRateLimiter : public auth::core::LoginRateLimiter {
 public:
  auth::core::LoginRateLimitPolicy policy{.per_email_and_address = {3, std::chrono::seconds(300)},
                                          .per_address = {4, std::chrono::seconds(300)},
                                          .email_backoff = {.after = 5}};
  std::map<std::string, std::int64_t> failures;
  std::map<std::string, std::chrono::milliseconds> backoffs;
  std::set<std::string> known;

  auth::core::RateLimitDecision Check(const auth::core::LoginAttempt& attempt) override {
    auth::core::LoginCounters counters;
    counters.pair_failures =
        failures[auth::core::LoginEmailAndAddressKey(attempt.email, attempt.client_address)];
    counters.pair_ttl = std::chrono::seconds(120);
    counters.address_failures =
        failures[auth::core::LoginAddressRateLimitKey(attempt.client_address)];
    counters.address_ttl = std::chrono::seconds(200);
    counters.backoff_left = backoffs[auth::core::LoginEmailBackoffKey(attempt.email)];
    counters.known_address =
        known.count(auth::core::LoginKnownAddressKey(attempt.email, attempt.client_address)) > 0;
    return auth::core::DecideLogin(counters, policy);
  }
  void RecordFailure(const auth::core::LoginAttempt& attempt) override {
    ++failures[auth::core::LoginEmailAndAddressKey(attempt.email, attempt.client_address)];
    ++failures[auth::core::LoginAddressRateLimitKey(attempt.client_address)];
    const auto email_failures = ++failures[auth::core::LoginEmailFailuresKey(attempt.email)];
    const auto delay = auth::core::EmailBackoffDelay(email_failures, policy.email_backoff);
    if (delay.count() > 0) backoffs[auth::core::LoginEmailBackoffKey(attempt.email)] = delay;
  }
  void RecordSuccess(const auth::core::LoginAttempt& attempt) override {
    known.insert(auth::core::LoginKnownAddressKey(attempt.email, attempt.client_address));
    failures.erase(auth::core::LoginEmailAndAddressKey(attempt.email, attempt.client_address));
  }
  void backoff_over() { backoffs.clear(); }
};

}  // namespace vitrina::auth::core::testing
