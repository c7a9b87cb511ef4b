#include "vitrina/cache/core/stored_response.hpp"

#include <cstdint>

#include <boost/uuid/detail/sha1.hpp>

namespace vitrina::cache::core {
namespace {
constexpr std::string_view kFormatPrefix = "v2 ";
constexpr std::string_view kSharedPrefix = "r2 ";
constexpr std::string_view kGzipPrefix = "g2 ";
constexpr std::string_view kBrotliPrefix = "b2 ";
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

std::string StoredHeader(std::string_view etag, std::string_view stamp, bool shared) {
  if (etag.size() != kEtagSize || stamp.size() != kStampSize) return {};
  std::string header;
  header.reserve(kStoredHeaderSize);
  header.append(shared ? kSharedPrefix : kFormatPrefix)
      .append(etag)
      .append(1, ' ')
      .append(stamp)
      .append(1, '\n');
  return header;
}

std::string StoredResponse::Header() const {
  return StoredHeader(etag, stamp, !shared_body_key.empty());
}

std::string EncodeSharedReference(std::string_view etag, std::string_view stamp,
                                  std::string_view shared_body_key) {
  std::string value = StoredHeader(etag, stamp, /*shared=*/true);
  if (value.empty()) return value;
  value.append(shared_body_key);
  return value;
}

std::string SharedBodyKey(std::string_view body) {
  boost::uuids::detail::sha1 hash;
  hash.process_bytes(body.data(), body.size());
  boost::uuids::detail::sha1::digest_type digest;
  hash.get_digest(digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key = "vitrina:body:";
  for (const auto word : digest) {
    for (int shift = 28; shift >= 0; shift -= 4) key += kHex[(word >> shift) & 0x0F];
  }
  return key;
}

std::string EncodeStoredResponse(std::string_view etag, std::string_view stamp,
                                 std::string_view body) {
  std::string value = StoredHeader(etag, stamp);
  if (value.empty()) return value;
  value.reserve(kStoredHeaderSize + body.size());
  value.append(body);
  return value;
}

namespace {

std::string_view VariantPrefix(http::core::ContentCoding coding) {
  switch (coding) {
    case http::core::ContentCoding::kGzip:
      return kGzipPrefix;
    case http::core::ContentCoding::kBrotli:
      return kBrotliPrefix;
    case http::core::ContentCoding::kIdentity:
      break;
  }
  return {};
}

// The etag and stamp of a header line starting with `prefix`, nullopt when malformed.
std::optional<std::pair<std::string_view, std::string_view>> ParseHeader(std::string_view value,
                                                                         std::string_view prefix) {
  if (value.size() < kStoredHeaderSize || !value.starts_with(prefix)) return std::nullopt;
  const auto etag = value.substr(prefix.size(), kEtagSize);
  const auto stamp = value.substr(prefix.size() + kEtagSize + 1, kStampSize);
  if (value[prefix.size() + kEtagSize] != ' ' || value[kStoredHeaderSize - 1] != '\n' ||
      etag.front() != '"' || etag.back() != '"') {
    return std::nullopt;
  }
  return std::pair{etag, stamp};
}

}  // namespace

std::string EncodeVariant(http::core::ContentCoding coding, std::string_view etag,
                          std::string_view stamp, std::string_view bytes) {
  const auto prefix = VariantPrefix(coding);
  if (prefix.empty() || etag.size() != kEtagSize || stamp.size() != kStampSize) return {};
  std::string value;
  value.reserve(kStoredHeaderSize + bytes.size());
  value.append(prefix).append(etag).append(1, ' ').append(stamp).append(1, '\n').append(bytes);
  return value;
}

std::optional<StoredResponse> DecodeVariant(http::core::ContentCoding coding,
                                            std::string_view value) {
  const auto prefix = VariantPrefix(coding);
  if (prefix.empty()) return std::nullopt;
  const auto parsed = ParseHeader(value, prefix);
  if (!parsed) return std::nullopt;
  return StoredResponse{std::string(parsed->first),
                        std::string(parsed->second),
                        std::string(value.substr(kStoredHeaderSize)),
                        {}};
}

std::string VariantKey(std::string_view key, http::core::ContentCoding coding) {
  return "{" + std::string(key) + "}:" + std::string(http::core::ContentCodingName(coding));
}

std::optional<StoredResponse> DecodeStoredResponse(std::string_view value) {
  const bool shared = value.starts_with(kSharedPrefix);
  if (value.size() < kStoredHeaderSize || !(shared || value.starts_with(kFormatPrefix))) {
    return std::nullopt;
  }
  const auto etag = value.substr(kFormatPrefix.size(), kEtagSize);
  const auto stamp = value.substr(kFormatPrefix.size() + kEtagSize + 1, kStampSize);
  if (value[kFormatPrefix.size() + kEtagSize] != ' ' || value[kStoredHeaderSize - 1] != '\n' ||
      etag.front() != '"' || etag.back() != '"') {
    return std::nullopt;
  }
  if (shared) {
    const auto key = value.substr(kStoredHeaderSize);
    if (!key.starts_with("vitrina:body:")) return std::nullopt;
    return StoredResponse{std::string(etag), std::string(stamp), {}, std::string(key)};
  }
  return StoredResponse{
      std::string(etag), std::string(stamp), std::string(value.substr(kStoredHeaderSize)), {}};
}

}  // namespace vitrina::cache::core
