// Identity over real HTTP against the Firebase Auth emulator: the login rate limit per email and
// per client address, the production guard against the emulator, `vitrina users` run as a
// process reaching two server instances within a second, and sign-up compensation.
#include <chrono>
#include <random>
#include <thread>
#include <unistd.h>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/test_env.hpp"

namespace vitrina::itest {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kNewDiamond =
    R"({"carat":1.25,"cut":"Ideal","color":"F","clarity":"VS1","depth":61.7,"table":56,)"
    R"("price":9000,"x":6.9,"y":6.95,"z":4.28})";
constexpr const char* kPassword = "secret-password-9";

// The emulator and Redis keep state between runs: every run uses new emails and addresses.
std::string UniqueEmail(const std::string& name) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return name + "-" + std::to_string(getpid()) + "-" +
         std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now).count()) +
         "@example.com";
}

// A random address under `prefix` ("10." or "127."), never 127.0.0.1.
std::string RandomAddress(const std::string& prefix) {
  static std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> octet(1, 254);
  return prefix + std::to_string(octet(random)) + "." + std::to_string(octet(random)) + "." +
         std::to_string(octet(random));
}

std::string Credentials(const std::string& email, const std::string& password) {
  return boost::json::serialize(boost::json::object{{"email", email}, {"password", password}});
}

HeaderList JsonHeaders(const std::string& token = {}) {
  HeaderList headers{{"Content-Type", "application/json"}};
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return headers;
}

class ApiIdentity : public ::testing::Test {
 protected:
  void SetUp() override {
    VITRINA_REQUIRE_ENV(emulator, "FIREBASE_AUTH_EMULATOR_HOST");
    VITRINA_REQUIRE_ENV(project, "FIREBASE_PROJECT_ID");
    VITRINA_REQUIRE_ENV(admin_url, "DATABASE_URL");
    VITRINA_REQUIRE_ENV(redis, "REDIS_URL");
    emulator_ = emulator;
    project_ = project;
    redis_ = redis;
    url_ = LoadDiamondsDatabase("vitrina_api_itest_identity", MakeDiamonds(10));
  }

  // A Firebase-backed server on the suite's database; `extra` adds or overrides settings.
  std::unique_ptr<ServerProcess> StartServer(const std::map<std::string, std::string>& extra = {}) {
    auto env = ServerEnv(url_, SourcePath("datasets/diamonds.yaml"));
    env["FIREBASE_AUTH_EMULATOR_HOST"] = emulator_;
    env["FIREBASE_PROJECT_ID"] = project_;
    env["REDIS_URL"] = redis_;
    // The limiter fails open when Redis answers later than this (250 ms by default): these tests
    // are about counting, not about that timeout, so a loaded machine must not make a counted
    // failure an uncounted one (the fail-open path has tests of its own, rate_limit_itest).
    env["LOGIN_RATE_LIMIT_TIMEOUT_MS"] = "10000";
    for (const auto& [name, value] : extra) env[name] = value;
    return std::make_unique<ServerProcess>(env, FreePort());
  }

  static std::string SignUp(const ServerProcess& server, const std::string& email) {
    const auto reply =
        Fetch(server.port(), "POST", "/signup", Credentials(email, kPassword), JsonHeaders());
    EXPECT_EQ(reply.status, 201u) << reply.body;
    return reply.status == 201 ? std::string(reply.Json().at("uid").as_string()) : "";
  }

  // POST /login as the client `forwarded_for` (X-Forwarded-For, empty for none).
  static HttpReply Login(const ServerProcess& server, const std::string& email,
                         const std::string& password, const std::string& forwarded_for,
                         const std::string& source_address = {}) {
    auto headers = JsonHeaders();
    if (!forwarded_for.empty()) headers.emplace_back("X-Forwarded-For", forwarded_for);
    HttpClient client(server.port(), source_address);
    return client.Send("POST", "/login", Credentials(email, password), headers);
  }

  static std::string Token(const ServerProcess& server, const std::string& email) {
    const auto reply = Login(server, email, kPassword, "");
    EXPECT_EQ(reply.status, 200u) << reply.body;
    return reply.status == 200 ? std::string(reply.Json().at("access_token").as_string()) : "";
  }

