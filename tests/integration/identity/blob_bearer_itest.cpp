// Blob Storage with a managed identity's bearer token instead of SharedKey, through `vitrina etl
// upload` and `vitrina etl run` as the CLI wires them (AZURE_STORAGE_AUTH=managed-identity, a
// connection string with no key). Azurite accepts bearer tokens only over HTTPS, so the suite
// runs an Azurite of its own with `--oauth basic` on a certificate from a CA of the test's own
// (support/test_pki), trusted by vitrina through AZURE_STORAGE_CA_FILE; tools/identity-endpoint.py
// issues the tokens. Azurite's basic OAuth checks a token's issuer, audience and lifetime (not a
// signature: the stand-in's tokens are unsigned), which is what these tests change to be refused.
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "etl/etl_itest_support.hpp"
#include "identity/identity_endpoint.hpp"
#include "support/api_harness.hpp"
#include "support/own_redis.hpp"
#include "support/test_env.hpp"
#include "support/test_pki.hpp"

namespace vitrina::itest {
namespace {

using etl_itest::EtlSandbox;
using etl_itest::ShellQuote;

// An azurite-blob of the test's own: HTTPS on 127.0.0.1 with `certificate`, OAuth basic, data in
// a temporary folder removed afterwards.
class OwnHttpsAzurite {
 public:
  explicit OwnHttpsAzurite(const IssuedCertificate& certificate)
      : port_(FreePort()),
        dir_(std::filesystem::temp_directory_path() /
             ("vitrina-azurite-oauth-" + std::to_string(::getpid()))) {
    const auto binary = SourcePath("tools/node/node_modules/.bin/azurite-blob");
    if (!std::filesystem::exists(binary)) {
      failure_ = binary + " is missing (tools/install-deps.sh installs it)";
      return;
    }
    std::filesystem::create_directories(dir_);
    log_ = (dir_ / "azurite.log").string();
    const auto pid =
        Capture(binary + " --blobHost 127.0.0.1 --blobPort " + std::to_string(port_) +
                " --location " + ShellQuote((dir_ / "data").string()) + " --cert " +
                ShellQuote(certificate.cert_file) + " --key " + ShellQuote(certificate.key_file) +
                " --oauth basic --skipApiVersionCheck --disableTelemetry --loose --silent > " +
                ShellQuote(log_) + " 2>&1 & echo $!");
    pid_ = std::stoi(pid);
    // Node starts slowly on a loaded machine: a bound on start-up, not a latency check.
    if (!WaitUntil([this] { return IsListening(port_) || ::kill(pid_, 0) != 0; },
                   std::chrono::seconds(90)) ||
        !IsListening(port_)) {
      failure_ = "azurite-blob did not start: " + Capture("cat " + ShellQuote(log_));
    }
  }
  ~OwnHttpsAzurite() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      WaitUntil([this] { return ::kill(pid_, 0) != 0; }, std::chrono::seconds(10));
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  OwnHttpsAzurite(const OwnHttpsAzurite&) = delete;
  OwnHttpsAzurite& operator=(const OwnHttpsAzurite&) = delete;

  const std::string& failure() const { return failure_; }
  // Azurite's path-style endpoint of its development account.
  std::string BlobEndpoint() const {
    return "https://127.0.0.1:" + std::to_string(port_) + "/devstoreaccount1";
  }

 private:
  std::uint16_t port_;
  std::filesystem::path dir_;
  std::string log_;
  int pid_ = -1;
  std::string failure_;
};

constexpr const char* kBooksBlob = "books.csv.gz";

// One Azurite, one identity endpoint and one sandbox (database and container name) for the suite:
// Azurite takes seconds to start.
class ManagedIdentityBlob : public ::testing::Test {
 protected:
  struct World {
    TestPki pki;
    std::unique_ptr<OwnHttpsAzurite> azurite;
    IdentityEndpoint endpoint{3600};
    std::unique_ptr<EtlSandbox> sandbox;
    bool uploaded = false;
  };

  static void TearDownTestSuite() { world_.reset(); }

