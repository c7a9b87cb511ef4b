#include "vitrina/http/core/dev_token_authenticator.hpp"

namespace vitrina::http::core {

std::string_view BearerToken(const Request& request) {
  const std::string_view header = request.Header("authorization");
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char c = header[i];
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    const char expected =
        (kScheme[i] >= 'A' && kScheme[i] <= 'Z') ? static_cast<char>(kScheme[i] + 32) : kScheme[i];
    if (lower != expected) return {};
  }
  return header.substr(kScheme.size());
}

namespace {

// Compares without an early exit, so response timing does not reveal a matching prefix.
bool SameSecret(std::string_view given, std::string_view secret) {
  if (secret.empty()) return false;
  unsigned char difference = given.size() == secret.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i) {
    difference |= static_cast<unsigned char>(given[i] ^ secret[i % secret.size()]);
  }
  return difference == 0;
}

}  // namespace

boost::asio::awaitable<base::Result<Principal>> DevTokenAuthenticator::Authenticate(
    const Request& request) {
  const std::string_view token = BearerToken(request);
  if (token.empty()) {
    co_return base::MakeError(base::ErrorCode::kUnauthenticated, "a bearer token is required");
  }
  if (!admin_token_ || !SameSecret(token, *admin_token_)) {
    co_return base::MakeError(base::ErrorCode::kUnauthenticated, "the bearer token is not valid");
  }
  co_return Principal{"dev-admin", true, true};
}

}  // namespace vitrina::http::core
