#pragma once

#include <optional>
#include <string>

#include "vitrina/http/core/authenticator.hpp"

namespace vitrina::http::core {

// Until identity lands: a request carrying "Authorization: Bearer <DEV_ADMIN_TOKEN>" is an active
// admin (uid "dev-admin"). Without a configured token nobody is authenticated, so every write
// answers 401.
class DevTokenAuthenticator final : public Authenticator {
 public:
  explicit DevTokenAuthenticator(std::optional<std::string> admin_token)
      : admin_token_(std::move(admin_token)) {}

  boost::asio::awaitable<base::Result<Principal>> Authenticate(const Request& request) override;

 private:
  std::optional<std::string> admin_token_;
};

}  // namespace vitrina::http::core
