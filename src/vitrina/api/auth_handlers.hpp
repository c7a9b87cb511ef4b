#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include "vitrina/auth/core/login_service.hpp"
#include "vitrina/auth/core/signup_service.hpp"
#include "vitrina/http/core/message.hpp"

namespace vitrina::api {

// POST /signup, /login and /token/refresh: parse the body, run the (blocking) service on the
// thread pool, render. The rules live in the services.
class AuthHandlers {
 public:
  // `trusted_proxy_hops` (TRUSTED_PROXY_HOPS): how many of our proxies write X-Forwarded-For;
  // 0 counts login failures per TCP peer (see http::ClientAddress).
  AuthHandlers(auth::core::SignupService& signup, auth::core::LoginService& login,
               boost::asio::thread_pool& blocking, int trusted_proxy_hops = 0)
      : signup_(signup),
        login_(login),
        blocking_(blocking),
        trusted_proxy_hops_(trusted_proxy_hops) {}

  boost::asio::awaitable<http::core::Response> Signup(http::core::Request& request);
  boost::asio::awaitable<http::core::Response> Login(http::core::Request& request);
  boost::asio::awaitable<http::core::Response> Refresh(http::core::Request& request);

 private:
  auth::core::SignupService& signup_;
  auth::core::LoginService& login_;
  boost::asio::thread_pool& blocking_;
  int trusted_proxy_hops_;
};

}  // namespace vitrina::api
