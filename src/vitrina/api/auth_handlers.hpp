#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include "vitrina/auth/login_service.hpp"
#include "vitrina/auth/signup_service.hpp"
#include "vitrina/http/message.hpp"

namespace vitrina::api {

// POST /signup, /login and /token/refresh: parse the body, run the (blocking) service on the
// thread pool, render. The rules live in the services.
class AuthHandlers {
 public:
  AuthHandlers(auth::SignupService& signup, auth::LoginService& login,
               boost::asio::thread_pool& blocking)
      : signup_(signup), login_(login), blocking_(blocking) {}

  boost::asio::awaitable<http::Response> Signup(http::Request& request);
  boost::asio::awaitable<http::Response> Login(http::Request& request);
  boost::asio::awaitable<http::Response> Refresh(http::Request& request);

 private:
  auth::SignupService& signup_;
  auth::LoginService& login_;
  boost::asio::thread_pool& blocking_;
};

}  // namespace vitrina::api
