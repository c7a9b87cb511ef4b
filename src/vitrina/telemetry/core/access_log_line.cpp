#include "vitrina/telemetry/core/access_log_line.hpp"

#include <algorithm>

namespace vitrina::telemetry::core {
namespace {

void AppendJsonString(std::string& out, std::string_view text) {
  constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7F) {
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else {
      out += c;
    }
  }
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
  out += std::to_string(value);
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
