#include "vitrina/base/json_pretty.hpp"

#include <boost/json/serialize.hpp>

namespace vitrina::base {
namespace {

void Write(std::string& out, const boost::json::value& value, int indent, int depth) {
  const auto newline = [&](int level) {
    out += '\n';
    out.append(static_cast<std::size_t>(indent) * static_cast<std::size_t>(level), ' ');
  };
  if (const auto* object = value.if_object()) {
    if (object->empty()) {
      out += "{}";
      return;
    }
    out += '{';
    bool first = true;
    for (const auto& [key, member] : *object) {
      if (!first) out += ',';
      first = false;
      newline(depth + 1);
      out += boost::json::serialize(boost::json::value(key));
      out += ": ";
      Write(out, member, indent, depth + 1);
    }
    newline(depth);
    out += '}';
  } else if (const auto* array = value.if_array()) {
    if (array->empty()) {
      out += "[]";
      return;
    }
    out += '[';
    bool first = true;
    for (const auto& element : *array) {
      if (!first) out += ',';
      first = false;
      newline(depth + 1);
      Write(out, element, indent, depth + 1);
    }
    newline(depth);
    out += ']';
  } else {
    out += boost::json::serialize(value);
  }
}

}  // namespace

std::string PrettyJson(const boost::json::value& value, int indent) {
  std::string out;
  Write(out, value, indent, 0);
  out += '\n';
  return out;
}

}  // namespace vitrina::base
