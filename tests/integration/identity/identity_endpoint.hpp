#pragma once

// tools/identity-endpoint.py as a process of the test's own, shared by the identity suites: the
// stand-in for the managed-identity endpoint of Azure Container Apps (IDENTITY_ENDPOINT,
// X-IDENTITY-HEADER), issuing Entra-shaped unsigned JWTs.

#include <chrono>
#include <csignal>
#include <cstdint>
#include <map>
#include <string>

#include "support/api_harness.hpp"
#include "support/own_redis.hpp"
#include "vitrina/identity/managed_identity.hpp"

namespace vitrina::itest {

inline constexpr const char* kIdentitySecret = "identity-header-secret";
// The stand-in's default object id.
inline constexpr const char* kIdentityObjectId = "6c1f0a52-3f2e-4b7a-9d55-5a1e2f0c9b11";

// The endpoint on a free port; tokens live `lifetime_seconds` and are replaced by the endpoint
// after half of it, as Entra's are.
class IdentityEndpoint {
 public:
  explicit IdentityEndpoint(int lifetime_seconds) : port_(FreePort()) {
    const auto pid =
        Capture("python3 " + SourcePath("tools/identity-endpoint.py") + " --quiet --port " +
                std::to_string(port_) + " --header " + kIdentitySecret + " --lifetime " +
                std::to_string(lifetime_seconds) + " >/dev/null 2>&1 & echo $!");
    pid_ = std::stoi(pid);
    started_ = WaitUntil([this] { return IsListening(port_); }, std::chrono::seconds(10));
  }
  ~IdentityEndpoint() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
  }
  IdentityEndpoint(const IdentityEndpoint&) = delete;
  IdentityEndpoint& operator=(const IdentityEndpoint&) = delete;

  bool started() const { return started_; }
  std::uint16_t port() const { return port_; }
  std::string TokenUrl() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/msi/token";
  }

  // For a library client in the test process.
  identity::ManagedIdentitySettings Settings(const std::string& header = kIdentitySecret) const {
    identity::ManagedIdentitySettings settings;
    settings.endpoint = TokenUrl();
    settings.header = header;
    settings.refresh.first_retry = std::chrono::milliseconds(100);
    settings.refresh.max_retry = std::chrono::milliseconds(400);
    return settings;
  }
  // For a `vitrina` process: what Azure Container Apps sets for an app with a managed identity.
  std::map<std::string, std::string> ProcessEnv() const {
    return {{"IDENTITY_ENDPOINT", TokenUrl()}, {"IDENTITY_HEADER", kIdentitySecret}};
  }

  // Makes the next `count` token requests fail with HTTP 500.
  void FailNext(int count) const {
    Fetch(port_, "POST", "/control", R"({"fail_next": )" + std::to_string(count) + "}");
  }
  // Tokens issued from now on carry these claims (a JSON object) instead of the usual ones; "{}"
  // goes back to normal. The answer's expires_on stays the real one.
  void SetClaims(const std::string& claims_json) const {
    Fetch(port_, "POST", "/control", R"({"claims": )" + claims_json + "}");
  }
  // Every token issued so far, one JSON object per line ({"resource", "access_token", ...}).
  std::string Issued() const { return Fetch(port_, "GET", "/issued").body; }

 private:
  std::uint16_t port_;
  int pid_ = -1;
  bool started_ = false;
};

}  // namespace vitrina::itest
