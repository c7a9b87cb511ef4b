// GET /catalog's sort, fields and total (issue #17) over real HTTP, PostgreSQL and a Redis of the
// suite's own: keyset pages walk every item once in PostgreSQL's own ORDER BY, and a write makes
// exactly the pages of its filter set miss (their total changed) while other filter sets hit.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/own_redis_api_suite.hpp"
#include "support/test_env.hpp"
#include "vitrina/base/query_string.hpp"
#include "vitrina/db/connection.hpp"

namespace vitrina::itest {
namespace {

namespace json = boost::json;

constexpr const char* kToken = "itest-query-admin-token";
const HeaderList kAdmin = {{"Authorization", std::string("Bearer ") + kToken},
                           {"Content-Type", "application/json"}};
constexpr int kRows = 240;

std::string Diamond(const std::string& cut, int price, double carat = 1.1) {
  return R"({"carat":)" + std::to_string(carat) + R"(,"cut":")" + cut +
         R"(","color":"E","clarity":"VS1","depth":61.7,"table":56,"price":)" +
         std::to_string(price) + R"(,"x":6.9,"y":6.95,"z":4.28})";
}

class CatalogQueryApi : public OwnRedisApiSuite<CatalogQueryApi> {
 protected:
  static void SetUpTestSuite() {
    StartSuite("vitrina_api_itest_query", kRows, /*append_only=*/false, kToken);
  }

  static HttpReply Get(const std::string& target) { return Fetch(server_->port(), "GET", target); }
  static HttpReply Write(const std::string& method, const std::string& target,
                         const std::string& body = {}) {
    return Fetch(server_->port(), method, target, body, kAdmin);
  }

  static std::vector<std::int64_t> Ids(const json::value& page) {
    std::vector<std::int64_t> ids;
    for (const auto& item : page.at("items").as_array()) ids.push_back(item.at("id").as_int64());
    return ids;
  }

  // PostgreSQL's own answer, through libpq: the order the API must follow.
  static std::vector<std::int64_t> OrderedIds(const std::string& order_by,
                                              const std::string& where = "true") {
    auto connection = db::Connection::Open(database_url_);
    if (!connection) throw std::runtime_error(connection.error().message);
    auto result =
        connection->Execute("SELECT id FROM diamonds WHERE " + where + " ORDER BY " + order_by);
    if (!result) throw std::runtime_error(result.error().message);
    std::vector<std::int64_t> ids;
    for (const auto& row : result->rows) ids.push_back(std::stoll(row[0].value()));
    return ids;
  }

  // Follows next_cursor from the first page to the last; checks each page's count and total.
  static std::vector<std::int64_t> Walk(const std::string& query, int limit, std::int64_t total) {
    std::vector<std::int64_t> ids;
    std::string target = "/catalog?" + query + "&limit=" + std::to_string(limit);
    for (int pages = 0; pages < 1000; ++pages) {
      const auto reply = Get(target);
      EXPECT_EQ(reply.status, 200u) << target << ": " << reply.body;
      if (reply.status != 200u) break;
      const auto page = reply.Json();
      EXPECT_EQ(page.at("total").as_int64(), total) << target;
      const auto page_ids = Ids(page);
      EXPECT_EQ(page.at("count").as_int64(), static_cast<std::int64_t>(page_ids.size()));
      ids.insert(ids.end(), page_ids.begin(), page_ids.end());
      if (page.at("next_cursor").is_null()) break;
      EXPECT_EQ(page_ids.size(), static_cast<std::size_t>(limit)) << target;
      target = "/catalog?" + query + "&limit=" + std::to_string(limit) +
               "&cursor=" + std::string(page.at("next_cursor").as_string());
    }
    return ids;
  }

  static void ExpectBadRequestNaming(const std::string& target, const std::string& text) {
    const auto reply = Get(target);
    EXPECT_EQ(reply.status, 400u) << target;
    const std::string message(reply.Json().at("error").at("message").as_string());
    EXPECT_NE(message.find(text), std::string::npos) << target << ": " << message;
  }
};

