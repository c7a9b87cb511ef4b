#pragma once

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "vitrina/http/core/message.hpp"

namespace vitrina::api {

// Files served from memory: read from a folder once, at start-up. A request can only name a file
// that was found then (one path segment looked up in this map), so nothing outside the folder,
// and nothing added to it later, can be reached.
struct StaticFile {
  std::string content_type;
  std::string body;
  // The body in gzip and br, made once when the file is read (never per request); empty when
  // compressing does not pay (under http::core::kCompressMinBytes, images, or no smaller).
  std::string gzip;
  std::string br;
};

// A file read from memory: compressed copies made now (http::CompressionEffort::kSmall).
StaticFile MakeStaticFile(std::string content_type, std::string body);

// A 200 answer with `file` in the coding the request's Accept-Encoding prefers among those made
// for it (Content-Encoding set), and Vary: Accept-Encoding.
http::core::Response ServeStaticFile(const StaticFile& file, const http::core::Request& request);
using StaticFiles = std::map<std::string, StaticFile, std::less<>>;

// The Content-Type for a file name by its extension (.html, .css, .js, .mjs, .json, .svg, .png),
// empty for any other extension: such files are never served.
std::string_view StaticContentType(std::string_view name);

// Exactly `names` from `dir`, or nullopt when one of them is missing or unreadable (a page with
// half its files renders blank, so it is all or nothing).
std::optional<StaticFiles> ReadStaticFiles(const std::string& dir,
                                           std::span<const std::string_view> names);

// Every regular file directly in `dir` with a served extension; empty when `dir` is missing.
StaticFiles ReadStaticFolder(const std::string& dir);

}  // namespace vitrina::api
