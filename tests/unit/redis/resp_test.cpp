#include "vitrina/redis/core/resp.hpp"

#include <gtest/gtest.h>

namespace vitrina::redis::core {
namespace {

TEST(RespEncoding, ACommandIsAnArrayOfBulkStrings) {
  std::string out;
  AppendCommand(out, {"GET", "catalog:cut=Fair"});
  EXPECT_EQ(out, "*2\r\n$3\r\nGET\r\n$16\r\ncatalog:cut=Fair\r\n");
}

TEST(RespEncoding, ArgumentsAreBinarySafeAndCommandsAppendBackToBack) {
  std::string out;
  AppendCommand(out, {"SET", "k", std::string("a\r\nb\0c", 6), ""});
  AppendCommand(out, {"PING"});
  EXPECT_EQ(out, std::string("*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$6\r\na\r\nb\0c\r\n$0\r\n\r\n", 38) +
                     "*1\r\n$4\r\nPING\r\n");
}

TEST(RespEncoding, LargeArgumentsCarryTheirExactLength) {
  std::string out;
  AppendCommand(out, {"SET", "k", std::string(1'000'000, 'v')});
  EXPECT_TRUE(out.starts_with("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1000000\r\nvvv"));
  EXPECT_EQ(out.size(), 4 + 9 + 7 + 10 + 1'000'000 + 2);
}

}  // namespace
}  // namespace vitrina::redis::core
