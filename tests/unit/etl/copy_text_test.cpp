#include "vitrina/etl/core/copy_text.hpp"

#include <gtest/gtest.h>

namespace vitrina::etl::core {
namespace {

TEST(CopyText, EscapesSpecialCharactersAndWritesNull) {
  std::string out;
  AppendCopyField(out, catalog::core::FieldValue{std::string("a\tb\\c\nd")});
  out += '|';
  AppendCopyField(out, catalog::core::FieldValue{});
  out += '|';
  AppendCopyField(out, catalog::core::FieldValue{0.1});
  out += '|';
  AppendCopyField(out, catalog::core::FieldValue{std::int64_t{-42}});
  EXPECT_EQ(out, "a\\tb\\\\c\\nd|\\N|0.1|-42");
}

}  // namespace
}  // namespace vitrina::etl::core
