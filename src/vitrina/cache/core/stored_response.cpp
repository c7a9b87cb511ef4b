#include "vitrina/cache/core/stored_response.hpp"

#include <cstdint>

namespace vitrina::cache::core {
namespace {
constexpr std::string_view kFormatPrefix = "v2 ";
constexpr std::size_t kEtagSize = 18;
constexpr std::size_t kStampSize = 32;
static_assert(kStoredHeaderSize == kFormatPrefix.size() + kEtagSize + 1 + kStampSize + 1);
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

std::string StoredHeader(std::string_view etag, std::string_view stamp) {
  if (etag.size() != kEtagSize || stamp.size() != kStampSize) return {};
  std::string header;
  header.reserve(kStoredHeaderSize);
  header.append(kFormatPrefix).append(etag).append(1, ' ').append(stamp).append(1, '\n');
  return header;
}

std::string EncodeStoredResponse(std::string_view etag, std::string_view stamp,
                                 std::string_view body) {
  std::string value = StoredHeader(etag, stamp);
  if (value.empty()) return value;
  value.reserve(kStoredHeaderSize + body.size());
  value.append(body);
  return value;
}

std::optional<StoredResponse> DecodeStoredResponse(std::string_view value) {
  if (value.size() < kStoredHeaderSize || !value.starts_with(kFormatPrefix)) return std::nullopt;
  const auto etag = value.substr(kFormatPrefix.size(), kEtagSize);
  const auto stamp = value.substr(kFormatPrefix.size() + kEtagSize + 1, kStampSize);
  if (value[kFormatPrefix.size() + kEtagSize] != ' ' || value[kStoredHeaderSize - 1] != '\n' ||
      etag.front() != '"' || etag.back() != '"') {
    return std::nullopt;
  }
  return StoredResponse{std::string(etag), std::string(stamp),
                        std::string(value.substr(kStoredHeaderSize))};
}

}  // namespace vitrina::cache::core
