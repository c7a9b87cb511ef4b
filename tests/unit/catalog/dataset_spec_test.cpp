#include <gtest/gtest.h>

#include "vitrina/catalog/core/catalog_schema.hpp"
#include "vitrina/catalog/spec_file.hpp"

namespace vitrina {
namespace {

const char* kMinimalSpec = R"(
name: books
table: books
columns:
  - {source: "#", skip: true}
  - {source: Title, name: title, type: string, category: true}
  - {source: Pages, name: pages, type: integer, minimum: 1}
)";

TEST(DatasetSpec, ParsesColumnsSkipsAndRules) {
  auto spec = catalog::ParseSpecYaml(kMinimalSpec, "books.yaml");
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->table, "books");
  ASSERT_EQ(spec->columns.size(), 2U);
  EXPECT_EQ(spec->columns[0].source, "Title");
  EXPECT_EQ(spec->columns[0].name, "title");
  EXPECT_TRUE(spec->columns[0].category);
  EXPECT_EQ(spec->columns[1].type, catalog::core::ColumnType::kInteger);
  EXPECT_EQ(spec->columns[1].minimum, 1.0);
  EXPECT_EQ(spec->skip_sources, std::vector<std::string>{"#"});
}

TEST(DatasetSpec, TheBundledDiamondsSpecIsValid) {
  auto spec = catalog::LoadSpecFile(VITRINA_SOURCE_DIR "/datasets/diamonds.yaml");
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->columns.size(), 10U);
  ASSERT_NE(spec->FindColumn("cut"), nullptr);
  EXPECT_TRUE(spec->FindColumn("cut")->category);
  EXPECT_TRUE(spec->FindColumn("price")->HasRangeFilter());
  EXPECT_EQ(spec->skip_sources, std::vector<std::string>{""});
}

TEST(DatasetSpec, UnknownTypeIsRejectedWithItsName) {
  auto spec =
      catalog::ParseSpecYaml("name: a\ncolumns:\n  - {source: x, type: decimal}\n", "a.yaml");
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.error().message.find("unknown type 'decimal'"), std::string::npos)
      << spec.error().message;
  EXPECT_NE(spec.error().message.find("a.yaml"), std::string::npos);
}

TEST(DatasetSpec, UnknownColumnKeyIsRejected) {
  auto spec = catalog::ParseSpecYaml(
      "name: a\ncolumns:\n  - {source: x, type: string, colour: 1}\n", "a.yaml");
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.error().message.find("unknown column key 'colour'"), std::string::npos);
}

TEST(DatasetSpec, RejectsUnsafeOrDuplicateNames) {
  EXPECT_FALSE(catalog::ParseSpecYaml(
                   "name: a\ncolumns:\n  - {source: x, name: 'x; drop', type: string}\n", "a.yaml")
                   .ok());
  EXPECT_FALSE(catalog::ParseSpecYaml(
                   "name: a\ncolumns:\n  - {source: x, type: string}\n  - {source: y, name: x, "
                   "type: string}\n",
                   "a.yaml")
                   .ok());
  EXPECT_FALSE(
      catalog::ParseSpecYaml("name: a\ncolumns:\n  - {source: id, type: integer}\n", "a.yaml")
          .ok());
}

TEST(DatasetSpec, NumericAndCategoryColumnsAreSortableUnlessTheSpecSaysOtherwise) {
  auto spec = catalog::ParseSpecYaml(R"(
name: books
columns:
  - {source: Title, name: title, type: string, category: true}
  - {source: Pages, name: pages, type: integer, sortable: false}
  - {source: Author, name: author, type: string}
  - {source: Isbn, name: isbn, type: string, sortable: true}
  - {source: Price, name: price, type: number}
)",
                                     "books.yaml");
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_TRUE(spec->FindColumn("title")->IsSortable());
  EXPECT_FALSE(spec->FindColumn("pages")->IsSortable());
  EXPECT_FALSE(spec->FindColumn("author")->IsSortable());
  EXPECT_TRUE(spec->FindColumn("isbn")->IsSortable());
  EXPECT_TRUE(spec->FindColumn("price")->IsSortable());
  // sort and fields are query parameters of GET /catalog: no column may take their name.
  for (const char* name : {"sort", "fields"}) {
    EXPECT_FALSE(catalog::ParseSpecYaml(std::string("name: a\ncolumns:\n  - {source: x, type: "
                                                    "integer, name: ") +
                                            name + "}\n",
                                        "a")
                     .ok())
        << name;
  }
}

TEST(DatasetSpec, BoundsOnlyOnNumbersAndCategoriesOnlyOnDiscreteTypes) {
  EXPECT_FALSE(
      catalog::ParseSpecYaml("name: a\ncolumns:\n  - {source: x, type: string, minimum: 1}\n", "a")
          .ok());
  EXPECT_FALSE(catalog::ParseSpecYaml(
                   "name: a\ncolumns:\n  - {source: x, type: number, category: true}\n", "a")
                   .ok());
}

TEST(DatasetSpec, MissingFileNamesThePath) {
  auto spec = catalog::LoadSpecFile("/nonexistent/spec.yaml");
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.error().message.find("/nonexistent/spec.yaml"), std::string::npos);
}

TEST(CatalogSchema, DdlQuotesIdentifiersAndMarksRequiredColumns) {
  auto spec = catalog::LoadSpecFile(VITRINA_SOURCE_DIR "/datasets/diamonds.yaml");
  ASSERT_TRUE(spec.ok());
  const std::string ddl = catalog::core::CatalogTableDdl(*spec, "diamonds");
  EXPECT_NE(ddl.find("\"table\" double precision NOT NULL"), std::string::npos) << ddl;
  EXPECT_NE(ddl.find("\"price\" bigint NOT NULL"), std::string::npos);
  const auto indexes = catalog::core::CatalogIndexDdl(*spec, "diamonds");
  ASSERT_EQ(indexes.size(), 3U);
  EXPECT_EQ(indexes[0],
            "CREATE INDEX IF NOT EXISTS \"diamonds_cut_idx\" ON \"diamonds\" (\"cut\")");
}

}  // namespace
}  // namespace vitrina
