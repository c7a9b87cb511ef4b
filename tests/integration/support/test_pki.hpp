#pragma once

// Certificates a test makes for itself with the openssl command: a CA of its own and
// certificates it signs (P-256 keys, valid two days), in a temporary folder removed afterwards.

#include <filesystem>
#include <string>

namespace vitrina::itest {

struct IssuedCertificate {
  std::string cert_file;
  std::string key_file;
};

class TestPki {
 public:
  TestPki();  // a new CA; throws when openssl fails
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  // A certificate signed by this CA. `subject_alt_names` in openssl's form, e.g.
  // "DNS:localhost,IP:127.0.0.1"; empty for a client certificate (which needs none).
  IssuedCertificate Issue(const std::string& name, const std::string& subject_alt_names = {});

  const std::string& ca_file() const { return ca_file_; }

 private:
  std::filesystem::path dir_;
  std::string ca_file_;
  std::string ca_key_;
};

}  // namespace vitrina::itest
