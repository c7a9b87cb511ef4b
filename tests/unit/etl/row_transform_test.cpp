#include "vitrina/etl/core/row_transform.hpp"

#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace vitrina::etl::core {
namespace {

catalog::core::DatasetSpec ProductSpec() {
  catalog::core::DatasetSpec spec;
  spec.name = "products";
  spec.table = "products";
  catalog::core::ColumnSpec name;
  name.name = "name";
  name.source = "name";
  catalog::core::ColumnSpec price;
  price.name = "price";
  price.source = "price";
  price.type = catalog::core::ColumnType::kNumber;
  price.exclusive_minimum = 0;
  catalog::core::ColumnSpec stock;
  stock.name = "in_stock";
  stock.source = "in_stock";
  stock.type = catalog::core::ColumnType::kBoolean;
  stock.required = false;
  spec.columns = {name, price, stock};
  return spec;
}

HeaderMapping IdentityMapping() { return HeaderMapping{3, {0, 1, 2}}; }

TEST(RowTransformer, WritesCopyTextWithTheIdFirst) {
  const auto spec = ProductSpec();
  const RowTransformer transform(spec, IdentityMapping());
  std::string out;
  const std::vector<std::string_view> fields = {"tab\there, new\nline", " 2.50 ", ""};
  EXPECT_EQ(transform.AppendCopyRow(fields, 7, out), std::nullopt);
  EXPECT_EQ(out, "7\ttab\\there, new\\nline\t2.5\t\\N\n");
}

TEST(RowTransformer, ARefusedFieldNamesTheColumnAndLeavesTheBufferAsItWas) {
  const auto spec = ProductSpec();
  const RowTransformer transform(spec, IdentityMapping());
  std::string out = "previous\n";
  const std::vector<std::string_view> fields = {"ok", "0", "yes"};
  EXPECT_EQ(transform.AppendCopyRow(fields, 1, out), "column 'price': must be greater than 0");
  EXPECT_EQ(out, "previous\n");
}

TEST(RowTransformer, WrongFieldCountsAreRefused) {
  const auto spec = ProductSpec();
  const RowTransformer transform(spec, IdentityMapping());
  std::string out;
  const std::vector<std::string_view> fields = {"a", "1"};
  EXPECT_EQ(transform.AppendCopyRow(fields, 1, out), "expected 3 fields, found 2");
  EXPECT_TRUE(out.empty());
}

TEST(RowTransformer, InvalidUtf8IsRefused) {
  const auto spec = ProductSpec();
  const RowTransformer transform(spec, IdentityMapping());
  std::string out;
  const std::vector<std::string_view> fields = {"bad \xC3\x28", "1", "no"};
  EXPECT_EQ(transform.AppendCopyRow(fields, 1, out), "column 'name': is not valid UTF-8");
}

}  // namespace
}  // namespace vitrina::etl::core
