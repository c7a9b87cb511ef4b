#include "vitrina/telemetry/core/access_log_line.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace vitrina::telemetry::core {
namespace {

// Which bytes a JSON string must escape: '"', '\\', the control characters and DEL. A table,
// since every character of every access line is looked up.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> table{};
  for (std::size_t byte = 0; byte < 0x20; ++byte) table[byte] = true;
  table['"'] = true;
  table['\\'] = true;
  table[0x7F] = true;
  return table;
}();

bool NeedsEscape(char c) { return kNeedsEscape[static_cast<unsigned char>(c)]; }

// Runs of characters that need no escape (all of them, in practice) are appended whole: one
// append per character was the access line's largest cost (callgrind).
void AppendJsonString(std::string& out, std::string_view text) {
  constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!NeedsEscape(c)) continue;
    out.append(text.data() + start, i - start);
    start = i + 1;
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  out.append(text.data() + start, text.size() - start);
  out += '"';
}

void AppendName(std::string& out, std::string_view name) {
  out += ",\"";
  out += name;
  out += "\":";
}

void AppendString(std::string& out, std::string_view name, std::string_view value) {
  AppendName(out, name);
  AppendJsonString(out, value);
}

void AppendNumber(std::string& out, std::string_view name, std::uint64_t value) {
  AppendName(out, name);
  std::array<char, 24> digits{};
  const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr;
  out.append(digits.data(), end);
}

}  // namespace

std::string FormatAccessLogFields(const AccessLogFields& fields) {
  std::string line;
  line.reserve(192 + fields.path.size() + fields.error_detail.size());
  line += R"("msg":"request")";
  AppendString(line, "request_id", fields.request_id);
  AppendString(line, "method", fields.method);
  AppendString(line, "route", fields.route);
  AppendString(line, "path", fields.path);
  AppendNumber(line, "status", fields.status);
  AppendNumber(line, "duration_us",
               static_cast<std::uint64_t>(std::max<std::int64_t>(0, fields.duration.count())));
  AppendNumber(line, "bytes", fields.bytes);
  if (!fields.cache.empty()) AppendString(line, "cache", fields.cache);
  if (!fields.trace_id.empty()) AppendString(line, "trace_id", fields.trace_id);
  if (!fields.error_code.empty()) AppendString(line, "error_code", fields.error_code);
  if (!fields.error_detail.empty()) AppendString(line, "error_detail", fields.error_detail);
  line += '}';
  return line;
}

}  // namespace vitrina::telemetry::core