  void SetUp() override {
    VITRINA_REQUIRE_ETL_SERVICES();  // PostgreSQL; the shared Azurite is not used
    if (!world_) {
      world_ = std::make_unique<World>();
      world_->azurite = std::make_unique<OwnHttpsAzurite>(
          world_->pki.Issue("azurite", "DNS:localhost,IP:127.0.0.1"));
      world_->sandbox = std::make_unique<EtlSandbox>("mi_blob");
    }
    ASSERT_EQ(world_->azurite->failure(), "");
    ASSERT_TRUE(world_->endpoint.started());
    world_->endpoint.SetClaims("{}");
    if (!world_->uploaded) {
      // The dataset goes up with the identity's token too: a Contributor's upload.
      const auto uploaded = Vitrina("etl upload " + EtlSandbox::Source("tests/data/books.csv.gz") +
                                    " " + sandbox().Blob(kBooksBlob));
      ASSERT_EQ(uploaded.exit_code, 0) << uploaded.output;
      world_->uploaded = true;
    }
  }

  static EtlSandbox& sandbox() { return *world_->sandbox; }
  static const IdentityEndpoint& endpoint() { return world_->endpoint; }

  // What the CLI needs for Blob Storage with a managed identity, overridable per test.
  static std::map<std::string, std::string> BearerEnv() {
    auto env = endpoint().ProcessEnv();
    env["AZURE_STORAGE_CONNECTION_STRING"] = "BlobEndpoint=" + world_->azurite->BlobEndpoint();
    env["AZURE_STORAGE_AUTH"] = "managed-identity";
    env["AZURE_STORAGE_CA_FILE"] = world_->pki.ca_file();
    return env;
  }

  static etl_itest::CommandResult Vitrina(
      const std::string& arguments, const std::map<std::string, std::string>& env = BearerEnv()) {
    std::string assignments;
    for (const auto& [name, value] : env) assignments += name + "=" + ShellQuote(value) + " ";
    return sandbox().Vitrina(arguments, assignments);
  }

  // `etl run` of the uploaded books into `table` (6 of its 11 records are rejects by design).
  static etl_itest::CommandResult RunBooks(
      const std::string& table, const std::map<std::string, std::string>& env = BearerEnv()) {
    const auto spec = sandbox().SpecWithTable("tests/data/books.yaml", table);
    return Vitrina(
        "etl run --spec " + spec + " --max-reject-ratio 0.6 " + sandbox().Blob(kBooksBlob), env);
  }

  static std::string TableExists(const std::string& table) {
    return sandbox().Query("SELECT to_regclass('" + table + "') IS NOT NULL");
  }

