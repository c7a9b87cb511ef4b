#include "vitrina/auth/auth_settings.hpp"

namespace vitrina::auth {

std::string FirebaseSettings::IdentityToolkitBase() const {
  if (emulator_host) return "http://" + *emulator_host + "/identitytoolkit.googleapis.com";
  return identity_toolkit_url;
}

std::string FirebaseSettings::SecureTokenBase() const {
  if (emulator_host) return "http://" + *emulator_host + "/securetoken.googleapis.com";
  return secure_token_url;
}

AuthSettings ReadAuthSettings(base::EnvReader& env) {
  AuthSettings settings;
  auto& firebase = settings.firebase;
  firebase.environment = env.Choice("VITRINA_ENV", "development", {"development", "production"});
  firebase.emulator_host = env.OptionalString("FIREBASE_AUTH_EMULATOR_HOST");
  firebase.project_id =
      env.String("FIREBASE_PROJECT_ID", firebase.emulator_host ? "demo-vitrina" : "");
  if (firebase.project_id.empty()) env.AddProblem("FIREBASE_PROJECT_ID is required");
  // The emulator accepts any key; production needs the project's Web API key.
  firebase.api_key = env.String("FIREBASE_API_KEY", firebase.emulator_host ? "emulator-key" : "");
  if (firebase.api_key.empty()) env.AddProblem("FIREBASE_API_KEY is required");
  firebase.identity_toolkit_url = env.Url("FIREBASE_IDENTITY_TOOLKIT_URL",
                                          firebase.identity_toolkit_url, {"https://", "http://"});
  firebase.secure_token_url =
      env.Url("FIREBASE_SECURE_TOKEN_URL", firebase.secure_token_url, {"https://", "http://"});
  firebase.certificates_url =
      env.Url("FIREBASE_CERTS_URL", firebase.certificates_url, {"https://", "http://"});
  firebase.http_timeout =
      std::chrono::milliseconds(env.Integer("AUTH_HTTP_TIMEOUT_MS", 5000, 100, 60000));
  firebase.clock_skew = std::chrono::seconds(env.Integer("AUTH_CLOCK_SKEW_SECONDS", 60, 0, 300));
  firebase.token_cache_max_age =
      std::chrono::seconds(env.Integer("AUTH_TOKEN_CACHE_SECONDS", 300, 0, 3600));
  firebase.key_refresh.min_interval =
      std::chrono::seconds(env.Integer("AUTH_KEYS_MIN_REFETCH_SECONDS", 30, 1, 3600));

  auto& limits = settings.login_rate_limit;
  auto& pair = limits.policy.per_email_and_address;
  pair.max_failures = env.Integer("LOGIN_MAX_FAILURES_PER_EMAIL", 5, 1, 1000000);
  pair.window = std::chrono::seconds(env.Integer("LOGIN_EMAIL_WINDOW_SECONDS", 300, 1, 86400));
  auto& address = limits.policy.per_address;
  address.max_failures = env.Integer("LOGIN_MAX_FAILURES_PER_ADDRESS", 20, 1, 1000000);
  address.window = std::chrono::seconds(env.Integer("LOGIN_ADDRESS_WINDOW_SECONDS", 300, 1, 86400));
  auto& backoff = limits.policy.email_backoff;
  backoff.after = env.Integer("LOGIN_EMAIL_BACKOFF_AFTER", 10, 1, 1000000);
  backoff.window =
      std::chrono::seconds(env.Integer("LOGIN_EMAIL_BACKOFF_WINDOW_SECONDS", 900, 1, 86400));
  backoff.max = std::chrono::seconds(env.Integer("LOGIN_EMAIL_BACKOFF_MAX_SECONDS", 60, 1, 3600));
  backoff.first =
      std::chrono::seconds(env.Integer("LOGIN_EMAIL_BACKOFF_FIRST_SECONDS", 1, 1, 3600));
  limits.timeout =
      std::chrono::milliseconds(env.Integer("LOGIN_RATE_LIMIT_TIMEOUT_MS", 250, 10, 10000));

  settings.user_status.freshness =
      std::chrono::milliseconds(env.Integer("USER_STATUS_FRESHNESS_MS", 1000, 0, 1000));
  return settings;
}

}  // namespace vitrina::auth
