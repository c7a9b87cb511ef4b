#pragma once

#include <string>

#include <boost/asio/awaitable.hpp>

#include "vitrina/api/static_files.hpp"
#include "vitrina/http/core/message.hpp"

namespace vitrina::api {

// /openapi.json (generated once at start-up) and /docs, Swagger UI served from the local
// swagger-ui-dist files so it works without internet. The page and its initializer are ours
// (pointing at /openapi.json); the other assets are read from `docs_dir` once, at start-up.
class DocsHandlers {
 public:
  DocsHandlers(std::string openapi_json, const std::string& docs_dir);

  bool has_assets() const { return !assets_.empty(); }

  boost::asio::awaitable<http::core::Response> OpenApi(http::core::Request& request);
  boost::asio::awaitable<http::core::Response> Page(http::core::Request& request);
  boost::asio::awaitable<http::core::Response> Asset(http::core::Request& request);

 private:
  StaticFile openapi_json_;
  StaticFile page_;
  StaticFiles assets_;
};

}  // namespace vitrina::api
