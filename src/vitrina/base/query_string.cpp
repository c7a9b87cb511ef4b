#include "vitrina/base/query_string.hpp"

#include <optional>

#include "vitrina/base/text.hpp"

namespace vitrina::base {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX escapes decoded; with `plus_is_space`, '+' is a space (form encoding) instead of itself.
std::optional<std::string> Decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = HexDigit(text[i + 1]);
      const int low = HexDigit(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

Error Malformed(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

Result<std::string> DecodePart(std::string_view raw, std::string_view what) {
  auto decoded = Decode(raw, /*plus_is_space=*/true);
  if (!decoded) return Malformed("invalid percent-encoding in the query string");
  if (decoded->find('\0') != std::string::npos) {
    return Malformed("the query string contains a NUL character");
  }
  if (!IsValidUtf8(*decoded)) {
    return Malformed(std::string("the query string has a ") + std::string(what) +
                     " that is not valid UTF-8");
  }
  return std::move(*decoded);
}

}  // namespace

Result<std::vector<QueryParam>> ParseQueryString(std::string_view query) {
  std::vector<QueryParam> params;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = DecodePart(pair.substr(0, eq), "name");
    if (!name) return name.error();
    auto value = DecodePart(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1),
                            "value");
    if (!value) return value.error();
    params.push_back(QueryParam{std::move(*name), std::move(*value)});
  }
  return params;
}

std::string PercentEncode(std::string_view text, std::string_view also_keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || also_keep.find(c) != std::string_view::npos) {
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0F];
    }
  }
  return out;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  return Decode(text, /*plus_is_space=*/false);
}

}  // namespace vitrina::base
