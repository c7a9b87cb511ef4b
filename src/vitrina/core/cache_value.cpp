#include "vitrina/core/cache_value.hpp"

#include <cstdint>

namespace vitrina::core {
namespace {
constexpr std::string_view kFormatPrefix = "v1 ";
}  // namespace

std::string BodyEtag(std::string_view body) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  const auto mix = [&hash](unsigned char byte) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  };
  for (const char c : body) mix(static_cast<unsigned char>(c));
  for (std::uint64_t size = body.size(); size != 0; size >>= 8) {
    mix(static_cast<unsigned char>(size & 0xFF));
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string tag = "\"";
  for (int shift = 60; shift >= 0; shift -= 4) tag += kHex[(hash >> shift) & 0x0F];
  tag += '"';
  return tag;
}

std::string EncodeStoredResponse(std::string_view etag, std::string_view body) {
  std::string value;
  value.reserve(kFormatPrefix.size() + etag.size() + 1 + body.size());
  value.append(kFormatPrefix).append(etag).append(1, '\n').append(body);
  return value;
}

std::optional<StoredResponse> DecodeStoredResponse(std::string_view value) {
  if (!value.starts_with(kFormatPrefix)) return std::nullopt;
  value.remove_prefix(kFormatPrefix.size());
  const auto newline = value.find('\n');
  if (newline == std::string_view::npos) return std::nullopt;
  return StoredResponse{std::string(value.substr(0, newline)),
                        std::string(value.substr(newline + 1))};
}

}  // namespace vitrina::core
