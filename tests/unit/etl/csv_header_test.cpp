#include "vitrina/etl/core/csv_header.hpp"

#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace vitrina::etl::core {
namespace {

catalog::core::DatasetSpec TwoColumnSpec() {
  catalog::core::DatasetSpec spec;
  spec.name = "things";
  spec.table = "things";
  spec.skip_sources = {""};
  catalog::core::ColumnSpec a;
  a.name = "alpha";
  a.source = "Alpha";
  catalog::core::ColumnSpec b;
  b.name = "beta";
  b.source = "beta";
  spec.columns = {a, b};
  return spec;
}

TEST(MapHeader, FindsColumnsByNameInAnyOrder) {
  const std::vector<std::string_view> header = {"beta", " Alpha ", ""};
  const auto mapping = MapHeader(TwoColumnSpec(), header);
  ASSERT_TRUE(mapping.ok()) << mapping.error().message;
  EXPECT_EQ(mapping->field_count, 3U);
  EXPECT_EQ(mapping->column_fields, (std::vector<std::size_t>{1, 0}));
}

TEST(MapHeader, NamesMissingUnexpectedAndDuplicatedColumns) {
  const std::vector<std::string_view> header = {"beta", "gamma", "", "beta"};
  const auto mapping = MapHeader(TwoColumnSpec(), header);
  ASSERT_FALSE(mapping.ok());
  EXPECT_EQ(mapping.error().code, base::ErrorCode::kInvalidArgument);
  EXPECT_EQ(mapping.error().message,
            "the CSV header does not match the spec 'things': missing column(s) 'Alpha'; "
            "unexpected column(s) 'gamma'; duplicated column(s) 'beta'");
}

TEST(MapHeader, TheSkippedColumnMustBePresentToo) {
  const std::vector<std::string_view> header = {"Alpha", "beta"};
  const auto mapping = MapHeader(TwoColumnSpec(), header);
  ASSERT_FALSE(mapping.ok());
  EXPECT_NE(mapping.error().message.find("missing column(s) ''"), std::string::npos);
}

}  // namespace
}  // namespace vitrina::etl::core
