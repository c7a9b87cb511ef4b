#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace vitrina::etl {

// Incremental SHA-256 (OpenSSL), for the checksum of a source computed while it streams.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  // Lowercase hex of the digest; the object cannot be updated afterwards.
  std::string HexDigest();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// HMAC-SHA256 of `message` with `key`, raw bytes (SharedKey signatures).
std::string HmacSha256(std::string_view key, std::string_view message);

}  // namespace vitrina::etl
