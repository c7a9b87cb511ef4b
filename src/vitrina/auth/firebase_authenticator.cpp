#include "vitrina/auth/firebase_authenticator.hpp"

#include "vitrina/auth/core/jwt.hpp"
#include "vitrina/http/offload.hpp"

namespace vitrina::auth {

boost::asio::awaitable<base::Result<http::core::Principal>> FirebaseAuthenticator::Authenticate(
    const http::core::Request& request) {
  const std::string_view token = http::core::BearerToken(request);
  if (token.empty()) {
    co_return base::MakeError(base::ErrorCode::kUnauthenticated, "a bearer token is required");
  }
  auto identity = verifier_.Verify(token);
  if (!identity) co_return identity.error();
  const std::string uid = identity->uid;
  // A fresh cache entry answers here, on the I/O thread; only a miss hops to the pool (and
  // possibly to PostgreSQL).
  auto user = users_.Peek(uid);
  if (!user) {
    auto loaded =
        co_await http::Offload(blocking_, request.trace, [this, &uid] { return users_.Get(uid); });
    user.emplace(std::move(loaded));
  }
  if (!*user) {
    if (user->error().code == base::ErrorCode::kNotFound) {
      co_return base::MakeError(base::ErrorCode::kUnauthenticated,
                                std::string(core::kInvalidTokenMessage),
                                "verified token of uid " + uid + " without a users row");
    }
    co_return user->error();
  }
  const core::UserRecord& row = **user;
  co_return http::core::Principal{row.uid, row.is_admin, row.is_active};
}

}  // namespace vitrina::auth