TEST_F(CatalogQueryApi, SortedPagesWalkEveryItemOnceInPostgresOrderWithTies) {
  // cut and carat repeat (5 cuts, 150 carats over 240 rows): ties are broken by id, in either
  // direction; prices are unique.
  const std::vector<std::pair<std::string, std::string>> sorts = {
      {"cut,-price", "cut, price DESC, id"},
      {"-cut,carat", "cut DESC, carat, id"},
      {"-carat", "carat DESC, id"},
      {"clarity,-carat,color", "clarity, carat DESC, color, id"},
      {"cut,-id", "cut, id DESC"},
      {"-id", "id DESC"},
      {"price", "price, id"},
  };
  for (const auto& [sort, order_by] : sorts) {
    const auto expected = OrderedIds(order_by);
    ASSERT_EQ(expected.size(), static_cast<std::size_t>(kRows));
    EXPECT_EQ(Walk("sort=" + base::PercentEncode(sort), 7, kRows), expected) << sort;
    // One page of everything is the same order.
    const auto all = Get("/catalog?sort=" + base::PercentEncode(sort));
    ASSERT_EQ(all.status, 200u) << all.body;
    EXPECT_EQ(Ids(all.Json()), expected) << sort;
  }
}

TEST_F(CatalogQueryApi, SortedPagesOfAFilterSetWalkItsItemsOnce) {
  const auto expected = OrderedIds("carat DESC, id", "cut IN ('Fair', 'Ideal') AND price >= 1000");
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(Walk("cut=Fair&cut=Ideal&price_min=1000&sort=-carat", 5,
                 static_cast<std::int64_t>(expected.size())),
            expected);
}

TEST_F(CatalogQueryApi, FieldsReturnOnlyThoseColumnsAndId) {
  const auto reply = Get("/catalog?fields=price,carat&sort=-price&limit=3");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const auto page = reply.Json();
  ASSERT_EQ(page.at("items").as_array().size(), 3u);
  for (const auto& item : page.at("items").as_array()) {
    std::set<std::string> keys;
    for (const auto& entry : item.as_object()) keys.insert(std::string(entry.key()));
    EXPECT_EQ(keys, (std::set<std::string>{"id", "carat", "price"})) << json::serialize(item);
  }
  const auto by_price = OrderedIds("price DESC, id");
  EXPECT_EQ(Ids(page), std::vector<std::int64_t>(by_price.begin(), by_price.begin() + 3));
  EXPECT_TRUE(page.at("items").at(0).at("price").is_int64());
  // Fields and a cursor together: the walk still covers everything once.
  EXPECT_EQ(Walk("fields=cut&sort=cut", 50, kRows), OrderedIds("cut, id"));
  const auto only_id = Get("/catalog?fields=id&limit=1").Json();
  EXPECT_EQ(only_id.at("items").at(0).as_object().size(), 1u);
}

TEST_F(CatalogQueryApi, APaginatedAnswerCarriesTheTotalOfItsFilters) {
  const auto fair = OrderedIds("id", "cut = 'Fair'").size();
  const auto page = Get("/catalog?cut=Fair&limit=4").Json();
  EXPECT_EQ(page.at("total").as_int64(), static_cast<std::int64_t>(fair));
  EXPECT_EQ(page.at("count").as_int64(), 4);
  EXPECT_EQ(Get("/catalog?limit=1").Json().at("total").as_int64(), kRows);
  EXPECT_EQ(Get("/catalog?price_min=99999999&limit=5").Json().at("total").as_int64(), 0);
  // Without a limit the count is the total: no "total" field.
  EXPECT_FALSE(Get("/catalog?cut=Fair").Json().as_object().contains("total"));
}

