#include "vitrina/core/telemetry_access_log.hpp"

#include <cstdio>

#include "vitrina/core/telemetry_time.hpp"

namespace vitrina::core {
namespace {

// JSON string escaping by hand: the line is built on every request and this is cheaper than a
// JSON DOM; paths and ids are attacker-controlled, so every control character is escaped.
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

void AppendField(std::string& out, std::string_view name) {
  out += out.size() > 1 ? ",\"" : "\"";
  out += name;
  out += "\":";
}

}  // namespace

std::string FormatAccessLogLine(const AccessLogEntry& entry) {
  std::string line;
  line.reserve(256 + entry.path.size());
  line += '{';
  AppendField(line, "time");
  AppendJsonString(line, FormatTelemetryTime(entry.time));
  AppendField(line, "request_id");
  AppendJsonString(line, entry.request_id);
  AppendField(line, "trace_id");
  AppendJsonString(line, entry.trace_id);
  AppendField(line, "method");
  AppendJsonString(line, entry.method);
  AppendField(line, "route");
  AppendJsonString(line, entry.route);
  AppendField(line, "path");
  AppendJsonString(line, entry.path);
  AppendField(line, "status");
  line += std::to_string(entry.status);
  AppendField(line, "duration_ms");
  const long long micros = entry.duration.count() < 0 ? 0 : entry.duration.count();
  char number[32];
  const int size =
      std::snprintf(number, sizeof number, "%lld.%03lld", micros / 1000, micros % 1000);
  line.append(number, static_cast<std::size_t>(size));
  AppendField(line, "cache");
  if (entry.cache_result.empty()) {
    line += "null";
  } else {
    AppendJsonString(line, entry.cache_result);
  }
  AppendField(line, "user_id");
  if (entry.user_id) {
    AppendJsonString(line, *entry.user_id);
  } else {
    line += "null";
  }
  AppendField(line, "bytes");
  line += std::to_string(entry.bytes);
  line += '}';
  return line;
}

}  // namespace vitrina::core
