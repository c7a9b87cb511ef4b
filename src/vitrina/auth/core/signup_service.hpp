#pragma once

#include <string>
#include <string_view>

#include "vitrina/auth/core/credentials.hpp"
#include "vitrina/auth/core/identity_provider.hpp"
#include "vitrina/auth/core/user_directory.hpp"
#include "vitrina/base/result.hpp"

namespace vitrina::auth::core {

// POST /signup: create the Firebase account, then our users row; if the row cannot be written,
// delete the Firebase account again so a retry with the same email can succeed (compensation).
// Header-only on purpose: it is pure orchestration over two interfaces, and the unit tests (which
// link only core) exercise it with fakes.
class SignupService {
 public:
  SignupService(IdentityProvider& identity, UserDirectory& users)
      : identity_(identity), users_(users) {}

  // The new user is always an active non-admin. Errors are client-ready: kInvalidArgument,
  // kConflict, kUnavailable, ...; when compensation itself fails, Error::detail says which
  // Firebase account was left behind so an operator can remove it.
  base::Result<UserRecord> SignUp(std::string_view email, std::string_view password) {
    if (auto valid = ValidateEmail(email); !valid) return valid.error();
    if (auto valid = ValidatePassword(password); !valid) return valid.error();
    auto grant = identity_.SignUp(email, password);
    if (!grant) return grant.error();

    auto user = users_.Insert(
        NewUser{grant->uid, grant->email.empty() ? std::string(email) : grant->email});
    if (user) return user;

    base::Error error = user.error();
    if (error.code == base::ErrorCode::kConflict) {
      error.message = "an account with this email already exists";
    }
    error.detail += "; " + Compensate(*grant);
    return error;
  }

 private:
  // Deleting with the user's own fresh ID token needs no admin rights; the admin call by uid is
  // the fallback.
  std::string Compensate(const TokenGrant& grant) {
    auto deleted = identity_.DeleteAccountWithToken(grant.id_token);
    if (deleted) return "compensated: deleted Firebase account " + grant.uid;
    auto by_uid = identity_.DeleteAccount(grant.uid);
    if (by_uid) return "compensated (admin): deleted Firebase account " + grant.uid;
    return "COMPENSATION FAILED: Firebase account " + grant.uid +
           " has no users row (delete it by hand): " + deleted.error().detail + " / " +
           by_uid.error().detail;
  }

  IdentityProvider& identity_;
  UserDirectory& users_;
};

}  // namespace vitrina::auth::core
