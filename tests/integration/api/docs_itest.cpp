// /openapi.json and /docs (Swagger UI from local files), including a render in headless
// Chromium with no network.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/test_env.hpp"

namespace vitrina::itest {
namespace {

class Docs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!AdminDatabaseUrl()) return;
    const auto url = LoadDiamondsDatabase("vitrina_api_itest_docs", MakeDiamonds(5));
    server_ = new ServerProcess(ServerEnv(url, SourcePath("datasets/diamonds.yaml")), FreePort());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { VITRINA_REQUIRE(AdminDatabaseUrl(), "DATABASE_URL is not set"); }
  static bool DocsInstalled() { return Fetch(server_->port(), "GET", "/docs").status == 200; }

  static inline ServerProcess* server_ = nullptr;
};

TEST_F(Docs, OpenApiDocumentsEveryEndpointAndTheSpecFilters) {
  const auto reply = Fetch(server_->port(), "GET", "/openapi.json");
  ASSERT_EQ(reply.status, 200u);
  const auto document = reply.Json();
  EXPECT_EQ(document.at("openapi"), "3.1.0");
  const auto& paths = document.at("paths").as_object();
  for (const char* path : {"/catalog", "/catalog/{id}", "/healthz", "/readyz", "/signup", "/login",
                           "/token/refresh", "/me", "/users", "/users/{uid}"}) {
    EXPECT_TRUE(paths.contains(path)) << path;
  }
  std::string names;
  for (const auto& parameter : paths.at("/catalog").at("get").at("parameters").as_array()) {
    names += std::string(parameter.at("name").as_string()) + " ";
  }
  EXPECT_EQ(names,
            "carat_min carat_max cut color clarity depth_min depth_max table_min table_max "
            "price_min price_max x_min x_max y_min y_max z_min z_max limit cursor sort fields ");
  EXPECT_EQ(document.at("components").at("securitySchemes").at("bearerAuth").at("bearerFormat"),
            "JWT");
}

TEST_F(Docs, DocsPageAndAssetsAreServedLocally) {
  // /docs not answering 200 is a product bug (or a broken install): a failure, never a skip.
  ASSERT_TRUE(DocsInstalled()) << "GET /docs did not answer 200 (DOCS_DIR; tools/install-deps.sh)";
  const auto page = Fetch(server_->port(), "GET", "/docs");
  EXPECT_EQ(page.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("swagger-ui"), std::string::npos);
  const auto init = Fetch(server_->port(), "GET", "/docs/swagger-initializer.js");
  EXPECT_NE(init.body.find("/openapi.json"), std::string::npos);
  const auto bundle = Fetch(server_->port(), "GET", "/docs/swagger-ui-bundle.js");
  EXPECT_EQ(bundle.status, 200u);
  EXPECT_GT(bundle.body.size(), 100'000u);
  EXPECT_EQ(Fetch(server_->port(), "GET", "/docs/package.json").status, 404u);
  EXPECT_EQ(Fetch(server_->port(), "GET", "/docs/..%2F..%2Fetc%2Fpasswd").status, 404u);
}

std::string RunCommand(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
  pclose(pipe);
  return output;
}

TEST_F(Docs, SwaggerUiRendersTheOperationsInHeadlessChromium) {
  VITRINA_REQUIRE(std::system("command -v chromium >/dev/null 2>&1") == 0,
                  "chromium is not installed (tools/install-deps.sh --with-browser)");
  ASSERT_TRUE(DocsInstalled()) << "GET /docs did not answer 200 (DOCS_DIR; tools/install-deps.sh)";
  const auto profile =
      std::filesystem::temp_directory_path() / ("vitrina-chromium-" + std::to_string(getpid()));
  std::filesystem::create_directories(profile);
  // No network besides the server: every asset must come from /docs.
  const std::string command =
      "timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync "
      "--user-data-dir=" +
      profile.string() +
      " --virtual-time-budget=5000 --dump-dom http://127.0.0.1:" + std::to_string(server_->port()) +
      "/docs 2>/dev/null";
  const std::string dom = RunCommand(command);
  std::filesystem::remove_all(profile);
  EXPECT_NE(dom.find("swagger-ui"), std::string::npos) << dom.substr(0, 2000);
  EXPECT_NE(dom.find("opblock"), std::string::npos) << "no operations rendered";
  EXPECT_NE(dom.find("/catalog/{id}"), std::string::npos);
  EXPECT_NE(dom.find("/catalog"), std::string::npos);
  EXPECT_NE(dom.find("/token/refresh"), std::string::npos);
}

}  // namespace
}  // namespace vitrina::itest
