#pragma once

#include <boost/asio/thread_pool.hpp>

#include "vitrina/auth/core/token_verifier.hpp"
#include "vitrina/auth/core/user_status_cache.hpp"
#include "vitrina/http/core/authenticator.hpp"

namespace vitrina::auth {

// Bearer Firebase ID token → TokenVerifier (no I/O, on the calling thread) → the users row via
// UserStatusCache (a fresh entry on the calling thread; a miss may query PostgreSQL, so it runs
// on `blocking`) → Principal. A missing or invalid
// token, or a uid without a users row (a deleted user), is kUnauthenticated; the middleware then
// checks is_active and is_admin against the route.
class FirebaseAuthenticator final : public http::core::Authenticator {
 public:
  FirebaseAuthenticator(const core::TokenVerifier& verifier, core::UserStatusCache& users,
                        boost::asio::thread_pool& blocking)
      : verifier_(verifier), users_(users), blocking_(blocking) {}

  boost::asio::awaitable<base::Result<http::core::Principal>> Authenticate(
      const http::core::Request& request) override;

 private:
  const core::TokenVerifier& verifier_;
  core::UserStatusCache& users_;
  boost::asio::thread_pool& blocking_;
};

}  // namespace vitrina::auth
