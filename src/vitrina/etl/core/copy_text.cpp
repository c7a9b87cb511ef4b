#include "vitrina/etl/core/copy_text.hpp"

#include <charconv>
#include <cstdint>

#include "vitrina/base/text.hpp"

namespace vitrina::etl::core {

void AppendCopyText(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

void AppendCopyField(std::string& out, const catalog::core::FieldValue& value) {
  struct Appender {
    std::string& out;
    void operator()(std::monostate) const { out += "\\N"; }
    void operator()(const std::string& text) const { AppendCopyText(out, text); }
    void operator()(std::int64_t integer) const {
      char buffer[24];
      const auto result = std::to_chars(buffer, buffer + sizeof(buffer), integer);
      out.append(buffer, result.ptr);
    }
    void operator()(double number) const { out += base::FormatNumber(number); }
    void operator()(bool flag) const { out += flag ? "t" : "f"; }
    // ISO 8601, which COPY reads whatever the session's DateStyle; a timestamp carries its Z, so
    // the session's time zone does not matter either.
    void operator()(catalog::core::Date date) const { out += catalog::core::FormatDate(date); }
    void operator()(catalog::core::Timestamp timestamp) const {
      out += catalog::core::FormatTimestamp(timestamp);
    }
  };
  std::visit(Appender{out}, value);
}

}  // namespace vitrina::etl::core
