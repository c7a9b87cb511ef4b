// FirebaseIdentityClient, the emulator token verifier, sign-up compensation and the login flow
// against the Firebase Auth emulator (and PostgreSQL / Redis where configured).
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "auth/auth_test_support.hpp"
#include "support/database.hpp"
#include "support/test_env.hpp"
#include "vitrina/auth/core/login_service.hpp"
#include "vitrina/auth/core/signup_service.hpp"
#include "vitrina/auth/firebase_identity_client.hpp"
#include "vitrina/auth/pg_user_directory.hpp"
#include "vitrina/auth/redis_login_rate_limiter.hpp"
#include "vitrina/auth/token_verifier_factory.hpp"
#include "vitrina/http/client.hpp"

namespace vitrina::auth {
namespace {

using testing::Env;
using testing::UniqueEmail;

class EmulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VITRINA_REQUIRE_ENV(emulator_host, "FIREBASE_AUTH_EMULATOR_HOST");
    VITRINA_REQUIRE_ENV(project_id, "FIREBASE_PROJECT_ID");
    const std::optional<std::string> host = emulator_host;
    const std::optional<std::string> project = project_id;
    settings_.environment = "development";
    settings_.project_id = *project;
    settings_.api_key = "emulator-key";
    settings_.emulator_host = *host;
    auto provider = MakeIdentityProvider(settings_);
    ASSERT_TRUE(provider.ok()) << provider.error().message;
    identity_ = std::move(*provider);
    auto verifier = MakeTokenVerifier(settings_);
    ASSERT_TRUE(verifier.ok()) << verifier.error().message;
    verifier_ = std::move(*verifier);
  }

  // The emulator's admin REST API (the "owner" credential), for test set-up only.
  boost::json::object Admin(const std::string& action, const boost::json::object& body) {
    const std::string text = boost::json::serialize(body);
    http::ClientRequest request;
    request.method = "POST";
    request.url = settings_.IdentityToolkitBase() + "/v1/projects/" + settings_.project_id +
                  "/accounts:" + action;
    request.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer owner"}};
    request.body = text;
    auto response = http::SendHttp(request);
    EXPECT_TRUE(response.ok());
    EXPECT_EQ(response->status, 200) << response->body;
    return boost::json::parse(response->body).as_object();
  }

  bool AccountExists(const std::string& email) {
    const auto found = Admin("lookup", {{"email", boost::json::array{email}}});
    return found.contains("users") && !found.at("users").as_array().empty();
  }

  FirebaseSettings settings_;
  std::unique_ptr<core::IdentityProvider> identity_;
  std::unique_ptr<core::TokenVerifier> verifier_;
};

TEST_F(EmulatorTest, SignUpSignInAndRefreshYieldVerifiableTokens) {
  const auto email = UniqueEmail("flow");
  auto created = identity_->SignUp(email, "secret12");
  ASSERT_TRUE(created.ok()) << created.error().detail;
  EXPECT_FALSE(created->uid.empty());
  EXPECT_EQ(created->email, email);
  EXPECT_EQ(created->expires_in, std::chrono::seconds(3600));

  auto identity = verifier_->Verify(created->id_token);
  ASSERT_TRUE(identity.ok()) << identity.error().detail;
  EXPECT_EQ(identity->uid, created->uid);
  EXPECT_EQ(identity->email, email);

  auto signed_in = identity_->SignIn(email, "secret12");
  ASSERT_TRUE(signed_in.ok()) << signed_in.error().detail;
  EXPECT_EQ(signed_in->uid, created->uid);

  auto refreshed = identity_->Refresh(signed_in->refresh_token);
  ASSERT_TRUE(refreshed.ok()) << refreshed.error().detail;
  EXPECT_EQ(refreshed->uid, created->uid);
  EXPECT_FALSE(refreshed->refresh_token.empty());
  EXPECT_EQ(verifier_->Verify(refreshed->id_token)->uid, created->uid);
  EXPECT_EQ(identity_->Refresh("not-a-refresh-token").error().code,
            base::ErrorCode::kUnauthenticated);
}

TEST_F(EmulatorTest, ADuplicateEmailIsAConflict) {
  const auto email = UniqueEmail("dup");
  ASSERT_TRUE(identity_->SignUp(email, "secret12").ok());
  auto again = identity_->SignUp(email, "secret34");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, base::ErrorCode::kConflict);
  EXPECT_EQ(again.error().message, "an account with this email already exists");
}

