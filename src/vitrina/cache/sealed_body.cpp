#include "vitrina/cache/sealed_body.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace vitrina::cache {

namespace {

class SealedBody final : public http::core::BodyFile {
 public:
  SealedBody(int fd, std::size_t size) : fd_(fd), size_(size) {}
  SealedBody(const SealedBody&) = delete;
  SealedBody& operator=(const SealedBody&) = delete;
  ~SealedBody() override { ::close(fd_); }

  int descriptor() const override { return fd_; }
  std::size_t size() const override { return size_; }

 private:
  int fd_;
  std::size_t size_;
};

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const auto written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

}  // namespace

std::shared_ptr<const http::core::BodyFile> SealBody(std::string_view bytes) {
  const int fd = ::memfd_create("vitrina-body", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return nullptr;
  constexpr int kSeals = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;
  if (!WriteAll(fd, bytes) || ::fcntl(fd, F_ADD_SEALS, kSeals) != 0) {
    ::close(fd);
    return nullptr;
  }
  return std::make_shared<const SealedBody>(fd, bytes.size());
}

}  // namespace vitrina::cache
