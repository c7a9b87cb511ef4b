#include "vitrina/catalog/core/cursor.hpp"

#include <charconv>

#include "vitrina/base/base64url.hpp"

namespace vitrina::catalog::core {
namespace {

constexpr std::string_view kPrefix = "v1:";

}  // namespace

std::string EncodeCursor(std::int64_t last_id) {
  return base::Base64UrlEncode(std::string(kPrefix) + std::to_string(last_id));
}

std::optional<std::int64_t> DecodeCursor(std::string_view cursor) {
  if (cursor.empty() || cursor.size() > 64) return std::nullopt;
  const auto decoded = base::Base64UrlDecode(cursor);
  if (!decoded || decoded->rfind(kPrefix, 0) != 0) return std::nullopt;
  const std::string_view digits = std::string_view(*decoded).substr(kPrefix.size());
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (error != std::errc() || end != digits.data() + digits.size() || id < 0) return std::nullopt;
  // Leading zeros, a '+' or stray trailing bits would give a second spelling of the same cursor.
  if (EncodeCursor(id) != cursor) return std::nullopt;
  return id;
}

}  // namespace vitrina::catalog::core
