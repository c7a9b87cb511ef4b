// Identities a hostile client may try to create (#16), over HTTP against the Firebase Auth
// emulator: lookalike emails, oversized ones, and passwords used as a payload.
#include <string>
#include <unistd.h>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/test_env.hpp"

namespace vitrina::itest {
namespace {

const HeaderList kJson = {{"Content-Type", "application/json"}};

class HostileIdentities : public ::testing::Test {
 protected:
  void SetUp() override {
    VITRINA_REQUIRE_ENV(emulator, "FIREBASE_AUTH_EMULATOR_HOST");
    VITRINA_REQUIRE_ENV(project, "FIREBASE_PROJECT_ID");
    VITRINA_REQUIRE_ENV(admin_url, "DATABASE_URL");
    VITRINA_REQUIRE_ENV(redis, "REDIS_URL");
    if (server_ == nullptr) {
      url_ = LoadDiamondsDatabase("vitrina_security_identity", MakeDiamonds(5));
      auto env = ServerEnv(url_, SourcePath("datasets/diamonds.yaml"));
      env["FIREBASE_AUTH_EMULATOR_HOST"] = emulator;
      env["FIREBASE_PROJECT_ID"] = project;
      env["REDIS_URL"] = redis;
      server_ = new ServerProcess(env, FreePort());
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static HttpReply Post(const std::string& target, const std::string& email,
                        const std::string& password) {
    return Fetch(
        server_->port(), "POST", target,
        boost::json::serialize(boost::json::object{{"email", email}, {"password", password}}),
        kJson);
  }
  static std::string Unique(const std::string& name) {
    return name + "-" + std::to_string(getpid()) + "-" + std::to_string(++counter_) +
           "@example.com";
  }
  static inline ServerProcess* server_ = nullptr;
  static inline std::string url_;
  static inline int counter_ = 0;
};

TEST_F(HostileIdentities, LookalikeEmailsAreRefusedBeforeAnAccountExists) {
  const auto real = Unique("admin");
  ASSERT_EQ(Post("/signup", real, "secret-password-1").status, 201u);
  for (const std::string& lookalike :
       {" " + real, real + " ", "\t" + real, real + "\n",
        real.substr(0, 3) + "\x01" + real.substr(3), real.substr(0, 3) + "\x7f" + real.substr(3)}) {
    const auto reply = Post("/signup", lookalike, "secret-password-1");
    EXPECT_EQ(reply.status, 400u) << reply.body;
    EXPECT_EQ(reply.Json().at("error").at("code"), "invalid_argument");
  }
  // Exactly one users row holds anything like that address.
  const auto pattern = real.substr(0, real.find('@'));
  ExecuteSql(url_, "DO $$ BEGIN IF (SELECT count(*) FROM users WHERE email LIKE '%" + pattern +
                       "%') <> 1 THEN RAISE EXCEPTION 'lookalike account created'; END IF; END $$");
}

TEST_F(HostileIdentities, OversizedEmailsAndPasswordsAre400) {
  const auto huge = std::string(5000, 'a') + "@example.com";
  EXPECT_EQ(Post("/signup", huge, "secret-password-1").status, 400u);
  EXPECT_EQ(Post("/login", huge, "secret-password-1").status, 400u);
  const auto email = Unique("long-password");
  const auto reply = Post("/signup", email, std::string(300, 'p'));
  EXPECT_EQ(reply.status, 400u);
  EXPECT_NE(reply.body.find("at most 256"), std::string::npos) << reply.body;
  // The refused sign-ups left nothing behind: the address is still free.
  EXPECT_EQ(Post("/signup", email, "secret-password-1").status, 201u);
}

}  // namespace
}  // namespace vitrina::itest
