#include "vitrina/http/core/framing.hpp"

#include "vitrina/base/text.hpp"

namespace vitrina::http::core {
namespace {

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view WithoutWeakPrefix(std::string_view tag) {
  return tag.starts_with("W/") ? tag.substr(2) : tag;
}

}  // namespace

std::optional<base::Error> CheckFraming(const RequestFraming& framing) {
  if (!framing.transfer_codings.empty()) {
    const bool only_chunked =
        framing.transfer_codings.size() == 1 &&
        EqualsIgnoringCase(base::TrimAscii(framing.transfer_codings[0]), "chunked");
    if (!only_chunked) {
      return base::MakeError(base::ErrorCode::kNotImplemented,
                             "Transfer-Encoding other than chunked is not supported");
    }
    if (framing.has_content_length) {
      return base::MakeError(base::ErrorCode::kInvalidArgument,
                             "Transfer-Encoding and Content-Length together are refused");
    }
  }
  if (framing.version >= 11 && framing.host_fields != 1) {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           framing.host_fields == 0 ? "an HTTP/1.1 request needs a Host header"
                                                    : "more than one Host header");
  }
  return std::nullopt;
}

bool IfNoneMatchMatches(std::string_view header, std::string_view etag) {
  header = base::TrimAscii(header);
  if (header.empty() || etag.empty()) return false;
  if (header == "*") return true;
  const std::string_view current = WithoutWeakPrefix(etag);
  while (!header.empty()) {
    const auto comma = header.find(',');
    const std::string_view member = base::TrimAscii(header.substr(0, comma));
    const std::string_view opaque = WithoutWeakPrefix(member);
    if (opaque.size() >= 2 && opaque.front() == '"' && opaque.back() == '"' && opaque == current) {
      return true;
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

std::string ChunkSizeLine(std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  char digits[2 * sizeof(std::size_t)];
  std::size_t count = 0;
  do {
    digits[count++] = kHex[size & 0xF];
    size >>= 4;
  } while (size != 0);
  std::string line;
  line.reserve(count + 2);
  while (count > 0) line += digits[--count];
  line += "\r\n";
  return line;
}

std::string EncodeChunk(std::string_view bytes) {
  if (bytes.empty()) return {};
  std::string chunk = ChunkSizeLine(bytes.size());
  chunk += bytes;
  chunk += kChunkEnd;
  return chunk;
}

}  // namespace vitrina::http::core
