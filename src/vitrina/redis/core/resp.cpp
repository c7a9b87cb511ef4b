#include "vitrina/redis/core/resp.hpp"

#include <charconv>

namespace vitrina::redis::core {
namespace {

void AppendHeader(std::string& out, char kind, std::size_t count) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, count).ptr;
  out += kind;
  out.append(digits, end);
  out += "\r\n";
}

}  // namespace

void AppendCommand(std::string& out, const std::vector<std::string>& args) {
  std::size_t size = 16;
  for (const auto& arg : args) size += arg.size() + 16;
  out.reserve(out.size() + size);
  AppendHeader(out, '*', args.size());
  for (const auto& arg : args) {
    AppendHeader(out, '$', arg.size());
    out += arg;
    out += "\r\n";
  }
}

}  // namespace vitrina::redis::core
