#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include "vitrina/auth/user_directory.hpp"
#include "vitrina/auth/user_status_cache.hpp"
#include "vitrina/http/message.hpp"

namespace vitrina::api {

// GET /me, GET /users and PATCH /users/{uid} over the users table (blocking: on the thread pool).
class UsersHandlers {
 public:
  UsersHandlers(auth::UserDirectory& users, auth::UserStatusCache& status,
                boost::asio::thread_pool& blocking)
      : users_(users), status_(status), blocking_(blocking) {}

  boost::asio::awaitable<http::Response> Me(http::Request& request);
  boost::asio::awaitable<http::Response> List(http::Request& request);
  boost::asio::awaitable<http::Response> Patch(http::Request& request);

 private:
  auth::UserDirectory& users_;
  auth::UserStatusCache& status_;
  boost::asio::thread_pool& blocking_;
};

// {"uid":...,"email":...,"is_active":...,"is_admin":...}
std::string RenderUser(const auth::UserRecord& user);

}  // namespace vitrina::api
