#pragma once

#include <string>
#include <string_view>

// The Lua scripts of the cache protocol. Each touches K and keys named "{K}:..." (its version key
// "{K}:v", its compressed variants "{K}:gzip" and "{K}:br"), which share K's hash slot (a catalog
// key contains no braces, so "{K}" tags the whole key), so every script is legal on Redis Cluster.
// Versions are random tokens, never counters: a Redis restart that loses the version keys must not
// let an old token match again.
namespace vitrina::cache::scripts {

// KEYS: K, {K}:v   ARGV: fresh token, version ttl.  -> {1, value} | {0, version}
// A miss reads (or creates) the version it will have to present when storing.
inline constexpr std::string_view kBeginMiss = R"lua(
local value = redis.call('GET', KEYS[1])
if value then return {1, value} end
local version = redis.call('GET', KEYS[2])
if not version then
  version = ARGV[1]
  redis.call('SET', KEYS[2], version, 'EX', ARGV[2])
end
return {0, version}
)lua";

// KEYS: K, {K}:v, {K}:gzip, {K}:br   ARGV: version read at the miss, value, ttl, version ttl.
// -> 1 stored | 0 refused. Refused when a write (or a flush) replaced the version since the miss:
// the value may predate it. A stored value drops the variants: they were made from other bytes.
inline constexpr std::string_view kStoreIfVersion = R"lua(
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('DEL', KEYS[3], KEYS[4])
return 1
)lua";

// KEYS: K, {K}:v, {K}:gzip, {K}:br   ARGV: fresh token, version ttl.  -> data keys deleted
// The entry and every compressed variant of it go in one step.
inline constexpr std::string_view kInvalidate = R"lua(
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
return redis.call('DEL', KEYS[1], KEYS[3], KEYS[4])
)lua";

// KEYS: K, {K}:<coding>   ARGV: K's header the variant was made from, the variant's value.
// -> 1 stored | 0 refused. Stored only while K still holds that entry (same etag and stamp), and
// never longer than K lives: a variant can only be a compression of K's current bytes, and it
// expires with them (so also within the registry window writers read). An invalidation or a new
// store since the variant's bytes were read refuses it.
inline constexpr std::string_view kStoreVariant = R"lua(
if redis.call('GETRANGE', KEYS[1], 0, 54) ~= ARGV[1] then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ttl)
return 1
)lua";

// KEYS: K   ARGV: the value seen.  -> 1 deleted | 0 (K holds something else now)
inline constexpr std::string_view kDeleteIfValue = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

// KEYS: shared body   ARGV: ttl.  -> 1 present (its TTL now at least ttl) | 0 absent
inline constexpr std::string_view kExtendIfPresent = R"lua(
local left = redis.call('TTL', KEYS[1])
if left == -2 then return 0 end
if left >= 0 and left < tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return 1
)lua";

// KEYS: counter   ARGV: window seconds.  -> {count after this one, seconds left in the window}
inline constexpr std::string_view kCountInWindow = R"lua(
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('TTL', KEYS[1])}
)lua";

inline std::string VersionKey(std::string_view key) { return "{" + std::string(key) + "}:v"; }

}  // namespace vitrina::cache::scripts
