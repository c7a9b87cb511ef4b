#include "support/own_redis.hpp"

#include <cstdio>
#include <cstdlib>
#include <thread>
#include <unistd.h>

#include "support/api_harness.hpp"
#include "vitrina/cache/cache_settings.hpp"

namespace vitrina::itest {

std::string Capture(const std::string& command) {
  std::string output;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    std::size_t read = 0;
    while ((read = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, read);
    pclose(pipe);
  }
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  return output;
}

bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

OwnRedis::OwnRedis(OwnRedisOptions options)
    : options_(std::move(options)),
      port_(options_.port != 0 ? options_.port : FreePort()),
      dir_(std::filesystem::temp_directory_path() /
           ("vitrina-own-redis-" + std::to_string(getpid()) + "-" + std::to_string(port_))) {
  std::filesystem::create_directories(dir_);
}

OwnRedis::~OwnRedis() {
  Cli("SHUTDOWN NOSAVE");
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

bool OwnRedis::Start() {
  const std::string persistence =
      options_.append_only ? " --appendonly yes --appendfsync always" : " --appendonly no";
  const auto port = std::to_string(port_);
  std::string listen = "--port " + port;
  if (options_.tls) {
    const auto& tls = *options_.tls;
    listen = "--port 0 --tls-port " + port + " --tls-cert-file " + tls.cert_file +
             " --tls-key-file " + tls.key_file + " --tls-ca-cert-file " + tls.ca_file +
             " --tls-auth-clients " + tls.auth_clients;
  }
  const auto command = "redis-server " + listen + " --bind 127.0.0.1 --save ''" + persistence +
                       " --dir " + dir_.string() + " --daemonize yes --logfile " +
                       (dir_ / "redis.log").string() + " " + options_.extra_args;
  if (std::system(command.c_str()) != 0) return false;
  return WaitUntil([this] { return Cli("PING") == "PONG"; }, std::chrono::seconds(5));
}

void OwnRedis::Stop() {
  Cli(options_.append_only ? "SHUTDOWN" : "SHUTDOWN NOSAVE");
  WaitUntil([this] { return !IsListening(port_); }, std::chrono::seconds(5));
}

void OwnRedis::FlushAll() const {
  Cli("FLUSHALL");
  std::this_thread::sleep_for(cache::CacheSettings{}.local_lease + std::chrono::milliseconds(10));
}

std::string OwnRedis::Cli(const std::string& args) const {
  std::string tls;
  if (options_.tls) {
    tls = " --tls --cacert " + options_.tls->ca_file;
    if (!options_.tls->client_cert_file.empty()) {
      tls +=
          " --cert " + options_.tls->client_cert_file + " --key " + options_.tls->client_key_file;
    }
  }
  const std::string auth = password_.empty() ? "" : " -a '" + password_ + "' --no-auth-warning";
  return Capture("redis-cli -h 127.0.0.1 -p " + std::to_string(port_) + tls + auth + " " + args +
                 " 2>/dev/null");
}

bool OwnRedis::SetPassword(const std::string& password) {
  if (Cli("CONFIG SET requirepass '" + password + "'") != "OK") return false;
  password_ = password;
  return true;
}

}  // namespace vitrina::itest
