// The same binary serves another dataset spec (tests/data/api/books.yaml) with no code change:
// its filters drive /catalog and /openapi.json, its rules drive write validation.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/test_env.hpp"

namespace vitrina::itest {
namespace {

constexpr const char* kBooks =
    "The Odyssey\tpoetry\t1614\t4.1\tt\n"
    "Leaves of Grass\tpoetry\t1855\t4.0\t\\N\n"
    "On the Origin of Species\tscience\t1859\t4.0\tt\n"
    "Middlemarch\tfiction\t1871\t3.9\tf\n"
    "A Brief History of Time\tscience\t1988\t4.2\tt\n"
    "The Guns of August\thistory\t1962\t4.3\tt\n"
    "Beloved\tfiction\t1987\t3.9\tt\n";

class SecondSpec : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto admin = AdminDatabaseUrl();
    if (!admin) return;
    const auto spec = SourcePath("tests/data/api/books.yaml");
    RecreateDatabase(*admin, "vitrina_api_itest_books");
    const auto url = WithDatabase(*admin, "vitrina_api_itest_books");
    Migrate(url, spec);
    CopyRows(url, "books", "title, genre, year, rating, in_print", kBooks);
    auto env = ServerEnv(url, spec);
    env["DEV_ADMIN_TOKEN"] = "books";
    // The run's Redis is shared with the diamonds suites: without a prefix of its own, this server
    // answered /catalog with their cached catalog:all (docs/cache.md, "Sharing a Redis").
    env["CACHE_KEY_PREFIX"] = "books:";
    server_ = new ServerProcess(env, FreePort());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { VITRINA_REQUIRE(AdminDatabaseUrl(), "DATABASE_URL is not set"); }
  static boost::json::value Get(const std::string& target) {
    const auto reply = Fetch(server_->port(), "GET", target);
    EXPECT_EQ(reply.status, 200u) << target << ": " << reply.body;
    return reply.Json();
  }

  static inline ServerProcess* server_ = nullptr;
};

TEST_F(SecondSpec, ItemsCarryTheSpecsColumnsAndTypes) {
  const auto page = Get("/catalog");
  EXPECT_EQ(page.at("count").as_int64(), 7);
  const auto& first = page.at("items").at(0).as_object();
  EXPECT_EQ(first.at("title"), "The Odyssey");
  EXPECT_EQ(first.at("year").as_int64(), 1614);
  EXPECT_EQ(first.at("in_print"), true);
  EXPECT_TRUE(page.at("items").at(1).at("in_print").is_null());
}

TEST_F(SecondSpec, ItsCategoryAndRangeFiltersWork) {
  EXPECT_EQ(Get("/catalog?genre=science").at("count").as_int64(), 2);
  EXPECT_EQ(Get("/catalog?genre=science&genre=poetry").at("count").as_int64(), 4);
  EXPECT_EQ(Get("/catalog?year=1871&year=1987").at("count").as_int64(), 2);  // integer category
  EXPECT_EQ(Get("/catalog?year_min=1850&year_max=1900").at("count").as_int64(), 3);
  EXPECT_EQ(Get("/catalog?rating_min=4.1&genre=science").at("count").as_int64(), 1);
}

TEST_F(SecondSpec, DiamondParametersAreUnknownHere) {
  const auto reply = Fetch(server_->port(), "GET", "/catalog?cut=Fair");
  EXPECT_EQ(reply.status, 400u);
  const std::string message(reply.Json().at("error").at("message").as_string());
  EXPECT_NE(
      message.find("allowed: cursor, fields, genre, limit, rating_max, rating_min, sort, year, "
                   "year_max, year_min"),
      std::string::npos)
      << message;
  EXPECT_EQ(Fetch(server_->port(), "GET", "/catalog?year=old").status, 400u);
}

TEST_F(SecondSpec, FacetsListItsCategoriesWithTheirTypes) {
  const auto facets = Get("/catalog/facets");
  EXPECT_EQ(facets.at("genre").at("values"),
            (boost::json::array{"fiction", "history", "poetry", "science"}));
  // An integer category: numbers, ascending (a write elsewhere in this suite may add one).
  const auto& years = facets.at("year").at("values").as_array();
  ASSERT_GE(years.size(), 7u);
  EXPECT_EQ(years.at(0).as_int64(), 1614);
  for (std::size_t i = 1; i < years.size(); ++i) {
    EXPECT_LT(years.at(i - 1).as_int64(), years.at(i).as_int64());
  }
  EXPECT_FALSE(facets.as_object().contains("rating"));
}

TEST_F(SecondSpec, OpenApiShowsItsFiltersAndRules) {
  const auto document = Get("/openapi.json");
  std::string names;
  for (const auto& parameter :
       document.at("paths").at("/catalog").at("get").at("parameters").as_array()) {
    names += std::string(parameter.at("name").as_string()) + " ";
  }
  EXPECT_EQ(names, "genre year year_min year_max rating_min rating_max limit cursor sort fields ");
  const auto& properties =
      document.at("components").at("schemas").at("Item").at("properties").as_object();
  EXPECT_EQ(properties.at("genre").at("enum").as_array().size(), 4u);
  EXPECT_EQ(properties.at("rating").at("maximum").to_number<double>(), 5.0);
  EXPECT_EQ(properties.at("in_print").at("type"), (boost::json::array{"boolean", "null"}));
  EXPECT_EQ(document.at("info").at("title"), "Vitrina: books");
}

TEST_F(SecondSpec, WritesAreValidatedByItsRules) {
  const HeaderList admin = {{"Authorization", "Bearer books"},
                            {"Content-Type", "application/json"}};
  const auto refused = Fetch(server_->port(), "POST", "/catalog",
                             R"({"title":"X","genre":"cooking","year":1200,"rating":7})", admin);
  ASSERT_EQ(refused.status, 400u);
  const auto error = refused.Json().at("error");
  EXPECT_EQ(error.at("fields").at("genre"), "must be one of: fiction, poetry, science, history");
  EXPECT_EQ(error.at("fields").at("year"), "must be at least 1450");
  EXPECT_EQ(error.at("fields").at("rating"), "must be at most 5");
  const auto created =
      Fetch(server_->port(), "POST", "/catalog",
            R"({"title":"Dune","genre":"fiction","year":1965,"rating":4.3})", admin);
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_TRUE(created.Json().at("in_print").is_null());  // optional column left out
}

}  // namespace
}  // namespace vitrina::itest
