#include "vitrina/auth/firebase_token_verifier.hpp"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include <boost/json/parse.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include "vitrina/auth/core/jwt.hpp"
#include "vitrina/http/client.hpp"

namespace vitrina::auth {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Google's keys are 2048-bit RSA; anything weaker is refused even if served to us.
constexpr int kMinRsaBits = 2048;
constexpr std::size_t kMaxCertificateDocumentBytes = std::size_t{256} * 1024;

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct MdDeleter {
  void operator()(EVP_MD* md) const { EVP_MD_free(md); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// One fetch's worth of keys: immutable once built, shared by readers through shared_ptr.
struct KeySet {
  std::map<std::string, PkeyPtr, std::less<>> keys;
  SteadyClock::time_point fetched_at;
  std::chrono::seconds max_age{0};
};

base::Error InvalidToken(std::string detail) {
  return base::MakeError(base::ErrorCode::kUnauthenticated, std::string(core::kInvalidTokenMessage),
                         std::move(detail));
}

base::Result<PkeyPtr> PublicKeyFromCertificate(std::string_view pem) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return base::MakeError(base::ErrorCode::kInternal, "internal error", "BIO_new failed");
  std::unique_ptr<X509, X509Deleter> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    return base::MakeError(base::ErrorCode::kInternal, "internal error", "not a PEM X.509");
  }
  PkeyPtr key(X509_get_pubkey(cert.get()));
  if (!key) return base::MakeError(base::ErrorCode::kInternal, "internal error", "no public key");
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    return base::MakeError(base::ErrorCode::kInternal, "internal error", "not an RSA key");
  }
  if (EVP_PKEY_get_bits(key.get()) < kMinRsaBits) {
    return base::MakeError(base::ErrorCode::kInternal, "internal error", "RSA key too short");
  }
  return key;
}

base::Result<std::shared_ptr<const KeySet>> ParseKeyDocument(const SigningKeyDocument& document,
                                                             const core::KeyRefreshPolicy& policy,
                                                             SteadyClock::time_point fetched_at) {
  boost::system::error_code error;
  const auto json = boost::json::parse(document.body, error);
  if (error || !json.is_object()) {
    return base::MakeError(base::ErrorCode::kUnavailable, "signing keys unavailable",
                           "certificate document is not a JSON object");
  }
  auto set = std::make_shared<KeySet>();
  set->fetched_at = fetched_at;
  set->max_age = policy.EffectiveMaxAge(document.max_age);
  for (const auto& [kid, pem] : json.as_object()) {
    if (!pem.is_string()) continue;
    auto key = PublicKeyFromCertificate(pem.as_string());
    if (!key) {
      spdlog::warn("auth: ignoring signing certificate kid={}: {}", std::string_view(kid),
                   key.error().detail);
      continue;
    }
    set->keys.emplace(std::string(kid), std::move(*key));
  }
  if (set->keys.empty()) {
    return base::MakeError(base::ErrorCode::kUnavailable, "signing keys unavailable",
                           "certificate document holds no usable RSA key");
  }
  return std::shared_ptr<const KeySet>(std::move(set));
}

class HttpSigningKeySource final : public SigningKeySource {
 public:
  HttpSigningKeySource(std::string url, std::chrono::milliseconds timeout)
      : url_(std::move(url)), timeout_(timeout) {}

  base::Result<SigningKeyDocument> Fetch() override {
    http::ClientRequest request;
    request.url = url_;
    request.timeout = timeout_;
    request.connect_timeout = timeout_;
    request.max_response_bytes = kMaxCertificateDocumentBytes;
    auto response = http::SendHttp(request);
    if (!response) {
      return base::MakeError(base::ErrorCode::kUnavailable, "signing keys unavailable",
                             response.error().detail);
    }
    if (response->status != 200) {
      return base::MakeError(base::ErrorCode::kUnavailable, "signing keys unavailable",
                             "GET " + url_ + " returned HTTP " + std::to_string(response->status));
    }
    return SigningKeyDocument{std::move(response->body),
                              core::ParseCacheControlMaxAge(response->Header("cache-control"))};
  }

 private:
  std::string url_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

std::unique_ptr<SigningKeySource> MakeHttpSigningKeySource(std::string url,
                                                           std::chrono::milliseconds timeout) {
  return std::make_unique<HttpSigningKeySource>(std::move(url), timeout);
}

struct FirebaseTokenVerifier::State {
  FirebaseTokenVerifierSettings settings;
  std::unique_ptr<SigningKeySource> source;
  std::unique_ptr<EVP_MD, MdDeleter> sha256;  // fetched once: per-call fetches are slow in 3.x

  std::mutex mutex;  // guards everything below
  std::condition_variable wake;
  std::shared_ptr<const KeySet> keys;
  std::optional<SteadyClock::time_point> last_attempt;
  SteadyClock::time_point next_refresh;
  bool refresh_requested = false;
  bool stopping = false;
  std::size_t fetches = 0;
  std::thread refresher;