  CommandResult Users(const std::string& action, const std::string& email) const {
    return RunVitrina({"users", action, email}, {{"DATABASE_URL", url_}, {"LOG_LEVEL", "info"}});
  }

  // The emulator's own sign-in: 200 only when the account exists (with our password).
  HttpReply EmulatorSignIn(const std::string& email) const {
    const auto colon = emulator_.rfind(':');
    const auto port = static_cast<std::uint16_t>(std::stoi(emulator_.substr(colon + 1)));
    return Fetch(port, "POST",
                 "/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=test",
                 boost::json::serialize(boost::json::object{
                     {"email", email}, {"password", kPassword}, {"returnSecureToken", true}}),
                 JsonHeaders());
  }

  std::string emulator_, project_, redis_, url_;
};

void ExpectTooManyRequests(const HttpReply& reply, int window_seconds) {
  EXPECT_EQ(reply.status, 429u) << reply.body;
  if (reply.status != 429) return;
  EXPECT_EQ(reply.Json().at("error").at("code"), "too_many_requests");
  const auto retry_after = reply.Header("retry-after");
  ASSERT_FALSE(retry_after.empty());
  EXPECT_GE(std::stoi(retry_after), 1);
  EXPECT_LE(std::stoi(retry_after), window_seconds);
}

TEST_F(ApiIdentity, FailedLoginsAreLimitedPerEmailAndAddressAndPerAddressBehindATrustedProxy) {
  auto server = StartServer({{"TRUSTED_PROXY_HOPS", "1"},
                             {"LOGIN_MAX_FAILURES_PER_EMAIL", "3"},
                             {"LOGIN_EMAIL_WINDOW_SECONDS", "60"},
                             {"LOGIN_MAX_FAILURES_PER_ADDRESS", "5"},
                             {"LOGIN_ADDRESS_WINDOW_SECONDS", "60"}});
  const auto first = UniqueEmail("limit-a");
  const auto second = UniqueEmail("limit-b");
  SignUp(*server, first);
  SignUp(*server, second);
  const auto address_a = RandomAddress("10.");
  auto address_b = RandomAddress("10.");
  while (address_b == address_a) address_b = RandomAddress("10.");

  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Login(*server, first, "wrong-password", address_a).status, 401u);
  }
  // The email is blocked from that address, even with the right password (Firebase is not asked).
  ExpectTooManyRequests(Login(*server, first, kPassword, address_a), 60);
  // ...but not from another address: a third party cannot lock the owner out.
  EXPECT_EQ(Login(*server, first, kPassword, address_b).status, 200u);
  // Another email from the same address still works: 3 failures are under the address limit.
  EXPECT_EQ(Login(*server, second, kPassword, address_a).status, 200u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(Login(*server, second, "wrong-password", address_a).status, 401u);
  }
  // Now the address has 5 failures: blocked for every email, although `second` has only 2.
  ExpectTooManyRequests(Login(*server, second, kPassword, address_a), 60);
  // A client cannot escape by writing another address left of the one our proxy appended.
  ExpectTooManyRequests(Login(*server, second, kPassword, address_b + ", " + address_a), 60);
  // Another client address is unaffected.
  EXPECT_EQ(Login(*server, second, kPassword, address_b).status, 200u);
}

TEST_F(ApiIdentity, ManyFailuresForOneEmailBackOffNewAddressesButNotTheOwners) {
  auto server = StartServer({{"TRUSTED_PROXY_HOPS", "1"},
                             {"LOGIN_EMAIL_BACKOFF_AFTER", "4"},
                             // A first wait no loaded machine outlasts between two logins (the
                             // default 1 s did: run 1 of the 5x integration run saw 200).
                             {"LOGIN_EMAIL_BACKOFF_FIRST_SECONDS", "20"},
                             {"LOGIN_EMAIL_BACKOFF_MAX_SECONDS", "30"}});
  const auto email = UniqueEmail("backoff");
  SignUp(*server, email);
  const auto owner = RandomAddress("10.");
  EXPECT_EQ(Login(*server, email, kPassword, owner).status, 200u);  // the owner's address is known
  // A distributed guesser: one failure from each of 4 addresses; the 4th starts the back-off.
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(Login(*server, email, "wrong-password", RandomAddress("10.")).status, 401u) << i;
  }
  // A new address must wait (20 s after the 4th failure), even with the right password; the
  // owner's address does not.
  ExpectTooManyRequests(Login(*server, email, kPassword, RandomAddress("10.")), 20);
  EXPECT_EQ(Login(*server, email, kPassword, owner).status, 200u);
}

