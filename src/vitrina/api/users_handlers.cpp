#include "vitrina/api/users_handlers.hpp"

#include <boost/json.hpp>

#include "vitrina/http/core/error_response.hpp"
#include "vitrina/http/offload.hpp"

namespace vitrina::api {

namespace asio = boost::asio;
using http::core::ErrorResponse;
using http::core::Request;
using http::core::Response;

namespace {

constexpr std::size_t kListLimit = 1000;

boost::json::object UserObject(const auth::core::UserRecord& user) {
  return {{"uid", user.uid},
          {"email", user.email},
          {"is_active", user.is_active},
          {"is_admin", user.is_admin}};
}

base::Result<std::optional<bool>> BoolField(const boost::json::object& object,
                                            std::string_view name) {
  const auto* value = object.if_contains(name);
  if (value == nullptr) return std::optional<bool>();
  if (!value->is_bool()) {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           std::string(name) + " must be true or false");
  }
  return std::optional<bool>(value->as_bool());
}

}  // namespace

std::string RenderUser(const auth::core::UserRecord& user) {
  return boost::json::serialize(UserObject(user));
}

asio::awaitable<Response> UsersHandlers::Me(Request& request) {
  if (!request.principal) {
    co_return ErrorResponse(
        base::MakeError(base::ErrorCode::kUnauthenticated, "a bearer token is required"));
  }
  const std::string uid = request.principal->uid;
  auto user = co_await http::Offload(blocking_, request.trace,
                                     [this, &uid] { return users_.FindByUid(uid); });
  if (!user) co_return ErrorResponse(user.error());
  co_return Response::Json(200, RenderUser(*user));
}

asio::awaitable<Response> UsersHandlers::List(Request& request) {
  auto users = co_await http::Offload(blocking_, request.trace,
                                      [this] { return users_.List("", kListLimit); });
  if (!users) co_return ErrorResponse(users.error());
  boost::json::array items;
  for (const auto& user : *users) items.push_back(UserObject(user));
  co_return Response::Json(200, boost::json::serialize(boost::json::object{{"users", items}}));
}

asio::awaitable<Response> UsersHandlers::Patch(Request& request) {
  const std::string uid(request.Param("uid"));
  boost::system::error_code error;
  auto value = boost::json::parse(request.body, error);
  if (error || !value.is_object()) {
    co_return ErrorResponse(
        base::MakeError(base::ErrorCode::kInvalidArgument, "the body must be a JSON object"));
  }
  // A field we do not know is refused, not ignored: a typo ("isAdmin") must not look applied.
  std::string unknown;
  for (const auto& member : value.as_object()) {
    if (member.key() != "is_active" && member.key() != "is_admin") {
      unknown += (unknown.empty() ? "" : ", ") + std::string(member.key());
    }
  }
  if (!unknown.empty()) {
    co_return ErrorResponse(base::MakeError(
        base::ErrorCode::kInvalidArgument,
        "unknown field(s): " + unknown + "; PATCH /users/{uid} takes is_active and is_admin"));
  }
  auth::core::UserPatch patch;
  auto is_active = BoolField(value.as_object(), "is_active");
  if (!is_active) co_return ErrorResponse(is_active.error());
  auto is_admin = BoolField(value.as_object(), "is_admin");
  if (!is_admin) co_return ErrorResponse(is_admin.error());
  patch.is_active = *is_active;
  patch.is_admin = *is_admin;
  auto user = co_await http::Offload(blocking_, request.trace,
                                     [this, &uid, &patch] { return users_.Update(uid, patch); });
  if (!user) co_return ErrorResponse(user.error());
  status_.Invalidate(uid);
  co_return Response::Json(200, RenderUser(*user));
}

}  // namespace vitrina::api
