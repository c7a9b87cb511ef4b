#include "vitrina/etl/core/etl_source.hpp"

#include "vitrina/etl/core/azure_storage.hpp"

namespace vitrina::etl::core {

namespace {

// Builds "'text'<rest>" with append: g++ 12 at -O3 warns falsely (-Wrestrict) on "'" + string.
std::string Quoted(std::string_view text, std::string_view rest) {
  std::string out;
  out.reserve(text.size() + rest.size() + 2);
  out += '\'';
  out.append(text);
  out += '\'';
  out.append(rest);
  return out;
}

// Blob Storage container names: 3-63 characters of [a-z0-9-], starting with a letter or digit.
bool IsValidContainerName(std::string_view name) {
  if (name.size() < 3 || name.size() > 63 || name.front() == '-') return false;
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

}  // namespace

base::Result<EtlSource> ParseAzureBlobUri(std::string_view text) {
  constexpr std::string_view kScheme = "az://";
  if (text.rfind(kScheme, 0) != 0) {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           Quoted(text, " is not of the form az://container/blob"));
  }
  const std::string_view rest = text.substr(kScheme.size());
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash + 1 >= rest.size()) {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           Quoted(text, " names no blob: use az://container/blob"));
  }
  EtlSource source;
  source.kind = EtlSourceKind::kAzureBlob;
  source.location = std::string(text);
  source.container = std::string(rest.substr(0, slash));
  source.blob = std::string(rest.substr(slash + 1));
  source.redacted = source.location;
  if (!IsValidContainerName(source.container)) {
    return base::MakeError(
        base::ErrorCode::kInvalidArgument,
        Quoted(source.container, " is not a valid container name (3-63 of a-z, 0-9 and '-')"));
  }
  return source;
}

base::Result<EtlSource> ParseEtlSource(std::string_view text) {
  if (text.empty())
    return base::MakeError(base::ErrorCode::kInvalidArgument, "the source is empty");
  if (text.rfind("az://", 0) == 0) return ParseAzureBlobUri(text);
  EtlSource source;
  source.location = std::string(text);
  if (text.rfind("https://", 0) == 0 || text.rfind("http://", 0) == 0) {
    source.kind = EtlSourceKind::kHttp;
    source.redacted = RedactSourceUrl(text);
    return source;
  }
  if (text.find("://") != std::string_view::npos) {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           "unsupported source '" + RedactSourceUrl(text) +
                               "': use a path, an http(s):// URL or az://container/blob");
  }
  source.kind = EtlSourceKind::kLocalFile;
  source.redacted = source.location;
  return source;
}

}  // namespace vitrina::etl::core
