#pragma once

#include <boost/asio/awaitable.hpp>

#include "vitrina/base/result.hpp"
#include "vitrina/http/core/message.hpp"
#include "vitrina/http/core/principal.hpp"

namespace vitrina::http::core {

// Establishes who sent a request. The development implementation compares a fixed bearer token;
// the identity work replaces it with Firebase ID-token verification plus the users table,
// without touching handlers or routes.
class Authenticator {
 public:
  virtual ~Authenticator() = default;

  // The caller behind the request's credentials. kUnauthenticated when there are none or they do
  // not verify (the response then carries WWW-Authenticate: Bearer); the middleware checks
  // is_active and is_admin against the route's Access afterwards.
  virtual boost::asio::awaitable<base::Result<Principal>> Authenticate(const Request& request) = 0;
};

// "Authorization: Bearer <token>" → token, or empty.
std::string_view BearerToken(const Request& request);

}  // namespace vitrina::http::core
