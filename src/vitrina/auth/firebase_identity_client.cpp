#include "vitrina/auth/firebase_identity_client.hpp"

#include <cctype>
#include <charconv>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "vitrina/auth/core/firebase_errors.hpp"
#include "vitrina/auth/core/jwt.hpp"
#include "vitrina/http/client.hpp"

namespace vitrina::auth {
namespace {

// The emulator's admin credential; production rejects it.
constexpr std::string_view kEmulatorAdminBearer = "Bearer owner";

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

const std::string* StringField(const boost::json::object& object, std::string_view name,
                               std::string& storage) {
  const auto* value = object.if_contains(name);
  if (value == nullptr || !value->is_string()) return nullptr;
  storage = std::string(value->as_string());
  return &storage;
}

std::chrono::seconds SecondsField(const boost::json::object& object, std::string_view name) {
  // Firebase sends expiresIn as a string ("3600").
  const auto* value = object.if_contains(name);
  if (value == nullptr) return std::chrono::seconds(0);
  if (value->is_int64()) return std::chrono::seconds(value->as_int64());
  if (!value->is_string()) return std::chrono::seconds(0);
  long long seconds = 0;
  const auto text = value->as_string();
  std::from_chars(text.data(), text.data() + text.size(), seconds);
  return std::chrono::seconds(seconds);
}

// A 2xx body as a JSON object, or the Firebase error mapped to ours.
base::Result<boost::json::object> Exchange(const http::ClientRequest& request) {
  auto response = http::SendHttp(request);
  if (!response) {
    return base::MakeError(base::ErrorCode::kUnavailable, "the identity provider is unavailable",
                           response.error().detail);
  }
  boost::system::error_code error;
  auto json = boost::json::parse(response->body, error);
  if (response->status >= 200 && response->status < 300) {
    if (error || !json.is_object()) {
      return base::MakeError(base::ErrorCode::kUnavailable, "the identity provider is unavailable",
                             "non-JSON success response, HTTP " + std::to_string(response->status));
    }
    return std::move(json.as_object());
  }
  std::string message;
  if (!error && json.is_object()) {
    if (const auto* err = json.as_object().if_contains("error");
        err != nullptr && err->is_object()) {
      if (const auto* text = err->as_object().if_contains("message");
          text != nullptr && text->is_string()) {
        message = std::string(text->as_string());
      }
    }
  }
  return core::MapFirebaseAuthError(message, static_cast<int>(response->status));
}

// `text` holds the serialised body the request points to.
http::ClientRequest JsonPost(std::string url, const std::string& text,
                             std::chrono::milliseconds timeout) {
  http::ClientRequest request;
  request.method = "POST";
  request.url = std::move(url);
  request.headers = {{"Content-Type", "application/json"}};
  request.body = text;
  request.timeout = timeout;
  request.connect_timeout = timeout;
  return request;
}

base::Result<core::TokenGrant> GrantFromAccountResponse(const boost::json::object& json) {
  core::TokenGrant grant;
  std::string storage;
  if (StringField(json, "localId", storage) == nullptr) {
    return base::MakeError(base::ErrorCode::kUnavailable, "the identity provider is unavailable",
                           "response without localId");
  }
  grant.uid = storage;
  if (StringField(json, "email", storage) != nullptr) grant.email = storage;
  if (StringField(json, "idToken", storage) != nullptr) grant.id_token = storage;
  if (StringField(json, "refreshToken", storage) != nullptr) grant.refresh_token = storage;
  grant.expires_in = SecondsField(json, "expiresIn");
  if (grant.id_token.empty() || grant.refresh_token.empty()) {
    return base::MakeError(base::ErrorCode::kUnavailable, "the identity provider is unavailable",
                           "response without tokens");
  }
  return grant;
}

}  // namespace

base::Result<core::TokenGrant> FirebaseIdentityClient::SignUp(std::string_view email,
                                                              std::string_view password) {
  const boost::json::object body{
      {"email", email}, {"password", password}, {"returnSecureToken", true}};
  const std::string text = boost::json::serialize(body);
  auto json = Exchange(JsonPost(
      settings_.IdentityToolkitBase() + "/v1/accounts:signUp?key=" + UrlEncode(settings_.api_key),
      text, settings_.http_timeout));
  if (!json) return json.error();
  return GrantFromAccountResponse(*json);
}

base::Result<core::TokenGrant> FirebaseIdentityClient::SignIn(std::string_view email,
                                                              std::string_view password) {
  const boost::json::object body{
      {"email", email}, {"password", password}, {"returnSecureToken", true}};
  const std::string text = boost::json::serialize(body);
  auto json =
      Exchange(JsonPost(settings_.IdentityToolkitBase() +
                            "/v1/accounts:signInWithPassword?key=" + UrlEncode(settings_.api_key),
                        text, settings_.http_timeout));
  if (!json) return json.error();
  return GrantFromAccountResponse(*json);
}

base::Result<core::TokenGrant> FirebaseIdentityClient::Refresh(std::string_view refresh_token) {
  const std::string form = "grant_type=refresh_token&refresh_token=" + UrlEncode(refresh_token);
  http::ClientRequest request;
  request.method = "POST";
  request.url = settings_.SecureTokenBase() + "/v1/token?key=" + UrlEncode(settings_.api_key);
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = form;
  request.timeout = settings_.http_timeout;
  request.connect_timeout = settings_.http_timeout;
  auto json = Exchange(request);
  if (!json) return json.error();
  core::TokenGrant grant;
  std::string storage;
  if (StringField(*json, "user_id", storage) != nullptr) grant.uid = storage;
  if (StringField(*json, "id_token", storage) != nullptr) grant.id_token = storage;
  if (StringField(*json, "refresh_token", storage) != nullptr) grant.refresh_token = storage;
  grant.expires_in = SecondsField(*json, "expires_in");
  if (grant.uid.empty() || grant.id_token.empty() || grant.refresh_token.empty()) {
    return base::MakeError(base::ErrorCode::kUnavailable, "the identity provider is unavailable",
                           "token response without user_id or tokens");
  }
  return grant;
}

base::Status FirebaseIdentityClient::DeleteAccountWithToken(std::string_view id_token) {
  const std::string text = boost::json::serialize(boost::json::object{{"idToken", id_token}});
  auto json = Exchange(JsonPost(
      settings_.IdentityToolkitBase() + "/v1/accounts:delete?key=" + UrlEncode(settings_.api_key),
      text, settings_.http_timeout));
  if (!json) return json.error();
  return base::OkStatus();
}

base::Status FirebaseIdentityClient::DeleteAccount(std::string_view uid) {
  if (!settings_.emulator_host) {
    return base::MakeError(base::ErrorCode::kUnavailable, "account deletion is not available",
                           "deleting a Firebase account by uid needs service-account credentials, "
                           "which are not implemented");
  }
  const std::string text = boost::json::serialize(boost::json::object{{"localId", uid}});
  auto request = JsonPost(settings_.IdentityToolkitBase() + "/v1/projects/" +
                              UrlEncode(settings_.project_id) + "/accounts:delete",
                          text, settings_.http_timeout);
  request.headers.emplace_back("Authorization", std::string(kEmulatorAdminBearer));
  auto json = Exchange(request);
  if (!json) return json.error();
  return base::OkStatus();
}

base::Result<std::unique_ptr<core::IdentityProvider>> MakeIdentityProvider(
    const FirebaseSettings& settings) {
  auto mode = core::SelectSignatureMode(settings.environment, settings.emulator_host.has_value());
  if (!mode) return mode.error();
  if (settings.api_key.empty()) {
    return base::MakeError(base::ErrorCode::kInvalidArgument, "FIREBASE_API_KEY is required");
  }
  return std::unique_ptr<core::IdentityProvider>(
      std::make_unique<FirebaseIdentityClient>(settings));
}

}  // namespace vitrina::auth
