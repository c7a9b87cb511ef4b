#include "vitrina/api/static_files.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "vitrina/http/compression.hpp"
#include "vitrina/http/core/content_coding.hpp"

namespace vitrina::api {
namespace {

std::optional<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  if (!in && !in.eof()) return std::nullopt;
  return content.str();
}

// The compressed bytes if they are worth sending instead of `body`, else empty.
std::string Precompressed(http::core::ContentCoding coding, const std::string& content_type,
                          const std::string& body) {
  if (body.size() < http::core::kCompressMinBytes || content_type.starts_with("image/png")) {
    return {};
  }
  auto compressed = http::Compress(coding, body, http::CompressionEffort::kSmall);
  return compressed.size() < body.size() ? compressed : std::string();
}

bool SameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

// `header` without its members naming `coding` (lower case; "x-gzip" counts as gzip), and with
// "<coding>;q=0" instead, so a "*" cannot select it either.
std::string WithoutCoding(std::string_view header, std::string_view coding) {
  std::string out;
  while (!header.empty()) {
    const auto comma = header.find(',');
    const auto member = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    auto name = member.substr(0, member.find(';'));
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (SameName(name, coding) || (coding == "gzip" && SameName(name, "x-gzip"))) continue;
    out.append(member).append(",");
  }
  return out.append(coding).append(";q=0");
}

}  // namespace

StaticFile MakeStaticFile(std::string content_type, std::string body) {
  StaticFile file{std::move(content_type), std::move(body), {}, {}};
  file.gzip = Precompressed(http::core::ContentCoding::kGzip, file.content_type, file.body);
  file.br = Precompressed(http::core::ContentCoding::kBrotli, file.content_type, file.body);
  return file;
}

http::core::Response ServeStaticFile(const StaticFile& file, const http::core::Request& request) {
  std::optional<std::string> accept_encoding;
  for (const auto& [name, value] : request.headers) {
    if (name != "accept-encoding") continue;
    accept_encoding = accept_encoding ? *accept_encoding + "," + value : value;
  }
  auto preference = http::core::ParseAcceptEncoding(
      accept_encoding ? std::optional<std::string_view>(*accept_encoding) : std::nullopt);
  // Only the codings made for this file can be chosen: ask again with the missing ones refused.
  std::string header = accept_encoding.value_or("");
  bool reduced = false;
  for (const auto& [name, made] : {std::pair<std::string_view, bool>{"br", !file.br.empty()},
                                   std::pair<std::string_view, bool>{"gzip", !file.gzip.empty()}}) {
    if (made) continue;
    header = WithoutCoding(header, name);
    reduced = true;
  }
  if (reduced && accept_encoding) {
    preference = http::core::ParseAcceptEncoding(header);
  } else if (reduced) {
    preference = {};
  }
  http::core::Response response;
  switch (preference.best) {
    case http::core::ContentCoding::kBrotli:
      response = http::core::Response::Json(200, file.br);
      response.headers.emplace_back("Content-Encoding", "br");
      break;
    case http::core::ContentCoding::kGzip:
      response = http::core::Response::Json(200, file.gzip);
      response.headers.emplace_back("Content-Encoding", "gzip");
      break;
    case http::core::ContentCoding::kIdentity:
      response = http::core::Response::Json(200, file.body);
      break;
  }
  response.content_type = file.content_type;
  response.headers.emplace_back("Vary", "Accept-Encoding");
  return response;
}

std::string_view StaticContentType(std::string_view name) {
  struct Type {
    std::string_view extension;
    std::string_view content_type;
  };
  static constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
  };
  for (const auto& type : kTypes) {
    if (name.size() > type.extension.size() && name.ends_with(type.extension)) {
      return type.content_type;
    }
  }
  return {};
}

std::optional<StaticFiles> ReadStaticFiles(const std::string& dir,
                                           std::span<const std::string_view> names) {
  StaticFiles files;
  for (const auto name : names) {
    auto body = ReadFile(std::filesystem::path(dir) / name);
    if (!body) return std::nullopt;
    files.emplace(std::string(name),
                  MakeStaticFile(std::string(StaticContentType(name)), std::move(*body)));
  }
  return files;
}

StaticFiles ReadStaticFolder(const std::string& dir) {
  StaticFiles files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    const auto content_type = StaticContentType(name);
    if (content_type.empty() || !entry.is_regular_file(error)) continue;
    auto body = ReadFile(entry.path());
    if (!body) continue;
    files.emplace(name, MakeStaticFile(std::string(content_type), std::move(*body)));
  }
  return files;
}

}  // namespace vitrina::api
