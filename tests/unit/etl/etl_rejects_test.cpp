#include "vitrina/etl/core/etl_rejects.hpp"

#include <gtest/gtest.h>

namespace vitrina::etl::core {
namespace {

TEST(RejectTally, ListsTheMostFrequentReasonsFirst) {
  RejectTally tally;
  for (int i = 0; i < 3; ++i) tally.Add("column 'x': must be greater than 0");
  tally.Add("expected 11 fields, found 12");
  for (int i = 0; i < 2; ++i) tally.Add("unterminated quoted field");
  EXPECT_EQ(tally.total(), 6);
  const auto top = tally.Top(2);
  ASSERT_EQ(top.size(), 2U);
  EXPECT_EQ(top[0],
            (std::pair<std::string, std::int64_t>{"column 'x': must be greater than 0", 3}));
  EXPECT_EQ(top[1], (std::pair<std::string, std::int64_t>{"unterminated quoted field", 2}));
}

TEST(RejectTally, StaysBoundedWithManyDistinctReasons) {
  RejectTally tally(2);
  tally.Add("a");
  tally.Add("b");
  tally.Add("c");
  tally.Add("d");
  EXPECT_EQ(tally.Top(10).size(), 3U);
  EXPECT_EQ(tally.total(), 4);
}

TEST(StorableRawRecord, EscapesInvalidUtf8AndNulAndKeepsValidText) {
  EXPECT_EQ(StorableRawRecord("caf\xC3\xA9,\xFF,a\0b"), "caf\xC3\xA9,\\xff,a");
  EXPECT_EQ(StorableRawRecord(std::string_view("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(StorableRawRecord("\xE2\x82"), "\\xe2\\x82");
}

TEST(StorableRawRecord, CutsVeryLongRecords) {
  EXPECT_EQ(StorableRawRecord("abcdef", 3), "abc... [cut at 3 bytes]");
}

}  // namespace
}  // namespace vitrina::etl::core
