#include "vitrina/base/env_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace vitrina::base {

EnvReader EnvReader::FromProcess() {
  return EnvReader([](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  });
}

std::optional<std::string> EnvReader::OptionalString(std::string_view name) {
  auto value = lookup_(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

std::string EnvReader::String(std::string_view name, std::string_view fallback) {
  return OptionalString(name).value_or(std::string(fallback));
}

std::int64_t EnvReader::Integer(std::string_view name, std::int64_t fallback, std::int64_t min,
                                std::int64_t max) {
  const auto text = OptionalString(name);
  if (!text) return fallback;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size()) {
    problems_.push_back(std::string(name) + "='" + *text + "' is not an integer");
    return fallback;
  }
  if (value < min || value > max) {
    problems_.push_back(std::string(name) + "=" + *text + " is out of range [" +
                        std::to_string(min) + ", " + std::to_string(max) + "]");
    return fallback;
  }
  return value;
}

bool EnvReader::Boolean(std::string_view name, bool fallback) {
  const auto text = OptionalString(name);
  if (!text) return fallback;
  std::string lower = *text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  if (lower == "1" || lower == "true" || lower == "yes" || lower == "on") return true;
  if (lower == "0" || lower == "false" || lower == "no" || lower == "off") return false;
  problems_.push_back(std::string(name) + "='" + *text + "' is not a boolean (use true or false)");
  return fallback;
}

std::string EnvReader::Choice(std::string_view name, std::string_view fallback,
                              const std::vector<std::string>& choices) {
  std::string value = String(name, fallback);
  if (std::find(choices.begin(), choices.end(), value) != choices.end()) return value;
  std::string list;
  for (const auto& choice : choices) list += (list.empty() ? "" : ", ") + choice;
  problems_.push_back(std::string(name) + "='" + value + "' must be one of: " + list);
  return std::string(fallback);
}

std::string EnvReader::Url(std::string_view name, std::string_view fallback,
                           const std::vector<std::string>& schemes) {
  std::string value = String(name, fallback);
  if (value.empty()) return value;
  for (const auto& scheme : schemes) {
    if (value.rfind(scheme, 0) == 0 && value.size() > scheme.size()) return value;
  }
  std::string list;
  for (const auto& scheme : schemes) list += (list.empty() ? "" : " or ") + scheme;
  problems_.push_back(std::string(name) + " must start with " + list);
  return std::string(fallback);
}

std::string EnvReader::ReadableFile(std::string_view name) {
  auto path = OptionalString(name);
  if (!path) return {};
  if (file_check_ && !file_check_(*path)) {
    problems_.push_back(std::string(name) + "=" + *path + " cannot be read");
  }
  return *path;
}

}  // namespace vitrina::base
