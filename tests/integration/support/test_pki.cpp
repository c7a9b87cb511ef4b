#include "support/test_pki.hpp"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace vitrina::itest {
namespace {

void Run(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) {
    throw std::runtime_error("test PKI: failed: " + command);
  }
}

std::string Quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

constexpr const char* kNewKey = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";

}  // namespace

TestPki::TestPki() {
  static std::atomic<int> counter{0};
  dir_ = std::filesystem::temp_directory_path() /
         ("vitrina-pki-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(dir_);
  ca_file_ = (dir_ / "ca.crt").string();
  ca_key_ = (dir_ / "ca.key").string();
  Run(std::string("openssl req -x509 ") + kNewKey + " -keyout " + Quoted(ca_key_) + " -out " +
      Quoted(ca_file_) + " -days 2 -subj '/CN=Vitrina test CA " + dir_.filename().string() + "'");
}

TestPki::~TestPki() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

IssuedCertificate TestPki::Issue(const std::string& name, const std::string& subject_alt_names) {
  IssuedCertificate issued{(dir_ / (name + ".crt")).string(), (dir_ / (name + ".key")).string()};
  const auto request = dir_ / (name + ".csr");
  const auto extensions = dir_ / (name + ".ext");
  std::ofstream(extensions) << (subject_alt_names.empty()
                                    ? "extendedKeyUsage=clientAuth\n"
                                    : "subjectAltName=" + subject_alt_names + "\n");
  Run(std::string("openssl req ") + kNewKey + " -keyout " + Quoted(issued.key_file) + " -out " +
      Quoted(request) + " -subj '/CN=" + name + "'");
  Run("openssl x509 -req -in " + Quoted(request) + " -CA " + Quoted(ca_file_) + " -CAkey " +
      Quoted(ca_key_) + " -CAcreateserial -days 2 -out " + Quoted(issued.cert_file) + " -extfile " +
      Quoted(extensions));
  return issued;
}

}  // namespace vitrina::itest