  // Call with `mutex` held, in the same critical section that claims the refresh, so no
  // concurrent unknown-kid request can slip a second fetch in between.
  SteadyClock::time_point MarkAttempt() {
    const auto started = SteadyClock::now();
    last_attempt = started;
    refresh_requested = false;
    ++fetches;
    return started;
  }

  // Runs on the start-up thread once, then on the refresher thread only; MarkAttempt() first.
  base::Status FetchNow(SteadyClock::time_point started) {
    auto document = source->Fetch();
    auto parsed = document ? ParseKeyDocument(*document, settings.key_refresh, started)
                           : base::Result<std::shared_ptr<const KeySet>>(document.error());
    std::lock_guard lock(mutex);
    if (!parsed) {
      next_refresh = settings.key_refresh.RetryAfterFailure(started);
      return parsed.error();
    }
    next_refresh = settings.key_refresh.NextRefresh(started, (*parsed)->max_age);
    keys = std::move(*parsed);
    return base::OkStatus();
  }

  void RefreshLoop() {
    std::unique_lock lock(mutex);
    while (!stopping) {
      const bool due = refresh_requested || SteadyClock::now() >= next_refresh;
      if (!due) {
        wake.wait_until(lock, next_refresh, [this] { return stopping || refresh_requested; });
        continue;
      }
      const auto started = MarkAttempt();
      lock.unlock();
      if (auto status = FetchNow(started); !status) {
        spdlog::warn("auth: refreshing signing keys failed: {}", status.error().detail);
      }
      lock.lock();
    }
  }

  // Called from Verify on an unknown kid: wakes the refresher unless it ran too recently.
  void RequestRefresh() {
    std::lock_guard lock(mutex);
    if (refresh_requested) return;
    if (!settings.key_refresh.MayFetchOnUnknownKid(last_attempt, SteadyClock::now())) return;
    refresh_requested = true;
    wake.notify_one();
  }

  bool SignatureValid(EVP_PKEY* key, std::string_view signing_input,
                      std::string_view signature) const {
    std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
    if (!ctx) return false;
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, sha256.get(), nullptr, key) != 1) return false;
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(),
                            reinterpret_cast<const unsigned char*>(signing_input.data()),
                            signing_input.size()) == 1;
  }
};

base::Result<std::unique_ptr<FirebaseTokenVerifier>> FirebaseTokenVerifier::Start(
    FirebaseTokenVerifierSettings settings, std::unique_ptr<SigningKeySource> source) {
  if (settings.project_id.empty()) {
    return base::MakeError(base::ErrorCode::kInvalidArgument, "FIREBASE_PROJECT_ID is required");
  }
  auto state = std::make_unique<State>();
  state->settings = std::move(settings);
  state->source = std::move(source);
  state->sha256.reset(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  if (!state->sha256) {
    return base::MakeError(base::ErrorCode::kInternal, "internal error", "SHA256 unavailable");
  }
  SteadyClock::time_point started;
  {
    std::lock_guard lock(state->mutex);
    started = state->MarkAttempt();
  }
  if (auto status = state->FetchNow(started); !status) {
    auto error = status.error();
    error.message = "cannot load Firebase signing keys: " + error.detail;
    return error;
  }
  State* raw = state.get();
  state->refresher = std::thread([raw] { raw->RefreshLoop(); });
  return std::unique_ptr<FirebaseTokenVerifier>(new FirebaseTokenVerifier(std::move(state)));
}

FirebaseTokenVerifier::FirebaseTokenVerifier(std::unique_ptr<State> state)
    : state_(std::move(state)) {}

FirebaseTokenVerifier::~FirebaseTokenVerifier() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->wake.notify_one();
  if (state_->refresher.joinable()) state_->refresher.join();
}

std::size_t FirebaseTokenVerifier::fetch_count() const {
  std::lock_guard lock(state_->mutex);
  return state_->fetches;
}

base::Result<core::VerifiedIdentity> FirebaseTokenVerifier::Verify(std::string_view token) const {
  auto parts = core::ParseJwt(token);
  if (!parts) return parts.error();
  auto header = core::CheckJwtHeader(*parts, core::SignatureMode::kRs256);
  if (!header) return header.error();

  std::shared_ptr<const KeySet> keys;
  {
    std::lock_guard lock(state_->mutex);
    keys = state_->keys;
  }
  const auto now = SteadyClock::now();
  if (!state_->settings.key_refresh.KeysUsable(keys->fetched_at, keys->max_age, now)) {
    state_->RequestRefresh();
    return InvalidToken("signing keys expired and could not be refreshed");
  }
  const auto key = keys->keys.find(header->kid);
  if (key == keys->keys.end()) {
    state_->RequestRefresh();
    return InvalidToken("unknown signing key kid=" + header->kid);
  }
  // The signature is checked before any claim is believed.
  if (!state_->SignatureValid(key->second.get(), parts->signing_input, parts->signature)) {
    return InvalidToken("bad RS256 signature (kid=" + header->kid + ")");
  }
  return core::CheckFirebaseClaims(parts->payload, state_->settings.project_id,
                                   std::chrono::system_clock::now(), state_->settings.clock_skew);
}

}  // namespace vitrina::auth
