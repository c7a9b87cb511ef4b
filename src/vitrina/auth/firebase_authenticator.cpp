#include "vitrina/auth/firebase_authenticator.hpp"

#include "vitrina/core/jwt.hpp"
#include "vitrina/http/offload.hpp"

namespace vitrina::auth {

boost::asio::awaitable<core::Result<core::Principal>> FirebaseAuthenticator::Authenticate(
    const http::Request& request) {
  const std::string_view token = http::BearerToken(request);
  if (token.empty()) {
    co_return core::MakeError(core::ErrorCode::kUnauthenticated, "a bearer token is required");
  }
  auto identity = verifier_.Verify(token);
  if (!identity) co_return identity.error();
  const std::string uid = identity->uid;
  auto user = co_await http::Offload(blocking_, [this, &uid] { return users_.Get(uid); });
  if (!user) {
    if (user.error().code == core::ErrorCode::kNotFound) {
      co_return core::MakeError(core::ErrorCode::kUnauthenticated,
                                std::string(core::kInvalidTokenMessage),
                                "verified token of uid " + uid + " without a users row");
    }
    co_return user.error();
  }
  co_return core::Principal{user->uid, user->is_admin, user->is_active};
}

}  // namespace vitrina::auth
