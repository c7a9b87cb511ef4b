#include "vitrina/redis/settings.hpp"

#include "vitrina/redis/core/address.hpp"

namespace vitrina::redis {
namespace {

void ReadTls(base::EnvReader& env, bool url_says_tls, RedisTlsSettings& tls) {
  const auto explicit_tls = env.OptionalString("REDIS_TLS");
  tls.enabled = env.Boolean("REDIS_TLS", url_says_tls);
  if (url_says_tls && !tls.enabled && explicit_tls) {
    env.AddProblem("REDIS_TLS=" + *explicit_tls + " contradicts the rediss:// of REDIS_URL");
    tls.enabled = true;
  }
  tls.ca_file = env.ReadableFile("REDIS_TLS_CA_FILE");
  tls.cert_file = env.ReadableFile("REDIS_TLS_CERT_FILE");
  tls.key_file = env.ReadableFile("REDIS_TLS_KEY_FILE");
  tls.server_name = env.String("REDIS_TLS_SERVER_NAME", "");
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    env.AddProblem("REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE go together: set both or neither");
  }
  const bool tls_options = !tls.ca_file.empty() || !tls.cert_file.empty() ||
                           !tls.key_file.empty() || !tls.server_name.empty();
  if (tls_options && !tls.enabled) {
    env.AddProblem(
        "REDIS_TLS_* is set but Redis is reached without TLS: use rediss:// or REDIS_TLS=true");
  }
}

}  // namespace

RedisSettings ReadRedisSettings(base::EnvReader& env) {
  RedisSettings settings;
  bool url_says_tls = false;
  if (const auto nodes = env.OptionalString("REDIS_CLUSTER_NODES")) {
    auto parsed = core::ParseHostPortList(*nodes);
    if (parsed.ok()) {
      settings.nodes = std::move(*parsed);
      settings.cluster = true;
    } else {
      env.AddProblem(parsed.error().message);
    }
  } else if (const auto url = env.OptionalString("REDIS_URL")) {
    auto parsed = core::ParseRedisUrl(*url);
    if (parsed.ok()) {
      url_says_tls = parsed->tls;
      settings.nodes.push_back(std::move(*parsed));
    } else {
      env.AddProblem(parsed.error().message);
    }
  }
  ReadTls(env, url_says_tls, settings.tls);
  for (auto& node : settings.nodes) node.tls = settings.tls.enabled;
  return settings;
}

}  // namespace vitrina::redis
