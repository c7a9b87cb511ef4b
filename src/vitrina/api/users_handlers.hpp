#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include "vitrina/auth/core/user_directory.hpp"
#include "vitrina/auth/core/user_status_cache.hpp"
#include "vitrina/http/core/message.hpp"

namespace vitrina::api {

// GET /me, GET /users and PATCH /users/{uid} over the users table (blocking: on the thread pool).
class UsersHandlers {
 public:
  UsersHandlers(auth::core::UserDirectory& users, auth::core::UserStatusCache& status,
                boost::asio::thread_pool& blocking)
      : users_(users), status_(status), blocking_(blocking) {}

  boost::asio::awaitable<http::core::Response> Me(http::core::Request& request);
  boost::asio::awaitable<http::core::Response> List(http::core::Request& request);
  boost::asio::awaitable<http::core::Response> Patch(http::core::Request& request);

 private:
  auth::core::UserDirectory& users_;
  auth::core::UserStatusCache& status_;
  boost::asio::thread_pool& blocking_;
};

// {"uid":...,"email":...,"is_active":...,"is_admin":...}
std::string RenderUser(const auth::core::UserRecord& user);

}  // namespace vitrina::api
