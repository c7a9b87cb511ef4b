// Firebase identity wired into `vitrina serve`, over real HTTP against the Auth emulator:
// sign-up, login, bearer tokens on the catalog, and the users table deciding what a caller may do.
#include <chrono>
#include <thread>
#include <unistd.h>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/test_env.hpp"

namespace vitrina::itest {
namespace {

constexpr const char* kNewDiamond =
    R"({"carat":1.25,"cut":"Ideal","color":"F","clarity":"VS1","depth":61.7,"table":56,)"
    R"("price":9000,"x":6.9,"y":6.95,"z":4.28})";
const HeaderList kJson = {{"Content-Type", "application/json"}};

// The emulator keeps accounts between runs: every run signs up new addresses.
std::string UniqueEmail(const std::string& name) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return name + "-" + std::to_string(getpid()) + "-" +
         std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now).count()) +
         "@example.com";
}

HeaderList Bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

HeaderList BearerJson(const std::string& token) {
  auto headers = Bearer(token);
  headers.emplace_back("Content-Type", "application/json");
  return headers;
}

// Repeats a request until it answers `status`: the user-status cache keeps a row for up to
// USER_STATUS_FRESHNESS_MS (1 s here), so the change must show within that; the deadline is five
// times it, room for a loaded machine, and costs nothing when the answer comes on time.
HttpReply EventuallyStatus(unsigned status, const std::function<HttpReply()>& call) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(5000);
  HttpReply reply = call();
  while (reply.status != status && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    reply = call();
  }
  return reply;
}

