#pragma once

// A redis-server a test starts for itself, on a port of its own, so it can stop, restart or
// configure it (memory caps, eviction) without touching the shared services of the run.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace vitrina::itest {

// stdout of a shell command, trailing newlines removed.
std::string Capture(const std::string& command);

// Polls `condition` every 50 ms until it holds or `timeout` passed; its last value.
bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// A TLS-only server: no plaintext port, `port` is its TLS port.
struct OwnRedisTls {
  std::string cert_file;  // the server's certificate and key
  std::string key_file;
  std::string ca_file;              // CA of client certificates (and of redis-cli's trust)
  std::string auth_clients = "no";  // "yes": a client certificate is required; "optional"
  std::string client_cert_file;     // what redis-cli presents, when set
  std::string client_key_file;
};

struct OwnRedisOptions {
  std::uint16_t port = 0;    // 0: a free one
  bool append_only = false;  // keep data across Stop() and Start() (an append-only file)
  std::string extra_args;    // more redis-server options, e.g. "--maxmemory 32mb"
  std::optional<OwnRedisTls> tls;
};

class OwnRedis {
 public:
  explicit OwnRedis(OwnRedisOptions options = {});
  ~OwnRedis();
  OwnRedis(const OwnRedis&) = delete;
  OwnRedis& operator=(const OwnRedis&) = delete;

  // Starts it (again) and waits until it answers PING; false when it did not.
  bool Start();
  // SHUTDOWN (saving the append-only file, when there is one) and waits until it is gone.
  void Stop();
  // redis-cli's output for `args` (already quoted for the shell).
  std::string Cli(const std::string& args) const;
  std::string Exists(const std::string& key) const { return Cli("EXISTS '" + key + "'"); }
  // Empties it as an operator's FLUSHALL would, then waits out a lease (CACHE_LOCAL_LEASE_MS,
  // default): a server may send a body it kept until a lease after it last confirmed it, so
  // only then is every later request a miss (docs/cache.md, "Leases").
  void FlushAll() const;
  // Requires `password` of every client from now on (CONFIG SET requirepass); Cli() and Stop()
  // send it.
  bool SetPassword(const std::string& password);
  // redis://127.0.0.1:port, or rediss:// for a TLS server.
  std::string Url() const {
    return (options_.tls ? "rediss://127.0.0.1:" : "redis://127.0.0.1:") + std::to_string(port_);
  }
  std::uint16_t port() const { return port_; }

 private:
  OwnRedisOptions options_;
  std::string password_;  // SetPassword()'s
  std::uint16_t port_;
  std::filesystem::path dir_;
};

}  // namespace vitrina::itest
