#include "vitrina/identity/managed_identity.hpp"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "vitrina/http/client.hpp"
#include "vitrina/identity/core/token_response.hpp"

namespace vitrina::identity {
namespace {

using core::Clock;

// One resource's token. Current() is called from any thread (each new database connection,
// each Redis login, each blob request, each telemetry batch).
class ResourceToken final : public base::AccessTokenSource {
 public:
  explicit ResourceToken(std::string resource, const core::RefreshPolicy& policy)
      : resource_(std::move(resource)), schedule_(policy) {}

  base::Result<base::AccessToken> Current() const override {
    std::lock_guard lock(mutex_);
    auto token = schedule_.Current(Clock::now());
    if (token.ok()) return token;
    base::Error error = token.error();
    error.detail = resource_ + ": " + error.detail;
    return error;
  }

  const std::string& resource() const { return resource_; }
  Clock::time_point NextFetch() const {
    std::lock_guard lock(mutex_);
    return schedule_.NextFetch();
  }
  void Record(const base::Result<base::AccessToken>& fetched) {
    std::lock_guard lock(mutex_);
    if (fetched.ok()) {
      schedule_.Fetched(*fetched, Clock::now());
    } else {
      schedule_.Failed(fetched.error().detail, Clock::now());
    }
  }

 private:
  std::string resource_;
  mutable std::mutex mutex_;
  core::TokenSchedule schedule_;
};

}  // namespace

std::optional<ManagedIdentitySettings> ReadManagedIdentitySettings(base::EnvReader& env) {
  auto endpoint = env.OptionalString("IDENTITY_ENDPOINT");
  auto header = env.OptionalString("IDENTITY_HEADER");
  if (!endpoint) {
    if (header) env.AddProblem("IDENTITY_HEADER is set without IDENTITY_ENDPOINT");
    return std::nullopt;
  }
  if (!header) {
    env.AddProblem("IDENTITY_ENDPOINT is set without IDENTITY_HEADER");
    return std::nullopt;
  }
  if (endpoint->rfind("http://", 0) != 0 && endpoint->rfind("https://", 0) != 0) {
    env.AddProblem("IDENTITY_ENDPOINT must be an http:// or https:// URL");
    return std::nullopt;
  }
  ManagedIdentitySettings settings;
  settings.endpoint = std::move(*endpoint);
  settings.header = std::move(*header);
  settings.client_id = env.String("AZURE_CLIENT_ID", "");
  return settings;
}

class ManagedIdentity::Impl {
 public:
  explicit Impl(ManagedIdentitySettings settings) : settings_(std::move(settings)) {}

  ~Impl() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  base::Result<const base::AccessTokenSource*> Source(std::string_view resource) {
    std::lock_guard lock(mutex_);
    if (const auto found = tokens_.find(std::string(resource)); found != tokens_.end()) {
      return found->second.get();
    }
    auto token = std::make_unique<ResourceToken>(std::string(resource), settings_.refresh);
    auto first = Fetch(token->resource());
    if (!first.ok()) return first.error();
    token->Record(first);
    const base::AccessTokenSource* source = token.get();
    tokens_.emplace(std::string(resource), std::move(token));
    if (!thread_.joinable()) thread_ = std::thread([this] { Refresh(); });
    wake_.notify_all();
    return source;
  }

 private:
  // One token request (NOTES-services, "Managed identities"). The HTTP client is used by one
  // thread at a time: the caller of Source() holds mutex_, the refresh thread fetches_ mutex.
  base::Result<base::AccessToken> Fetch(const std::string& resource) {
    std::lock_guard lock(fetch_mutex_);
    http::ClientRequest request;
    request.url = core::TokenRequestUrl(settings_.endpoint, resource, settings_.client_id);
    request.headers = {{"X-IDENTITY-HEADER", settings_.header}};
    request.timeout = settings_.timeout;
    request.connect_timeout = settings_.timeout;
    auto response = client_.Send(request);
    if (!response.ok()) {
      return base::MakeError(base::ErrorCode::kUnavailable, "managed identity token unavailable",
                             "identity endpoint: " + response.error().detail);
    }
    if (response->status != 200) {
      return base::MakeError(base::ErrorCode::kUnavailable, "managed identity token unavailable",
                             "identity endpoint answered HTTP " + std::to_string(response->status) +
                                 " for " + resource + ": " + response->body.substr(0, 300));
    }
    return core::ParseTokenResponse(response->body, Clock::now());
  }

  // Sleeps until the earliest token is due, refreshes every due one, and again, until stopped.
  void Refresh() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      auto due = Clock::time_point::max();
      for (const auto& [resource, token] : tokens_) due = std::min(due, token->NextFetch());
      if (Clock::now() < due) {
        wake_.wait_until(lock, due);
        continue;
      }
      std::vector<ResourceToken*> refresh;
      for (const auto& [resource, token] : tokens_) {
        if (token->NextFetch() <= Clock::now()) refresh.push_back(token.get());
      }
      lock.unlock();
      for (auto* token : refresh) {
        auto fetched = Fetch(token->resource());
        if (fetched.ok()) {
          spdlog::debug("managed identity: new token for {}", token->resource());
        } else {
          spdlog::warn("managed identity: refreshing the token for {} failed: {}",
                       token->resource(), fetched.error().detail);
        }
        token->Record(fetched);
      }
      lock.lock();
    }
  }

  ManagedIdentitySettings settings_;
  std::mutex mutex_;  // tokens_, stopping_, thread_
  std::condition_variable wake_;
  std::map<std::string, std::unique_ptr<ResourceToken>> tokens_;
  bool stopping_ = false;
  std::mutex fetch_mutex_;
  http::HttpClient client_;
  std::thread thread_;  // last: joined before the rest is destroyed
};

ManagedIdentity::ManagedIdentity(ManagedIdentitySettings settings)
    : impl_(std::make_unique<Impl>(std::move(settings))) {}

ManagedIdentity::~ManagedIdentity() = default;

base::Result<const base::AccessTokenSource*> ManagedIdentity::Source(std::string_view resource) {
  return impl_->Source(resource);
}

}  // namespace vitrina::identity
