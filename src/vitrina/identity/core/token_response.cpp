#include "vitrina/identity/core/token_response.hpp"

#include <charconv>

#include <boost/json.hpp>

#include "vitrina/base/base64url.hpp"

namespace vitrina::identity::core {
namespace {

namespace json = boost::json;
using Clock = std::chrono::system_clock;

base::Error Invalid(std::string detail) {
  return base::MakeError(base::ErrorCode::kUnavailable, "managed identity token unavailable",
                         std::move(detail));
}

// Seconds in a JSON string or number; nullopt when neither or not a whole number.
std::optional<std::int64_t> Seconds(const json::value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->as_int64();
  if (value->is_uint64()) return static_cast<std::int64_t>(value->as_uint64());
  if (!value->is_string()) return std::nullopt;
  const auto& text = value->as_string();
  std::int64_t seconds = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return seconds;
}

// Appends `text` percent-encoded (RFC 3986 unreserved characters kept).
void AppendEncoded(std::string& out, std::string_view text) {
  constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
        (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
}

}  // namespace

std::string TokenRequestUrl(std::string_view endpoint, std::string_view resource,
                            std::string_view client_id) {
  std::string url(endpoint);
  url += endpoint.find('?') == std::string_view::npos ? '?' : '&';
  url += "api-version=2019-08-01&resource=";
  AppendEncoded(url, resource);
  if (!client_id.empty()) {
    url += "&client_id=";
    AppendEncoded(url, client_id);
  }
  return url;
}

base::Result<base::AccessToken> ParseTokenResponse(std::string_view text, Clock::time_point now) {
  boost::system::error_code error;
  const json::value parsed = json::parse(text, error);
  if (error || !parsed.is_object()) return Invalid("the identity endpoint's answer is not JSON");
  const auto& object = parsed.as_object();
  const auto* token = object.if_contains("access_token");
  if (token == nullptr || !token->is_string() || token->as_string().empty()) {
    return Invalid("the identity endpoint's answer has no access_token");
  }
  base::AccessToken out;
  out.value = std::string(token->as_string());
  if (const auto expires_on = Seconds(object.if_contains("expires_on"))) {
    out.expires_on = Clock::time_point(std::chrono::seconds(*expires_on));
  } else if (const auto expires_in = Seconds(object.if_contains("expires_in"))) {
    out.expires_on =
        std::chrono::time_point_cast<std::chrono::seconds>(now) + std::chrono::seconds(*expires_in);
  } else {
    return Invalid("the identity endpoint's answer has neither expires_on nor expires_in");
  }
  if (out.expires_on <= now) return Invalid("the identity endpoint gave an expired token");
  out.object_id = TokenObjectId(out.value);
  return out;
}

std::string TokenObjectId(std::string_view jwt) {
  const auto first = jwt.find('.');
  if (first == std::string_view::npos) return {};
  const auto second = jwt.find('.', first + 1);
  if (second == std::string_view::npos) return {};
  const auto payload = base::Base64UrlDecode(jwt.substr(first + 1, second - first - 1));
  if (!payload) return {};
  boost::system::error_code error;
  const json::value claims = json::parse(*payload, error);
  if (error || !claims.is_object()) return {};
  const auto* oid = claims.as_object().if_contains("oid");
  if (oid == nullptr || !oid->is_string()) return {};
  return std::string(oid->as_string());
}

}  // namespace vitrina::identity::core
