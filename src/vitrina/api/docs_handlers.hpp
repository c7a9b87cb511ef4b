#pragma once

#include <map>
#include <string>

#include <boost/asio/awaitable.hpp>

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
  struct File {
    std::string content_type;
    std::string body;
  };
  std::string openapi_json_;
  std::map<std::string, File, std::less<>> assets_;
};

}  // namespace vitrina::api
