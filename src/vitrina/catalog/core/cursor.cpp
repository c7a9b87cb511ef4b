#include "vitrina/catalog/core/cursor.hpp"

#include <charconv>

#include <boost/json.hpp>

#include "vitrina/base/base64url.hpp"

namespace vitrina::catalog::core {
namespace {

namespace json = boost::json;

constexpr std::string_view kPrefix = "v1:";
constexpr std::string_view kSortedPrefix = "v2:";

std::optional<std::string> DecodeText(std::string_view cursor) {
  if (cursor.empty() || cursor.size() > kMaxCursorLength) return std::nullopt;
  return base::Base64UrlDecode(cursor);
}

}  // namespace

std::string EncodeCursor(std::int64_t last_id) {
  return base::Base64UrlEncode(std::string(kPrefix) + std::to_string(last_id));
}

std::optional<std::int64_t> DecodeCursor(std::string_view cursor) {
  const auto decoded = DecodeText(cursor);
  if (!decoded || decoded->rfind(kPrefix, 0) != 0) return std::nullopt;
  const std::string_view digits = std::string_view(*decoded).substr(kPrefix.size());
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (error != std::errc() || end != digits.data() + digits.size() || id < 0) return std::nullopt;
  // Leading zeros, a '+' or stray trailing bits would give a second spelling of the same cursor.
  if (EncodeCursor(id) != cursor) return std::nullopt;
  return id;
}

std::string EncodeSortedCursor(const SortedCursor& cursor) {
  json::array values;
  values.reserve(cursor.values.size() + 1);
  for (const auto& value : cursor.values) {
    if (value) {
      values.emplace_back(json::string(*value));
    } else {
      values.emplace_back(nullptr);
    }
  }
  values.emplace_back(cursor.last_id);
  return base::Base64UrlEncode(std::string(kSortedPrefix) + cursor.sort + ":" +
                               json::serialize(values));
}

std::optional<SortedCursor> DecodeSortedCursor(std::string_view cursor) {
  const auto decoded = DecodeText(cursor);
  if (!decoded || decoded->rfind(kSortedPrefix, 0) != 0) return std::nullopt;
  const std::string_view rest = std::string_view(*decoded).substr(kSortedPrefix.size());
  // Sort texts are column names, commas and minus signs: the first ':' ends them.
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  boost::system::error_code error;
  const json::value parsed = json::parse(rest.substr(colon + 1), error);
  if (error || !parsed.is_array() || parsed.get_array().empty()) return std::nullopt;
  const auto& array = parsed.get_array();
  SortedCursor out;
  out.sort = std::string(rest.substr(0, colon));
  for (std::size_t i = 0; i + 1 < array.size(); ++i) {
    if (array[i].is_null()) {
      out.values.emplace_back();
    } else if (array[i].is_string()) {
      out.values.emplace_back(std::string(array[i].get_string()));
    } else {
      return std::nullopt;
    }
  }
  const auto& id = array.back();
  if (!id.is_int64() || id.get_int64() < 0) return std::nullopt;
  out.last_id = id.get_int64();
  // Whitespace, escapes that need not be, padding bits: any other spelling is refused.
  if (EncodeSortedCursor(out) != cursor) return std::nullopt;
  return out;
}

}  // namespace vitrina::catalog::core
