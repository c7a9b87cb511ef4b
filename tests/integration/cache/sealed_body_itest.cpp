// cache::SealBody: the in-memory file a large local copy is sent from (needs the kernel, no
// server).
#include <cerrno>
#include <fcntl.h>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

#include "vitrina/cache/sealed_body.hpp"

namespace vitrina::cache {
namespace {

std::string ReadAll(const http::core::BodyFile& file) {
  std::string bytes(file.size() + 16, '\0');  // room to notice extra bytes
  const auto got = ::pread(file.descriptor(), bytes.data(), bytes.size(), 0);
  bytes.resize(got < 0 ? 0 : static_cast<std::size_t>(got));
  return bytes;
}

TEST(SealedBody, HoldsExactlyTheBytes) {
  std::string body(300'000, 'x');
  body.replace(0, 5, "start");
  body.replace(body.size() - 3, 3, "end");
  const auto file = SealBody(body);
  ASSERT_TRUE(file);
  EXPECT_EQ(file->size(), body.size());
  EXPECT_TRUE(ReadAll(*file) == body);
  const auto empty = SealBody("");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->size(), 0u);
}

TEST(SealedBody, CannotBeChangedOnceSealed) {
  const auto file = SealBody("{\"count\":1}");
  ASSERT_TRUE(file);
  const int fd = file->descriptor();
  EXPECT_EQ(::pwrite(fd, "X", 1, 0), -1);  // opened read-write, yet refused by the seal
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::ftruncate(fd, 1), -1);
  EXPECT_EQ(::ftruncate(fd, 100), -1);
  EXPECT_EQ(ReadAll(*file), "{\"count\":1}");
}

TEST(SealedBody, ClosesItsDescriptorWhenTheLastOwnerLetsGo) {
  int fd = -1;
  {
    auto file = SealBody("bytes");
    ASSERT_TRUE(file);
    fd = file->descriptor();
    auto response_in_flight = file;  // the cache drops its copy while a send still holds it
    file.reset();
    EXPECT_EQ(ReadAll(*response_in_flight), "bytes");
  }
  errno = 0;
  EXPECT_EQ(::fcntl(fd, F_GETFD), -1);
  EXPECT_EQ(errno, EBADF);
}

}  // namespace
}  // namespace vitrina::cache