TEST_F(CatalogQueryApi, BadSortsFieldsAndCursorsAreRefusedNamingWhatIsAllowed) {
  const std::string sortable = "sortable: id, carat, cut, color, clarity, depth, table, price";
  ExpectBadRequestNaming("/catalog?sort=weight", "cannot sort by 'weight'; " + sortable);
  ExpectBadRequestNaming("/catalog?sort=price,,cut", sortable);
  ExpectBadRequestNaming("/catalog?fields=price,weight",
                         "unknown column 'weight'; allowed: id, carat, cut");
  const auto first = Get("/catalog?sort=-price&limit=2").Json();
  const std::string cursor(first.at("next_cursor").as_string());
  ExpectBadRequestNaming("/catalog?sort=price&limit=2&cursor=" + cursor, "cannot continue");
  ExpectBadRequestNaming("/catalog?limit=2&cursor=" + cursor, "sorted listing");
  const std::string by_id(Get("/catalog?limit=2").Json().at("next_cursor").as_string());
  ExpectBadRequestNaming("/catalog?sort=-price&limit=2&cursor=" + by_id, "by id");
}

TEST_F(CatalogQueryApi, AWriteMissesEveryPageOfItsFilterSetAndNoOtherFilterSet) {
  const std::string sorted = "/catalog?cut=Good&limit=3&sort=-price&fields=price";
  const auto first = Get(sorted);
  ASSERT_EQ(first.Header("x-cache"), "MISS");
  const std::string second_target =
      sorted + "&cursor=" + std::string(first.Json().at("next_cursor").as_string());
  ASSERT_EQ(Get(second_target).Header("x-cache"), "MISS");
  ASSERT_EQ(Get("/catalog?cut=Ideal&limit=3&sort=-price").Header("x-cache"), "MISS");
  ASSERT_EQ(Get(sorted).Header("x-cache"), "HIT");
  ASSERT_EQ(Get(second_target).Header("x-cache"), "HIT");
  const auto total = first.Json().at("total").as_int64();

  // The cheapest Good diamond: it lands on neither page, yet changes both pages' total.
  const auto created = Write("POST", "/catalog", Diamond("Good", 1));
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto after_first = Get(sorted);
  EXPECT_EQ(after_first.Header("x-cache"), "MISS");
  EXPECT_EQ(after_first.Json().at("total").as_int64(), total + 1);
  EXPECT_EQ(Ids(after_first.Json()), Ids(first.Json()));  // same items, new total
  const auto after_second = Get(second_target);
  EXPECT_EQ(after_second.Header("x-cache"), "MISS");
  EXPECT_EQ(after_second.Json().at("total").as_int64(), total + 1);
  EXPECT_EQ(Get("/catalog?cut=Ideal&limit=3&sort=-price").Header("x-cache"), "HIT");

  // The most expensive one moves onto the first page: the sorted page is fresh, not stale.
  const auto location = created.Header("location");
  ASSERT_EQ(Write("PUT", location, Diamond("Good", 99'999'999)).status, 200u);
  const auto moved = Get(sorted);
  EXPECT_EQ(moved.Header("x-cache"), "MISS");
  const auto id = std::stoll(location.substr(location.rfind('/') + 1));
  EXPECT_EQ(Ids(moved.Json()).front(), id);
  EXPECT_EQ(Get("/catalog?cut=Ideal&limit=3&sort=-price").Header("x-cache"), "HIT");

  ASSERT_EQ(Write("DELETE", location).status, 204u);
  const auto removed = Get(sorted);
  EXPECT_EQ(removed.Header("x-cache"), "MISS");
  EXPECT_EQ(removed.Json().at("total").as_int64(), total);
  EXPECT_EQ(Ids(removed.Json()), Ids(first.Json()));
}

TEST_F(CatalogQueryApi, EquivalentSortsAndFieldListsShareOneCacheKey) {
  const auto a = Get("/catalog?sort=price,id&fields=price,carat,price&limit=2");
  EXPECT_EQ(a.Header("x-cache"), "MISS");
  EXPECT_EQ(a.Header("x-cache-key"), "catalog:fields=carat,id,price&limit=2&sort=price");
  const auto b = Get("/catalog?limit=2&fields=id,carat,price&sort=price");
  EXPECT_EQ(b.Header("x-cache"), "HIT");
  EXPECT_EQ(b.body, a.body);
  EXPECT_EQ(Get("/catalog?sort=id&limit=2").Header("x-cache-key"), "catalog:limit=2");
}

}  // namespace
}  // namespace vitrina::itest