TEST_F(ApiIdentity, WithoutATrustedProxyTheTcpPeerIsTheClientAndXForwardedForIsIgnored) {
  auto server = StartServer({{"LOGIN_MAX_FAILURES_PER_EMAIL", "100"},
                             {"LOGIN_MAX_FAILURES_PER_ADDRESS", "2"},
                             {"LOGIN_ADDRESS_WINDOW_SECONDS", "60"}});
  const auto email = UniqueEmail("peer");
  SignUp(*server, email);
  const auto peer = RandomAddress("127.");
  auto other_peer = RandomAddress("127.");
  while (other_peer == peer) other_peer = RandomAddress("127.");

  EXPECT_EQ(Login(*server, email, "wrong", RandomAddress("10."), peer).status, 401u);
  EXPECT_EQ(Login(*server, email, "wrong", RandomAddress("10."), peer).status, 401u);
  // A fresh X-Forwarded-For value each time changes nothing: the connection's address counts.
  ExpectTooManyRequests(Login(*server, email, kPassword, RandomAddress("10."), peer), 60);
  EXPECT_EQ(Login(*server, email, kPassword, "", other_peer).status, 200u);
}

TEST_F(ApiIdentity, TheServerRefusesToStartWithTheEmulatorInProduction) {
  const auto port = FreePort();
  auto env = ServerEnv(url_, SourcePath("datasets/diamonds.yaml"));
  env["VITRINA_ENV"] = "production";
  env["FIREBASE_AUTH_EMULATOR_HOST"] = emulator_;
  env["FIREBASE_PROJECT_ID"] = project_;
  env["REDIS_URL"] = redis_;
  env["PORT"] = std::to_string(port);
  const auto result = RunVitrina({"serve"}, env, 20'000);
  EXPECT_GT(result.exit_code, 0) << result.output;  // exited by itself, with a failure code
  EXPECT_NE(result.output.find("refusing to accept unsigned Firebase emulator tokens in "
                               "environment 'production'"),
            std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("FIREBASE_AUTH_EMULATOR_HOST"), std::string::npos);
  EXPECT_FALSE(IsListening(port));

  // The same settings in development start (the guard is the only difference).
  env["VITRINA_ENV"] = "development";
  EXPECT_NO_THROW({ const ServerProcess started(env, port); });
}

// Polls each instance until `path` answers `status`; the last request is sent exactly at
// `deadline`. Returns, per instance, the status last seen.
std::vector<unsigned> PollUntil(const std::vector<const ServerProcess*>& servers,
                                const std::string& token, unsigned status,
                                Clock::time_point deadline) {
  std::vector<unsigned> seen(servers.size(), 0);
  while (true) {
    const bool last = Clock::now() >= deadline;
    bool all = true;
    for (std::size_t i = 0; i < servers.size(); ++i) {
      if (seen[i] == status) continue;
      seen[i] = Fetch(servers[i]->port(), "GET", "/catalog/1", {}, JsonHeaders(token)).status;
      all = all && seen[i] == status;
    }
    if (all || last) return seen;
    std::this_thread::sleep_until(std::min(Clock::now() + 50ms, deadline));
  }
}

TEST_F(ApiIdentity, UsersCommandPromotesAndDeactivatesOnEveryInstanceWithinASecond) {
  auto first = StartServer();
  auto second = StartServer();  // another instance on the same database
  const auto email = UniqueEmail("cli");
  SignUp(*first, email);
  const auto token = Token(*first, email);
  ASSERT_FALSE(token.empty());

  EXPECT_EQ(Fetch(first->port(), "POST", "/catalog", kNewDiamond, JsonHeaders(token)).status, 403u);
  EXPECT_EQ(Fetch(second->port(), "POST", "/catalog", kNewDiamond, JsonHeaders(token)).status,
            403u);

  const auto promoted = Users("promote", email);
  ASSERT_EQ(promoted.exit_code, 0) << promoted.output;
  EXPECT_NE(promoted.output.find("is_admin=true"), std::string::npos) << promoted.output;
  // Both instances cached "not an admin" a moment ago; within a second they see the promotion.
  auto deadline = Clock::now() + 1s;
  const std::vector<const ServerProcess*> both{first.get(), second.get()};
  for (const auto* server : both) {
    HttpReply created;
    while (true) {
      const bool last = Clock::now() >= deadline;
      created = Fetch(server->port(), "POST", "/catalog", kNewDiamond, JsonHeaders(token));
      if (created.status == 201 || last) break;
      std::this_thread::sleep_until(std::min(Clock::now() + 50ms, deadline));
    }
    EXPECT_EQ(created.status, 201u) << created.body;
  }

  // Both instances hold a fresh "active admin" entry when the deactivation is written.
  for (const auto* server : both) {
    ASSERT_EQ(Fetch(server->port(), "GET", "/catalog/1", {}, JsonHeaders(token)).status, 200u);
  }
  const auto deactivated = Users("deactivate", email);
  ASSERT_EQ(deactivated.exit_code, 0) << deactivated.output;
  deadline = Clock::now() + 1s;
  const auto seen = PollUntil(both, token, 403, deadline);
  EXPECT_EQ(seen[0], 403u) << "the instance of the login still lets the user in after 1 s";
  EXPECT_EQ(seen[1], 403u) << "the second instance still lets the user in after 1 s";
  for (const auto* server : both) {
    EXPECT_EQ(Fetch(server->port(), "POST", "/catalog", kNewDiamond, JsonHeaders(token)).status,
              403u);
  }
  // And the deactivated user cannot log in again.
  EXPECT_EQ(Login(*second, email, kPassword, "").status, 403u);
}

TEST_F(ApiIdentity, UsersCommandExplainsAnUnknownEmail) {
  const auto result = Users("promote", UniqueEmail("nobody"));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("no user with email"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("sign up first"), std::string::npos) << result.output;
}

TEST_F(ApiIdentity, ASignupWhoseUsersRowCannotBeWrittenLeavesNoFirebaseAccount) {
  auto server = StartServer();
  const auto email = UniqueEmail("refused");
  // The database refuses this one row, as a failing disk or a lost connection would.
  ExecuteSql(url_,
             "CREATE FUNCTION refuse_signup() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
             "IF NEW.email = '" +
                 email +
                 "' THEN RAISE EXCEPTION 'refused by the test'; END IF; "
                 "RETURN NEW; END $$;"
                 "CREATE TRIGGER refuse_signup BEFORE INSERT ON users FOR EACH ROW "
                 "EXECUTE FUNCTION refuse_signup();");
  const auto refused =
      Fetch(server->port(), "POST", "/signup", Credentials(email, kPassword), JsonHeaders());
  EXPECT_GE(refused.status, 500u) << refused.body;
  EXPECT_EQ(refused.body.find("refused by the test"), std::string::npos);  // internal detail
  const auto lookup = EmulatorSignIn(email);
  EXPECT_NE(lookup.status, 200u) << "the Firebase account was left behind: " << lookup.body;
  EXPECT_EQ(
      Fetch(server->port(), "POST", "/login", Credentials(email, kPassword), JsonHeaders()).status,
      401u);

  // The email is free again: with the database healthy the same sign-up succeeds.
  ExecuteSql(url_, "DROP TRIGGER refuse_signup ON users; DROP FUNCTION refuse_signup();");
  EXPECT_EQ(
      Fetch(server->port(), "POST", "/signup", Credentials(email, kPassword), JsonHeaders()).status,
      201u);
  EXPECT_EQ(EmulatorSignIn(email).status, 200u);
}

TEST_F(ApiIdentity, ASignupForAnEmailThatHasAUsersRowIsAConflictAndLeavesNoFirebaseAccount) {
  auto server = StartServer();
  const auto email = UniqueEmail("taken");
  // A users row without a Firebase account (e.g. an account deleted in the Firebase console).
  ExecuteSql(url_, "INSERT INTO users (uid, email) VALUES ('orphan-" + std::to_string(getpid()) +
                       "', '" + email + "')");
  const auto conflict =
      Fetch(server->port(), "POST", "/signup", Credentials(email, kPassword), JsonHeaders());
  EXPECT_EQ(conflict.status, 409u) << conflict.body;
  EXPECT_NE(EmulatorSignIn(email).status, 200u) << "the Firebase account was left behind";
}

}  // namespace
}  // namespace vitrina::itest