  static std::unique_ptr<World> world_;
};

std::unique_ptr<ManagedIdentityBlob::World> ManagedIdentityBlob::world_;

TEST_F(ManagedIdentityBlob, EtlRunReadsTheBlobWithTheIdentitysTokenAndNoKey) {
  const auto run = RunBooks("books_mi_ok");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("11 rows read, 5 loaded, 6 rejected"), std::string::npos) << run.output;
  // The bytes read are the file uploaded.
  const auto sha256 =
      Capture("sha256sum " + EtlSandbox::Source("tests/data/books.csv.gz") + " | cut -d' ' -f1");
  ASSERT_EQ(sha256.size(), 64U);
  EXPECT_NE(run.output.find("sha256 " + sha256), std::string::npos) << run.output;
  EXPECT_EQ(sandbox().Query("SELECT count(*) FROM books_mi_ok"), "5");
  // `spec infer` reads it the same way.
  const auto inferred = Vitrina("spec infer " + sandbox().Blob(kBooksBlob));
  EXPECT_EQ(inferred.exit_code, 0) << inferred.output;
  EXPECT_NE(inferred.output.find("source: \"In Print\""), std::string::npos) << inferred.output;
  // Its token was asked for the storage audience, which Azurite requires.
  EXPECT_NE(endpoint().Issued().find(R"("resource": "https://storage.azure.com/")"),
            std::string::npos)
      << endpoint().Issued();
}

TEST_F(ManagedIdentityBlob, TokensStorageRefusesFailTheRunNamingWhyAndLoadNothing) {
  const std::map<std::string, std::string> refusals = {
      // A token for another service (the ingestion audience).
      {R"({"aud": "https://monitor.azure.com/"})", "Invalid token audience."},
      // Expired by Azurite's clock, although the endpoint said it was valid.
      {R"({"exp": 1000000000})", "Lifetime validation failed. The token is expired."},
      // Not from a Microsoft Entra tenant.
      {R"({"iss": "https://login.example.com/tenant/"})", "Invalid token issuer."},
  };
  int case_number = 0;
  for (const auto& [claims, detail] : refusals) {
    SCOPED_TRACE(claims);
    endpoint().SetClaims(claims);
    const std::string table = "books_mi_refused_" + std::to_string(++case_number);
    const auto run = RunBooks(table);
    EXPECT_NE(run.exit_code, 0) << run.output;
    EXPECT_NE(run.output.find("Azure Blob Storage refused the credentials (HTTP 403 "
                              "AuthenticationFailed: " +
                              std::string(detail) + ") to read blob " + sandbox().Blob(kBooksBlob)),
              std::string::npos)
        << run.output;
    EXPECT_NE(run.output.find("check the managed identity's token and its role"), std::string::npos)
        << run.output;
    // The run made the (empty) live table it would have replaced, and loaded nothing into it.
    EXPECT_EQ(sandbox().Query("SELECT count(*) FROM " + table), "0");
    // The run is recorded as failed with the same reason.
    EXPECT_EQ(sandbox().Query("SELECT status || ': ' || (error LIKE '%refused the credentials%') "
                              "FROM etl_runs ORDER BY id DESC LIMIT 1"),
              "failed: true");
  }
}

TEST_F(ManagedIdentityBlob, WithoutATokenTheRunStopsAtStartNamingStorage) {
  const auto runs_before = sandbox().Query("SELECT count(*) FROM etl_runs");
  endpoint().FailNext(1);
  const auto failed = RunBooks("books_mi_no_token");
  EXPECT_NE(failed.exit_code, 0) << failed.output;
  EXPECT_NE(failed.output.find(
                "AZURE_STORAGE_AUTH=managed-identity: no token for https://storage.azure.com/"),
            std::string::npos)
      << failed.output;

  // No identity endpoint at all: the setting cannot be honoured.
  auto env = BearerEnv();
  env.erase("IDENTITY_ENDPOINT");
  env.erase("IDENTITY_HEADER");
  const auto unset = RunBooks("books_mi_no_token", env);
  EXPECT_NE(unset.exit_code, 0) << unset.output;
  EXPECT_NE(unset.output.find("AZURE_STORAGE_AUTH=managed-identity needs IDENTITY_ENDPOINT"),
            std::string::npos)
      << unset.output;

  // Without a token, a key-less connection string is not enough.
  env = BearerEnv();
  env["AZURE_STORAGE_AUTH"] = "key";
  const auto keyless = RunBooks("books_mi_no_token", env);
  EXPECT_NE(keyless.exit_code, 0) << keyless.output;
  EXPECT_NE(keyless.output.find("neither AccountKey nor SharedAccessSignature"), std::string::npos)
      << keyless.output;

  EXPECT_EQ(TableExists("books_mi_no_token"), "f");
  EXPECT_EQ(sandbox().Query("SELECT count(*) FROM etl_runs"), runs_before);
}

TEST_F(ManagedIdentityBlob, TheEndpointIsTrustedOnlyThroughTheConfiguredCa) {
  // The system's store does not know the test CA: the certificate is verified, not skipped.
  auto env = BearerEnv();
  env.erase("AZURE_STORAGE_CA_FILE");
  const auto untrusted = RunBooks("books_mi_untrusted", env);
  EXPECT_NE(untrusted.exit_code, 0) << untrusted.output;
  EXPECT_NE(untrusted.output.find("cannot reach Azure Blob Storage at " +
                                  world_->azurite->BlobEndpoint() + " to read blob"),
            std::string::npos)
      << untrusted.output;
  EXPECT_NE(untrusted.output.find("certificate"), std::string::npos) << untrusted.output;
  EXPECT_EQ(sandbox().Query("SELECT count(*) FROM books_mi_untrusted"), "0");

  env["AZURE_STORAGE_CA_FILE"] = "/nonexistent/ca.pem";
  const auto unreadable = RunBooks("books_mi_untrusted", env);
  EXPECT_NE(unreadable.exit_code, 0) << unreadable.output;
  EXPECT_NE(unreadable.output.find("AZURE_STORAGE_CA_FILE=/nonexistent/ca.pem cannot be read"),
            std::string::npos)
      << unreadable.output;
}

}  // namespace
}  // namespace vitrina::itest
