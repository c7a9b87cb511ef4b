// The web console (src/console) served at / and /console/ by the API itself: every file as it is
// on disk, with its type, and a strict Content-Security-Policy on every answer. The console's
// behaviour in a browser is tested by tests/integration/console/console_itest.sh.
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/test_env.hpp"

namespace vitrina::itest {
namespace {

// Written out here, not taken from the server's constant, so that loosening it is a visible
// change to this test.
constexpr const char* kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; "
    "require-trusted-types-for 'script'";

std::string ReadSource(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

class Console : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!AdminDatabaseUrl()) return;
    const auto url = LoadDiamondsDatabase("vitrina_api_itest_console", MakeDiamonds(5));
    server_ = new ServerProcess(ServerEnv(url, SourcePath("datasets/diamonds.yaml")), FreePort());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { VITRINA_REQUIRE(AdminDatabaseUrl(), "DATABASE_URL is not set"); }
  static HttpReply Get(const std::string& target) { return Fetch(server_->port(), "GET", target); }

  static void ExpectSecurityHeaders(const HttpReply& reply, const std::string& target) {
    EXPECT_EQ(reply.Header("content-security-policy"), kPolicy) << target;
    EXPECT_EQ(reply.Header("x-content-type-options"), "nosniff") << target;
    EXPECT_EQ(reply.Header("x-frame-options"), "DENY") << target;
    EXPECT_EQ(reply.Header("referrer-policy"), "no-referrer") << target;
    EXPECT_EQ(reply.Header("cross-origin-opener-policy"), "same-origin") << target;
  }

  static inline ServerProcess* server_ = nullptr;
};

TEST_F(Console, PageIsServedAtTheRootWithAStrictPolicy) {
  const auto page = Get("/");
  ASSERT_EQ(page.status, 200u) << page.body;
  EXPECT_EQ(page.Header("content-type"), "text/html; charset=utf-8");
  ExpectSecurityHeaders(page, "/");
  EXPECT_EQ(page.body, ReadSource(SourcePath("src/console/index.html")));
  const std::string policy = page.Header("content-security-policy");
  EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(policy.find("unsafe-eval"), std::string::npos);
}

TEST_F(Console, PageHasNoInlineScriptStyleOrHandlers) {
  const std::string html = ReadSource(SourcePath("src/console/index.html"));
  const std::regex script_tag(R"(<script\b[^>]*>)", std::regex::icase);
  int scripts = 0;
  for (std::sregex_iterator it(html.begin(), html.end(), script_tag), end; it != end; ++it) {
    ++scripts;
    EXPECT_NE(it->str().find(" src=\"/console/"), std::string::npos) << it->str();
  }
  EXPECT_GT(scripts, 0);
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(<style\b)", std::regex::icase)));
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(\sstyle\s*=)", std::regex::icase)));
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(\son[a-z]+\s*=)", std::regex::icase)));
}

TEST_F(Console, EveryConsoleFileIsServedAsOnDiskWithItsType) {
  int served = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SourcePath("src/console"))) {
    const std::string name = entry.path().filename().string();
    const std::string target = "/console/" + name;
    const auto reply = Get(target);
    ASSERT_EQ(reply.status, 200u) << target;
    EXPECT_EQ(reply.body, ReadSource(entry.path())) << target;
    ExpectSecurityHeaders(reply, target);
    const std::string extension = entry.path().extension().string();
    const std::map<std::string, std::string> types = {{".html", "text/html; charset=utf-8"},
                                                      {".js", "text/javascript; charset=utf-8"},
                                                      {".css", "text/css; charset=utf-8"},
                                                      {".svg", "image/svg+xml"}};
    ASSERT_TRUE(types.contains(extension)) << target << ": a file type the test does not know";
    EXPECT_EQ(reply.Header("content-type"), types.at(extension)) << target;
    ++served;
  }
  EXPECT_GE(served, 5);
}

TEST_F(Console, NamesOutsideTheFolderAreNotFound) {
  for (const char* target : {"/console/missing.js", "/console/..%2F..%2Fsrc%2Fvitrina%2Fapi",
                             "/console/../index.html", "/console/", "/index.html"}) {
    EXPECT_EQ(Get(target).status, 404u) << target;
  }
}

TEST_F(Console, ApiAnswersDoNotCarryTheConsolesPolicy) {
  // The policy is the page's: JSON answers are read by fetch, never rendered.
  const auto reply = Get("/healthz");
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.Header("content-security-policy"), "");
}

}  // namespace
}  // namespace vitrina::itest
