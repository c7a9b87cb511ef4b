#pragma once

#include "vitrina/base/env_reader.hpp"
#include "vitrina/redis/client.hpp"

namespace vitrina::redis {

// Where Redis is and how to reach it, from the environment:
//   REDIS_CLUSTER_NODES=h:p,h:p    cluster seeds; takes precedence over REDIS_URL
//   REDIS_URL=redis://[[user]:password@]host:port   one node; rediss://... for TLS
//   REDIS_TLS=true                 TLS for REDIS_CLUSTER_NODES (rediss:// says it for REDIS_URL)
//   REDIS_TLS_CA_FILE=ca.pem       trusted CAs (PEM); unset: the system's store
//   REDIS_TLS_CERT_FILE, REDIS_TLS_KEY_FILE   client certificate and key, when the server asks
//   REDIS_TLS_SERVER_NAME=name     name sent as SNI and checked in the certificate, instead of
//                                  each node's host (for clusters that announce nodes by IP)
// Timeouts and connection counts are the cache's (cache/cache_settings.hpp). Neither REDIS_URL nor
// REDIS_CLUSTER_NODES: no node, and MakeRedisClient answers "not configured". Problems are
// collected in `env`.
RedisSettings ReadRedisSettings(base::EnvReader& env);

}  // namespace vitrina::redis
