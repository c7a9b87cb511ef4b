#pragma once

#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "vitrina/api/static_files.hpp"
#include "vitrina/http/core/message.hpp"

namespace vitrina::api {

// What the console's answers allow the browser to do: scripts, styles, images and requests from
// this origin only, nothing inline (no <script> blocks, no style attributes, no eval), DOM
// strings only through Trusted Types (the console builds nodes and sets textContent, so catalog
// data can never become markup), and no framing.
inline constexpr std::string_view kConsoleContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; "
    "require-trusted-types-for 'script'";

// The web console (src/console): a single page at / that talks to this API from the same origin,
// and its files under /console/. They are read from `console_dir` once, at start-up: every file
// directly in it with a served extension (api/static_files.hpp), index.html being the page.
// Every answer carries kConsoleContentSecurityPolicy and the other security headers.
class ConsoleHandlers {
 public:
  explicit ConsoleHandlers(const std::string& console_dir);

  bool installed() const { return files_.contains("index.html"); }

  boost::asio::awaitable<http::core::Response> Page(http::core::Request& request);
  boost::asio::awaitable<http::core::Response> Asset(http::core::Request& request);

 private:
  StaticFiles files_;
};

}  // namespace vitrina::api
