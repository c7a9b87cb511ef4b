#include "vitrina/api/auth_handlers.hpp"

#include <boost/json.hpp>

#include "vitrina/api/users_handlers.hpp"
#include "vitrina/base/query_string.hpp"
#include "vitrina/http/core/client_address.hpp"
#include "vitrina/http/core/error_response.hpp"
#include "vitrina/http/offload.hpp"

namespace vitrina::api {

namespace asio = boost::asio;
using http::core::ErrorResponse;
using http::core::Request;
using http::core::Response;

namespace {

struct Credentials {
  std::string email;
  std::string password;
};

// A JSON object body; kInvalidArgument otherwise.
base::Result<boost::json::object> JsonObject(const Request& request) {
  boost::system::error_code error;
  auto value = boost::json::parse(request.body, error);
  if (error || !value.is_object()) {
    return base::MakeError(base::ErrorCode::kInvalidArgument, "the body must be a JSON object");
  }
  return std::move(value.as_object());
}

// A string member, empty when absent; kInvalidArgument when present with another type.
base::Result<std::string> StringField(const boost::json::object& object, std::string_view name) {
  const auto* value = object.if_contains(name);
  if (value == nullptr || value->is_null()) return std::string();
  if (!value->is_string()) {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           std::string(name) + " must be a string");
  }
  return std::string(value->as_string());
}

base::Result<Credentials> JsonCredentials(const Request& request) {
  auto object = JsonObject(request);
  if (!object) return object.error();
  auto email = StringField(*object, "email");
  if (!email) return email.error();
  auto password = StringField(*object, "password");
  if (!password) return password.error();
  return Credentials{std::move(*email), std::move(*password)};
}

bool IsFormBody(const Request& request) {
  const std::string_view type = request.Header("content-type");
  constexpr std::string_view kForm = "application/x-www-form-urlencoded";
  if (type.size() < kForm.size()) return false;
  for (std::size_t i = 0; i < kForm.size(); ++i) {
    const char c = type[i];
    if (((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c) != kForm[i]) return false;
  }
  return true;
}

// OAuth2 password-grant style form: username (the email) and password.
base::Result<Credentials> FormCredentials(const Request& request) {
  auto params = base::ParseQueryString(request.body);
  if (!params) return params.error();
  Credentials credentials;
  for (auto& param : *params) {
    if (param.name == "username") credentials.email = std::move(param.value);
    if (param.name == "password") credentials.password = std::move(param.value);
  }
  return credentials;
}

Response RenderOutcome(const auth::core::LoginOutcome& outcome) {
  if (!outcome.grant) {
    Response response = ErrorResponse(outcome.grant.error());
    if (outcome.grant.error().code == base::ErrorCode::kTooManyRequests &&
        outcome.retry_after.count() > 0) {
      response.headers.emplace_back("Retry-After", std::to_string(outcome.retry_after.count()));
    }
    return response;
  }
  const auto& grant = *outcome.grant;
  const boost::json::object body = {{"access_token", grant.id_token},
                                    {"token_type", "bearer"},
                                    {"expires_in", grant.expires_in.count()},
                                    {"refresh_token", grant.refresh_token}};
  Response response = Response::Json(200, boost::json::serialize(body));
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace

asio::awaitable<Response> AuthHandlers::Signup(Request& request) {
  auto credentials = JsonCredentials(request);
  if (!credentials) co_return ErrorResponse(credentials.error());
  auto user = co_await http::Offload(blocking_, request.trace, [this, &credentials] {
    return signup_.SignUp(credentials->email, credentials->password);
  });
  if (!user) co_return ErrorResponse(user.error());
  co_return Response::Json(201, RenderUser(*user));
}

asio::awaitable<Response> AuthHandlers::Login(Request& request) {
  auto credentials = IsFormBody(request) ? FormCredentials(request) : JsonCredentials(request);
  if (!credentials) co_return ErrorResponse(credentials.error());
  const std::string client_address = http::core::ClientAddress(request, trusted_proxy_hops_);
  auto outcome =
      co_await http::Offload(blocking_, request.trace, [this, &credentials, &client_address] {
        return login_.Login(credentials->email, credentials->password, client_address);
      });
  co_return RenderOutcome(outcome);
}

asio::awaitable<Response> AuthHandlers::Refresh(Request& request) {
  auto object = JsonObject(request);
  if (!object) co_return ErrorResponse(object.error());
  auto token = StringField(*object, "refresh_token");
  if (!token) co_return ErrorResponse(token.error());
  auto outcome = co_await http::Offload(blocking_, request.trace,
                                        [this, &token] { return login_.Refresh(*token); });
  co_return RenderOutcome(outcome);
}

}  // namespace vitrina::api
