#pragma once

// Helpers for the auth integration tests: RSA keys and self-signed certificates made at test
// time, JWT minting (RS256, HS256, unsigned), and a tiny HTTP server that publishes {kid: PEM}
// the way Google does. Nothing here is used by the service itself.
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "vitrina/base/base64url.hpp"
#include "vitrina/redis/client.hpp"
#include "vitrina/redis/core/address.hpp"

namespace vitrina::auth::testing {

inline std::optional<std::string> Env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// Unique per test process, so suites and reruns never collide in shared services.
inline std::string RunId() {
  static const std::string id =
      std::to_string(::getpid()) + "-" +
      std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 100000000);
  return id;
}

inline std::string UniqueEmail(const std::string& label) {
  static std::atomic<int> counter{0};
  return "auth-itest-" + label + "-" + RunId() + "-" + std::to_string(++counter) + "@example.com";
}

// The service's Redis client on an event loop of its own, as `serve` wires it for the login rate
// limiter. An empty or unreachable URL still gives a client (it fails every command).
class RedisOnLoop {
 public:
  explicit RedisOnLoop(const std::string& url)
      : guard_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {
    redis::RedisSettings settings;
    settings.command_timeout = std::chrono::milliseconds(200);
    if (auto address = redis::core::ParseRedisUrl(url)) settings.nodes.push_back(*address);
    client_ = redis::MakeRedisClient(io_.get_executor(), settings);
  }
  ~RedisOnLoop() {
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  RedisOnLoop(const RedisOnLoop&) = delete;
  RedisOnLoop& operator=(const RedisOnLoop&) = delete;

  redis::RedisClient& client() { return *client_; }
  boost::asio::any_io_executor executor() { return io_.get_executor(); }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
  std::unique_ptr<redis::RedisClient> client_;
};

struct TestKey {
  std::shared_ptr<EVP_PKEY> key;
  std::string certificate_pem;
  std::string public_key_pem;
};

inline std::string BioToString(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

inline TestKey MakeTestKey(unsigned bits = 2048) {
  TestKey out;
  out.key.reset(EVP_RSA_gen(bits), EVP_PKEY_free);
  if (!out.key) throw std::runtime_error("EVP_RSA_gen failed");
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7 * 24 * 3600);
  X509_set_pubkey(cert.get(), out.key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("securetoken.test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), out.key.get(), EVP_sha256()) == 0) {
    throw std::runtime_error("X509_sign failed");
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509(cert_bio.get(), cert.get());
  out.certificate_pem = BioToString(cert_bio.get());
  std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PUBKEY(key_bio.get(), out.key.get());
  out.public_key_pem = BioToString(key_bio.get());
  return out;
}

inline std::string SigningInput(const boost::json::object& header,
                                const boost::json::object& payload) {
  return base::Base64UrlEncode(boost::json::serialize(header)) + "." +
         base::Base64UrlEncode(boost::json::serialize(payload));
}

inline std::string SignRs256(const TestKey& key, const boost::json::object& header,
                             const boost::json::object& payload) {
  const std::string input = SigningInput(header, payload);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.key.get());
  std::size_t size = 0;
  EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string signature(size, '\0');
  EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  signature.resize(size);
  return input + "." + base::Base64UrlEncode(signature);
}

inline std::string SignHs256(std::string_view secret, const boost::json::object& header,
                             const boost::json::object& payload) {
  const std::string input = SigningInput(header, payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &size);
  return input + "." + base::Base64UrlEncode(std::string(reinterpret_cast<char*>(mac), size));
}

inline std::string Unsigned(const boost::json::object& header, const boost::json::object& payload) {
  return SigningInput(header, payload) + ".";
}

inline boost::json::object ValidClaims(const std::string& project, const std::string& uid) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return boost::json::object{{"iss", "https://securetoken.google.com/" + project},
                             {"aud", project},
                             {"sub", uid},
                             {"user_id", uid},
                             {"iat", now - 10},
                             {"auth_time", now - 10},
                             {"exp", now + 3600},
                             {"email", "ada@example.com"},
                             {"email_verified", true},
                             {"firebase", boost::json::object{{"sign_in_provider", "password"}}}};
}

// Serves one JSON document on every request, with Cache-Control: public, max-age=<max_age>.
// Binds the first free port of 28520-28539 (this suite's share of the 285xx range).
class CertificateServer {
 public:
  CertificateServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    const int yes = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    for (int candidate = 28520; candidate < 28540 && port_ == 0; ++candidate) {
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_port = htons(static_cast<std::uint16_t>(candidate));
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
        port_ = candidate;
      }
    }
    if (port_ == 0 || ::listen(listener_, 16) != 0) {
      throw std::runtime_error("no free port for the certificate server");
    }
    thread_ = std::thread([this] { Serve(); });
  }

  ~CertificateServer() {
    stopping_ = true;
    thread_.join();
    ::close(listener_);
  }

  void Publish(const boost::json::object& keys, int max_age_seconds) {
    std::lock_guard lock(mutex_);
    body_ = boost::json::serialize(keys);
    max_age_ = max_age_seconds;
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/certs"; }
  int requests() const { return requests_.load(); }

 private:
  void Serve() {
    while (!stopping_) {
      pollfd fd{listener_, POLLIN, 0};
      if (::poll(&fd, 1, 50) <= 0) continue;
      const int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) continue;
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const auto n = ::recv(client, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        request.append(buffer, static_cast<std::size_t>(n));
      }
      ++requests_;
      std::string body;
      int max_age = 0;
      {
        std::lock_guard lock(mutex_);
        body = body_;
        max_age = max_age_;
      }
      const std::string response =
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: public, max-age=" +
          std::to_string(max_age) +
          ", must-revalidate, no-transform\r\nContent-Length: " + std::to_string(body.size()) +
          "\r\nConnection: close\r\n\r\n" + body;
      (void)::send(client, response.data(), response.size(), MSG_NOSIGNAL);
      ::close(client);
    }
  }

  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::mutex mutex_;
  std::string body_ = "{}";
  int max_age_ = 3600;
  std::thread thread_;
};

}  // namespace vitrina::auth::testing