class ApiAuth : public ::testing::Test {
 protected:
  void SetUp() override {
    VITRINA_REQUIRE_ENV(emulator, "FIREBASE_AUTH_EMULATOR_HOST");
    VITRINA_REQUIRE_ENV(project, "FIREBASE_PROJECT_ID");
    VITRINA_REQUIRE_ENV(admin_url, "DATABASE_URL");
    VITRINA_REQUIRE_ENV(redis, "REDIS_URL");
    if (server_ == nullptr) {
      url_ = LoadDiamondsDatabase("vitrina_api_itest_auth", MakeDiamonds(10));
      auto env = ServerEnv(url_, SourcePath("datasets/diamonds.yaml"));
      env["FIREBASE_AUTH_EMULATOR_HOST"] = emulator;
      env["FIREBASE_PROJECT_ID"] = project;
      env["REDIS_URL"] = redis;
      env["DEV_ADMIN_TOKEN"] = "not-used-with-firebase";
      server_ = new ServerProcess(env, FreePort());
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static HttpReply Call(const std::string& method, const std::string& target,
                        const std::string& body = {}, const HeaderList& headers = {}) {
    return Fetch(server_->port(), method, target, body, headers);
  }

  static boost::json::object SignUp(const std::string& email, const std::string& password) {
    const auto reply = Call("POST", "/signup",
                            boost::json::serialize(boost::json::object{
                                {"email", email}, {"password", password}, {"is_admin", true}}),
                            kJson);
    EXPECT_EQ(reply.status, 201u) << reply.body;
    return reply.Json().as_object();
  }

  static std::string Login(const std::string& email, const std::string& password) {
    const auto reply =
        Call("POST", "/login",
             boost::json::serialize(boost::json::object{{"email", email}, {"password", password}}),
             kJson);
    EXPECT_EQ(reply.status, 200u) << reply.body;
    if (reply.status != 200) return {};
    const auto body = reply.Json();
    EXPECT_EQ(body.at("token_type"), "bearer");
    EXPECT_GT(body.at("expires_in").as_int64(), 0);
    EXPECT_FALSE(body.at("refresh_token").as_string().empty());
    return std::string(body.at("access_token").as_string());
  }

  static inline ServerProcess* server_ = nullptr;
  static inline std::string url_;
};

TEST_F(ApiAuth, SignupCreatesAnActiveNonAdminAndRefusesADuplicate) {
  const auto email = UniqueEmail("signup");
  const auto user = SignUp(email, "secret-password-1");
  EXPECT_FALSE(user.at("uid").as_string().empty());
  EXPECT_EQ(user.at("email").as_string(), email);
  EXPECT_EQ(user.at("is_active"), true);
  EXPECT_EQ(user.at("is_admin"), false);  // the extra "is_admin": true was ignored

  const auto duplicate = Call("POST", "/signup",
                              boost::json::serialize(boost::json::object{
                                  {"email", email}, {"password", "secret-password-1"}}),
                              kJson);
  EXPECT_EQ(duplicate.status, 409u) << duplicate.body;
  EXPECT_EQ(duplicate.Json().at("error").at("code"), "conflict");
}

TEST_F(ApiAuth, LoginChecksThePasswordAndAcceptsAForm) {
  const auto email = UniqueEmail("login");
  SignUp(email, "secret-password-2");
  const auto wrong =
      Call("POST", "/login",
           boost::json::serialize(boost::json::object{{"email", email}, {"password", "wrong-one"}}),
           kJson);
  EXPECT_EQ(wrong.status, 401u) << wrong.body;

  const auto form = Call("POST", "/login", "username=" + email + "&password=secret-password-2",
                         {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(form.status, 200u) << form.body;
  const auto refresh_token = std::string(form.Json().at("refresh_token").as_string());

  const auto refreshed =
      Call("POST", "/token/refresh",
           boost::json::serialize(boost::json::object{{"refresh_token", refresh_token}}), kJson);
  ASSERT_EQ(refreshed.status, 200u) << refreshed.body;
  EXPECT_FALSE(refreshed.Json().at("access_token").as_string().empty());
}

TEST_F(ApiAuth, TheUsersTableDecidesWhatATokenMayDo) {
  const auto email = UniqueEmail("roles");
  const auto uid = std::string(SignUp(email, "secret-password-3").at("uid").as_string());
  const auto token = Login(email, "secret-password-3");
  ASSERT_FALSE(token.empty());

  const auto anonymous = Call("GET", "/catalog");
  EXPECT_EQ(anonymous.status, 401u);
  EXPECT_EQ(anonymous.Header("www-authenticate"), "Bearer");
  EXPECT_EQ(Call("GET", "/catalog", {}, Bearer("not-a-token")).status, 401u);
  EXPECT_EQ(Call("GET", "/catalog", {}, Bearer(token)).status, 200u);
  EXPECT_EQ(Call("GET", "/catalog/1", {}, Bearer(token)).status, 200u);

  const auto me = Call("GET", "/me", {}, Bearer(token));
  ASSERT_EQ(me.status, 200u) << me.body;
  EXPECT_EQ(me.Json().at("uid").as_string(), uid);
  EXPECT_EQ(Call("GET", "/users", {}, Bearer(token)).status, 403u);
  EXPECT_EQ(Call("POST", "/catalog", kNewDiamond, BearerJson(token)).status, 403u);

  ExecuteSql(url_, "UPDATE users SET is_admin = true WHERE uid = '" + uid + "'");
  const auto created = EventuallyStatus(
      201, [&] { return Call("POST", "/catalog", kNewDiamond, BearerJson(token)); });
  EXPECT_EQ(created.status, 201u) << created.body;

  // An admin manages other users through the API.
  const auto other_email = UniqueEmail("other");
  const auto other_uid =
      std::string(SignUp(other_email, "secret-password-4").at("uid").as_string());
  const auto other_token = Login(other_email, "secret-password-4");
  const auto listed = Call("GET", "/users", {}, Bearer(token));
  ASSERT_EQ(listed.status, 200u) << listed.body;
  EXPECT_GE(listed.Json().at("users").as_array().size(), 2u);
  const auto patched =
      Call("PATCH", "/users/" + other_uid, R"({"is_active":false})", BearerJson(token));
  ASSERT_EQ(patched.status, 200u) << patched.body;
  EXPECT_EQ(patched.Json().at("is_active"), false);
  // Same instance: the cache entry was invalidated, so the change is immediate.
  EXPECT_EQ(Call("GET", "/catalog", {}, Bearer(other_token)).status, 403u);
  EXPECT_EQ(Call("PATCH", "/users/nobody", R"({"is_admin":true})", BearerJson(token)).status, 404u);
  EXPECT_EQ(Call("PATCH", "/users/" + other_uid, R"({"is_admin":"yes"})", BearerJson(token)).status,
            400u);
  // A field PATCH does not know is refused and named, not silently ignored.
  const auto unknown = Call("PATCH", "/users/" + other_uid, R"({"isAdmin":true,"is_active":true})",
                            BearerJson(token));
  EXPECT_EQ(unknown.status, 400u);
  EXPECT_NE(unknown.body.find("isAdmin"), std::string::npos) << unknown.body;

  // Deactivated directly in the database (another instance, or the CLI): within the bound.
  ExecuteSql(url_, "UPDATE users SET is_active = false WHERE uid = '" + uid + "'");
  const auto denied =
      EventuallyStatus(403, [&] { return Call("GET", "/catalog", {}, Bearer(token)); });
  EXPECT_EQ(denied.status, 403u) << denied.body;
  EXPECT_EQ(Call("POST", "/catalog", kNewDiamond, BearerJson(token)).status, 403u);
}

}  // namespace
}  // namespace vitrina::itest
