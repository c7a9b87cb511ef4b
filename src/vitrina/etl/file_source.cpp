#include "vitrina/etl/file_source.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace vitrina::etl {

base::Status FileSource::StreamTo(base::ByteSink& sink) {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    return base::MakeError(
        error == ENOENT ? base::ErrorCode::kNotFound : base::ErrorCode::kInvalidArgument,
        "cannot open source file '" + path_ + "': " + std::strerror(error));
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) == 0) {
    if (S_ISDIR(info.st_mode)) {
      return base::MakeError(base::ErrorCode::kInvalidArgument,
                             "source '" + path_ + "' is a directory, not a file");
    }
    if (S_ISREG(info.st_mode)) sink.OnSize(static_cast<std::uint64_t>(info.st_size));
  }
  std::vector<char> buffer(std::size_t{256} * 1024);
  while (true) {
    const ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got == 0) return base::OkStatus();
    if (got < 0) {
      if (errno == EINTR) continue;
      return base::MakeError(base::ErrorCode::kInvalidArgument,
                             "cannot read source file '" + path_ + "': " + std::strerror(errno));
    }
    if (auto status = sink.Consume(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
        !status) {
      return status;
    }
  }
}

}  // namespace vitrina::etl