TEST_F(EmulatorTest, AWeakPasswordAndAnInvalidEmailAreExplained) {
  auto weak = identity_->SignUp(UniqueEmail("weak"), "123");
  ASSERT_FALSE(weak.ok());
  EXPECT_EQ(weak.error().code, base::ErrorCode::kInvalidArgument);
  EXPECT_EQ(weak.error().message, "password must be at least 6 characters");
  auto invalid = identity_->SignUp("not-an-email", "secret12");
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code, base::ErrorCode::kInvalidArgument);
  EXPECT_EQ(invalid.error().message, "email address is not valid");
}

TEST_F(EmulatorTest, AWrongPasswordReadsExactlyLikeAnUnknownEmail) {
  const auto email = UniqueEmail("wrong");
  ASSERT_TRUE(identity_->SignUp(email, "secret12").ok());
  auto wrong = identity_->SignIn(email, "not-the-password");
  auto unknown = identity_->SignIn(UniqueEmail("nobody"), "secret12");
  ASSERT_FALSE(wrong.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(wrong.error().code, base::ErrorCode::kUnauthenticated);
  EXPECT_EQ(unknown.error().code, base::ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong.error().message, unknown.error().message);
  EXPECT_EQ(wrong.error().message, core::kInvalidCredentialsMessage);
}

TEST_F(EmulatorTest, ADisabledUserIsPermissionDenied) {
  const auto email = UniqueEmail("disabled");
  auto created = identity_->SignUp(email, "secret12");
  ASSERT_TRUE(created.ok());
  Admin("update", {{"localId", created->uid}, {"disableUser", true}});
  auto signed_in = identity_->SignIn(email, "secret12");
  ASSERT_FALSE(signed_in.ok());
  EXPECT_EQ(signed_in.error().code, base::ErrorCode::kPermissionDenied);
}

TEST_F(EmulatorTest, AdminDeletionByUidRemovesTheAccount) {
  const auto email = UniqueEmail("admin-delete");
  auto created = identity_->SignUp(email, "secret12");
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(identity_->DeleteAccount(created->uid).ok());
  EXPECT_FALSE(AccountExists(email));
}

TEST_F(EmulatorTest, TheEmulatorVerifierStillChecksEveryClaim) {
  auto claims = testing::ValidClaims(settings_.project_id, "uid-x");
  const boost::json::object none{{"alg", "none"}, {"typ", "JWT"}};
  EXPECT_TRUE(verifier_->Verify(testing::Unsigned(none, claims)).ok());
  // Each refusal for its own reason: a refusal for any other would hide a claim left unchecked.
  const auto expect_refused = [this](const std::string& token, std::string_view reason) {
    const auto identity = verifier_->Verify(token);
    ASSERT_FALSE(identity.ok()) << "accepted a token that should fail: " << reason;
    EXPECT_EQ(identity.error().code, base::ErrorCode::kUnauthenticated);
    EXPECT_NE(identity.error().detail.find(reason), std::string::npos) << identity.error().detail;
  };
  auto other = testing::ValidClaims("another-project", "uid-x");
  expect_refused(testing::Unsigned(none, other), "'aud'");
  claims["exp"] = claims["iat"].as_int64() - 1;
  expect_refused(testing::Unsigned(none, claims), "expired");
  expect_refused("garbage", "not a JWT");
}

TEST_F(EmulatorTest, TheEmulatorIsRefusedInProduction) {
  auto production = settings_;
  production.environment = "production";
  EXPECT_FALSE(MakeTokenVerifier(production).ok());
  EXPECT_FALSE(MakeIdentityProvider(production).ok());
}

class FailingUserDirectory : public core::UserDirectory {
 public:
  base::Result<core::UserRecord> Insert(const core::NewUser&) override {
    return base::MakeError(base::ErrorCode::kUnavailable, "the database is unavailable", "test");
  }
  base::Result<core::UserRecord> FindByUid(std::string_view) override { return Down(); }
  base::Result<std::vector<core::UserRecord>> List(std::string_view, std::size_t) override {
    return Down();
  }
  base::Result<core::UserRecord> Update(std::string_view, const core::UserPatch&) override {
    return Down();
  }

 private:
  static base::Error Down() {
    return base::MakeError(base::ErrorCode::kUnavailable, "the database is unavailable");
  }
};

TEST_F(EmulatorTest, AFailedUsersInsertDeletesTheFirebaseAccount) {
  FailingUserDirectory users;
  core::SignupService signup(*identity_, users);
  const auto email = UniqueEmail("compensate");
  auto user = signup.SignUp(email, "secret12");
  ASSERT_FALSE(user.ok());
  EXPECT_EQ(user.error().code, base::ErrorCode::kUnavailable);
  EXPECT_NE(user.error().detail.find("compensated"), std::string::npos) << user.error().detail;
  EXPECT_FALSE(AccountExists(email));
  EXPECT_EQ(identity_->SignIn(email, "secret12").error().code, base::ErrorCode::kUnauthenticated);
}

class EmulatorWithDatabaseTest : public EmulatorTest {
 protected:
  void SetUp() override {
    EmulatorTest::SetUp();
    if (IsSkipped()) return;
    VITRINA_REQUIRE_ENV(admin_url, "DATABASE_URL");
    auto url = vitrina::testing::FreshDatabase(admin_url, "vitrina_test_auth_firebase");
    ASSERT_TRUE(url.ok()) << url.error().message << " " << url.error().detail;
    users_ = std::make_unique<PgUserDirectory>(PgUserDirectorySettings{*url, 2});
  }
  std::unique_ptr<PgUserDirectory> users_;
};

TEST_F(EmulatorWithDatabaseTest, SignupWritesAnActiveNonAdminRow) {
  core::SignupService signup(*identity_, *users_);
  const auto email = UniqueEmail("signup");
  auto user = signup.SignUp(email, "secret12");
  ASSERT_TRUE(user.ok()) << user.error().detail;
  EXPECT_TRUE(user->is_active);
  EXPECT_FALSE(user->is_admin);
  EXPECT_EQ(users_->FindByUid(user->uid).value(), *user);
}

TEST_F(EmulatorWithDatabaseTest, AnExistingUsersRowIsAConflictAndTheNewAccountIsRemoved) {
  const auto email = UniqueEmail("row-exists");
  ASSERT_TRUE(users_->Insert({"stale-" + testing::RunId() + email, email}).ok());
  core::SignupService signup(*identity_, *users_);
  auto user = signup.SignUp(email, "secret12");
  ASSERT_FALSE(user.ok());
  EXPECT_EQ(user.error().code, base::ErrorCode::kConflict);
  EXPECT_EQ(user.error().message, "an account with this email already exists");
  EXPECT_FALSE(AccountExists(email));
}

TEST_F(EmulatorWithDatabaseTest, LoginChecksCredentialsStatusAndRateLimits) {
  VITRINA_REQUIRE_ENV(redis_url, "REDIS_URL");
  const std::optional<std::string> redis = redis_url;
  LoginRateLimitSettings limits;
  limits.policy.per_email_and_address = {3, std::chrono::seconds(60)};
  testing::RedisOnLoop redis_loop(*redis);
  RedisLoginRateLimiter limiter(redis_loop.client(), redis_loop.executor(), limits);
  core::LoginService login(*identity_, *users_, limiter);
  core::SignupService signup(*identity_, *users_);
  const auto email = UniqueEmail("login");
  const auto address = "198.51.100." + std::to_string(::getpid() % 250);
  auto user = signup.SignUp(email, "secret12");
  ASSERT_TRUE(user.ok());

  auto ok = login.Login(email, "secret12", address);
  ASSERT_TRUE(ok.grant.ok()) << ok.grant.error().detail;
  EXPECT_EQ(verifier_->Verify(ok.grant->id_token)->uid, user->uid);

  ASSERT_TRUE(users_->Update(user->uid, {false, std::nullopt}).ok());
  EXPECT_EQ(login.Login(email, "secret12", address).grant.error().code,
            base::ErrorCode::kPermissionDenied);
  EXPECT_EQ(login.Refresh(ok.grant->refresh_token).grant.error().code,
            base::ErrorCode::kPermissionDenied);
  ASSERT_TRUE(users_->Update(user->uid, {true, std::nullopt}).ok());

  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(login.Login(email, "wrong-password", address).grant.error().code,
              base::ErrorCode::kUnauthenticated);
  }
  auto blocked = login.Login(email, "secret12", address);
  EXPECT_EQ(blocked.grant.error().code, base::ErrorCode::kTooManyRequests);
  EXPECT_GT(blocked.retry_after.count(), 0);
  EXPECT_LE(blocked.retry_after.count(), 60);
}

}  // namespace
}  // namespace vitrina::auth
