// POST/PUT/DELETE /catalog over real HTTP: the development admin token, spec validation, the
// error shapes, and that writes are visible to reads.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/test_env.hpp"

namespace vitrina::itest {
namespace {

constexpr const char* kToken = "itest-admin-token";
const HeaderList kAdmin = {{"Authorization", std::string("Bearer ") + kToken}};

constexpr const char* kNewDiamond =
    R"({"carat":1.25,"cut":"Ideal","color":"F","clarity":"VS1","depth":61.7,"table":56,)"
    R"("price":9000,"x":6.9,"y":6.95,"z":4.28})";

class CatalogWrites : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!AdminDatabaseUrl()) return;
    const auto url = LoadDiamondsDatabase("vitrina_api_itest_writes", MakeDiamonds(20));
    auto env = ServerEnv(url, SourcePath("datasets/diamonds.yaml"));
    env["DEV_ADMIN_TOKEN"] = kToken;
    server_ = new ServerProcess(env, FreePort());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { VITRINA_REQUIRE(AdminDatabaseUrl(), "DATABASE_URL is not set"); }

  static HttpReply Call(const std::string& method, const std::string& target,
                        const std::string& body = {}, const HeaderList& headers = kAdmin) {
    auto all = headers;
    if (!body.empty()) all.emplace_back("Content-Type", "application/json");
    return Fetch(server_->port(), method, target, body, all);
  }

  static inline ServerProcess* server_ = nullptr;
};

TEST_F(CatalogWrites, WritesWithoutAValidTokenAre401WithABearerChallenge) {
  for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/catalog"}, {"PUT", "/catalog/1"}, {"DELETE", "/catalog/1"}}) {
    for (const HeaderList& headers : {HeaderList{}, HeaderList{{"Authorization", "Bearer wrong"}},
                                      HeaderList{{"Authorization", "Basic aXRlc3Q="}}}) {
      const auto reply = Call(method, target, kNewDiamond, headers);
      EXPECT_EQ(reply.status, 401u) << method << " " << target;
      EXPECT_EQ(reply.Header("www-authenticate"), "Bearer");
      EXPECT_EQ(reply.Json().at("error").at("code"), "unauthenticated");
    }
  }
  EXPECT_EQ(Call("GET", "/catalog/1").status, 200u);  // and nothing was deleted
}

TEST_F(CatalogWrites, CreateAnswers201WithLocationAndTheStoredItem) {
  const auto reply = Call("POST", "/catalog", kNewDiamond);
  ASSERT_EQ(reply.status, 201u) << reply.body;
  const auto item = reply.Json();
  const auto id = item.at("id").as_int64();
  EXPECT_GT(id, 20);
  EXPECT_EQ(reply.Header("location"), "/catalog/" + std::to_string(id));
  EXPECT_EQ(item.at("cut"), "Ideal");
  EXPECT_EQ(item.at("price").as_int64(), 9000);
  EXPECT_EQ(Call("GET", reply.Header("location")).body, reply.body);
}

TEST_F(CatalogWrites, InvalidFieldsAreReportedOnePerFieldBySpecRules) {
  const auto reply =
      Call("POST", "/catalog",
           R"({"carat":0,"cut":"Ideal","color":"F","clarity":"VS1","depth":161,"table":56,)"
           R"("price":"cheap","x":6.9,"y":6.95})");
  ASSERT_EQ(reply.status, 400u);
  const auto error = reply.Json().at("error");
  EXPECT_EQ(error.at("code"), "invalid_argument");
  const auto& fields = error.at("fields").as_object();
  EXPECT_EQ(fields.at("carat"), "must be greater than 0");
  EXPECT_EQ(fields.at("depth"), "must be at most 100");
  EXPECT_EQ(fields.at("price"), "must be an integer");
  EXPECT_EQ(fields.at("z"), "is required");
  EXPECT_EQ(fields.size(), 4u);
}

TEST_F(CatalogWrites, UnknownFieldsAndABodyIdAreRefused) {
  auto body = boost::json::parse(kNewDiamond).as_object();
  body["sparkle"] = 11;
  body["id"] = 5;
  const auto reply = Call("POST", "/catalog", boost::json::serialize(body));
  ASSERT_EQ(reply.status, 400u);
  const auto parsed = reply.Json();
  const auto& fields = parsed.at("error").at("fields").as_object();
  EXPECT_TRUE(fields.contains("sparkle"));
  EXPECT_TRUE(fields.contains("id"));
}

TEST_F(CatalogWrites, MalformedJsonIs400) {
  for (const char* body : {"{\"carat\":", "not json", "[1,2,3]", "\"text\""}) {
    const auto reply = Call("POST", "/catalog", body);
    EXPECT_EQ(reply.status, 400u) << body;
    EXPECT_EQ(reply.Json().at("error").at("code"), "invalid_argument") << body;
  }
}

TEST_F(CatalogWrites, ReplaceStoresTheNewVersionAndAnswersIt) {
  auto body = boost::json::parse(kNewDiamond).as_object();
  body["price"] = 1234;
  body["cut"] = "Fair";
  const auto reply = Call("PUT", "/catalog/3", boost::json::serialize(body));
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(reply.Json().at("id").as_int64(), 3);
  EXPECT_EQ(reply.Json().at("price").as_int64(), 1234);
  EXPECT_EQ(Call("GET", "/catalog/3").Json().at("cut"), "Fair");
  const auto listed = Call("GET", "/catalog?price_min=1234&price_max=1234").Json();
  EXPECT_EQ(listed.at("count").as_int64(), 1);
}

TEST_F(CatalogWrites, ReplaceValidatesAndAnswers404ForAMissingItem) {
  EXPECT_EQ(Call("PUT", "/catalog/3", R"({"carat":1})").status, 400u);
  const auto missing = Call("PUT", "/catalog/424242", kNewDiamond);
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.Json().at("error").at("code"), "not_found");
  EXPECT_EQ(Call("PUT", "/catalog/x", kNewDiamond).status, 400u);
}

TEST_F(CatalogWrites, DeleteAnswers204ThenTheItemIsGone) {
  const auto reply = Call("DELETE", "/catalog/5");
  EXPECT_EQ(reply.status, 204u);
  EXPECT_TRUE(reply.body.empty());
  EXPECT_EQ(Call("GET", "/catalog/5").status, 404u);
  EXPECT_EQ(Call("DELETE", "/catalog/5").status, 404u);
}

TEST(CatalogWritesWithoutDevToken, EveryWriteIs401) {
  VITRINA_REQUIRE(AdminDatabaseUrl(), "DATABASE_URL is not set");
  const auto url = LoadDiamondsDatabase("vitrina_api_itest_notoken", MakeDiamonds(3));
  ServerProcess server(ServerEnv(url, SourcePath("datasets/diamonds.yaml")), FreePort());
  const HeaderList guess = {{"Authorization", "Bearer "}, {"Content-Type", "application/json"}};
  EXPECT_EQ(Fetch(server.port(), "POST", "/catalog", kNewDiamond, guess).status, 401u);
  EXPECT_EQ(Fetch(server.port(), "DELETE", "/catalog/1", {}, guess).status, 401u);
}

}  // namespace
}  // namespace vitrina::itest
