#include "vitrina/catalog/core/field_value.hpp"

#include <gtest/gtest.h>

namespace vitrina::catalog::core {
namespace {

ColumnSpec NumberColumn() {
  ColumnSpec column;
  column.name = "x";
  column.type = ColumnType::kNumber;
  column.exclusive_minimum = 0;
  return column;
}

TEST(ParseTextField, TrimsAndConvertsNumbers) {
  const auto result = ParseTextField(NumberColumn(), "  3.95 ");
  ASSERT_TRUE(std::holds_alternative<FieldValue>(result));
  EXPECT_DOUBLE_EQ(std::get<double>(std::get<FieldValue>(result)), 3.95);
}

TEST(ParseTextField, ZeroIsRejectedByAnExclusiveMinimum) {
  const auto result = ParseTextField(NumberColumn(), "0");
  ASSERT_TRUE(std::holds_alternative<std::string>(result));
  EXPECT_EQ(std::get<std::string>(result), "must be greater than 0");
}

TEST(ParseTextField, NonNumbersAndNonFiniteAreRejected) {
  for (const char* text : {"abc", "1.2.3", "inf", "nan", "1e999", "0x10", "3,5"}) {
    EXPECT_TRUE(std::holds_alternative<std::string>(ParseTextField(NumberColumn(), text))) << text;
  }
}

TEST(ParseTextField, IntegersMustBeWholeAndInRange) {
  ColumnSpec column;
  column.name = "price";
  column.type = ColumnType::kInteger;
  column.minimum = 0;
  EXPECT_EQ(std::get<std::int64_t>(std::get<FieldValue>(ParseTextField(column, "326"))), 326);
  EXPECT_EQ(std::get<std::string>(ParseTextField(column, "326.5")), "must be an integer");
  EXPECT_EQ(std::get<std::string>(ParseTextField(column, "-1")), "must be at least 0");
  EXPECT_EQ(std::get<std::string>(ParseTextField(column, "99999999999999999999")),
            "is out of range");
}

TEST(ParseTextField, EmptyRequiredIsRefusedAndEmptyOptionalIsNull) {
  ColumnSpec column;
  column.name = "cut";
  EXPECT_EQ(std::get<std::string>(ParseTextField(column, "  ")), "is required");
  column.required = false;
  EXPECT_TRUE(
      std::holds_alternative<std::monostate>(std::get<FieldValue>(ParseTextField(column, ""))));
}

TEST(ParseTextField, StringsAreCheckedForUtf8LengthAndAllowedValues) {
  ColumnSpec column;
  column.name = "cut";
  column.max_length = 4;
  column.allowed = {"Fair", "Good"};
  EXPECT_EQ(std::get<std::string>(std::get<FieldValue>(ParseTextField(column, " Fair "))), "Fair");
  EXPECT_EQ(std::get<std::string>(ParseTextField(column, "Excellent")), "must be at most 4 bytes");
  EXPECT_EQ(std::get<std::string>(ParseTextField(column, "Bad")), "must be one of: Fair, Good");
  EXPECT_EQ(std::get<std::string>(ParseTextField(column, "\xC3\x28")), "is not valid UTF-8");
}

}  // namespace
}  // namespace vitrina::catalog::core
