#include "vitrina/api/docs_handlers.hpp"

#include "vitrina/http/core/error_response.hpp"

namespace vitrina::api {

namespace asio = boost::asio;

namespace {

// Only these files of swagger-ui-dist are served (the package holds 12 MB; these are 2 MB).
constexpr std::string_view kAssets[] = {
    "swagger-ui.css",       "index.css",
    "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
    "favicon-16x16.png",    "favicon-32x32.png",
};

constexpr const char* kPage = R"(<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <title>Vitrina API</title>
  <link rel="stylesheet" type="text/css" href="/docs/swagger-ui.css">
  <link rel="stylesheet" type="text/css" href="/docs/index.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js" charset="UTF-8"></script>
  <script src="/docs/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
  <script src="/docs/swagger-initializer.js" charset="UTF-8"></script>
</body>
</html>
)";

// validatorUrl: null keeps the page from calling the public validator (no internet here).
constexpr const char* kInitializer = R"(window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout"
  });
};
)";

http::core::Response Text(const StaticFile& file, const http::core::Request& request) {
  http::core::Response response = ServeStaticFile(file, request);
  response.headers.emplace_back("Cache-Control", "public, max-age=3600");
  return response;
}

}  // namespace

DocsHandlers::DocsHandlers(std::string openapi_json, const std::string& docs_dir)
    : openapi_json_(MakeStaticFile("application/json", std::move(openapi_json))),
      page_(MakeStaticFile("text/html; charset=utf-8", kPage)) {
  auto assets = ReadStaticFiles(docs_dir, kAssets);
  if (!assets) return;
  assets_ = std::move(*assets);
  assets_["swagger-initializer.js"] =
      MakeStaticFile(std::string(StaticContentType("swagger-initializer.js")), kInitializer);
}

asio::awaitable<http::core::Response> DocsHandlers::OpenApi(http::core::Request& request) {
  co_return ServeStaticFile(openapi_json_, request);
}

asio::awaitable<http::core::Response> DocsHandlers::Page(http::core::Request& request) {
  if (assets_.empty()) {
    co_return http::core::ErrorResponse(base::MakeError(
        base::ErrorCode::kNotFound, "API docs are not installed (see DOCS_DIR); /openapi.json is"));
  }
  co_return Text(page_, request);
}

asio::awaitable<http::core::Response> DocsHandlers::Asset(http::core::Request& request) {
  const auto found = assets_.find(request.Param("asset"));
  if (found == assets_.end()) co_return http::core::NotFoundResponse(request.path);
  co_return Text(found->second, request);
}

}  // namespace vitrina::api
