#include "vitrina/api/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

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

}  // namespace

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
                  StaticFile{std::string(StaticContentType(name)), std::move(*body)});
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
    files.emplace(name, StaticFile{std::string(content_type), std::move(*body)});
  }
  return files;
}

}  // namespace vitrina::api
