#include "vitrina/cache/core/cache_demo.hpp"

#include <gtest/gtest.h>

namespace vitrina::cache::core {
namespace {

DemoStep Answered(int status, std::string x_cache, std::int64_t rows) {
  DemoStep step;
  step.name = "GET (miss)";
  step.request = "GET /catalog?cut=Fair";
  step.status = status;
  step.x_cache = std::move(x_cache);
  step.rows = rows;
  return step;
}

TEST(CacheDemoCheck, AStepThatShowsWhatWasExpectedHasNoFailures) {
  auto step = Answered(200, "MISS", 12);
  CheckDemoStep(step, {.status = 200, .x_cache = {"MISS"}, .rows = 12});
  EXPECT_TRUE(step.failures.empty());
}

TEST(CacheDemoCheck, EveryUnmetExpectationIsNamed) {
  auto step = Answered(200, "BYPASS", 11);
  CheckDemoStep(step, {.status = 201, .x_cache = {"MISS", "HIT"}, .rows = 12});
  ASSERT_EQ(step.failures.size(), 3u);
  EXPECT_EQ(step.failures[0], "expected status 201, got 200");
  EXPECT_EQ(step.failures[1], "expected X-Cache MISS or HIT, got BYPASS");
  EXPECT_EQ(step.failures[2], "expected 12 rows, got 11");
  EXPECT_EQ(DemoFailures({step}).front(), "GET (miss): expected status 201, got 200");
}

TEST(CacheDemoCheck, NoAnswerAndNoHeaderAreFailuresToo) {
  DemoStep step;
  step.name = "POST";
  CheckDemoStep(step, {.status = 201, .x_cache = {"HIT"}, .rows = std::nullopt});
  ASSERT_EQ(step.failures.size(), 2u);
  EXPECT_EQ(step.failures[0], "expected status 201, got no answer");
  EXPECT_EQ(step.failures[1], "expected X-Cache HIT, got none");
}

TEST(CacheDemoCheck, UnsetExpectationsAreNotChecked) {
  auto step = Answered(200, "HIT", 3);
  CheckDemoStep(step, {.status = std::nullopt, .x_cache = {}, .rows = std::nullopt});
  EXPECT_TRUE(step.failures.empty());
}

TEST(CacheDemoBodies, CountAndIdComeFromTheJson) {
  EXPECT_EQ(CatalogBodyCount(R"({"count":42,"items":[]})"), 42);
  EXPECT_EQ(ItemBodyId(R"({"id":7,"cut":"Fair"})"), 7);
  EXPECT_FALSE(CatalogBodyCount("not json"));
  EXPECT_FALSE(CatalogBodyCount(R"({"items":[]})"));
  EXPECT_FALSE(ItemBodyId(R"({"id":"7"})"));
  EXPECT_EQ(ItemBodyId(DemoDiamondJson()), std::nullopt);  // the server assigns the id
}

TEST(CacheDemoTable, ColumnsAreAlignedAndFailuresAreVisible) {
  auto miss = Answered(200, "MISS", 1610);
  miss.time_ms = 41.25;
  auto hit = Answered(200, "HIT", 1610);
  hit.name = "GET (hit)";
  hit.time_ms = 0.5;
  hit.note = SpeedupNote(miss.time_ms, hit.time_ms);
  DemoStep exists;
  exists.name = "EXISTS";
  exists.request = "EXISTS catalog:cut=Fair";
  exists.rows = 1;
  CheckDemoStep(exists, {.status = std::nullopt, .x_cache = {}, .rows = 0});
  const auto table = FormatDemoTable({miss, hit, exists});
  EXPECT_EQ(table,
            "step       | request                 | status | X-Cache | time ms | rows | note\n"
            "-----------+-------------------------+--------+---------+---------+------+-----\n"
            "GET (miss) | GET /catalog?cut=Fair   |    200 | MISS    |    41.2 | 1610 |\n"
            "GET (hit)  | GET /catalog?cut=Fair   |    200 | HIT     |     0.5 | 1610 | 82.5x "
            "faster than the miss\n"
            "EXISTS     | EXISTS catalog:cut=Fair |      - | -       |       - |    1 | FAIL: "
            "expected 0 rows, got 1\n");
}

TEST(CacheDemoTable, SpeedupNeedsBothTimes) {
  EXPECT_EQ(SpeedupNote(10.0, 2.0), "5.0x faster than the miss");
  EXPECT_EQ(SpeedupNote(std::nullopt, 2.0), "");
  EXPECT_EQ(SpeedupNote(10.0, 0.0), "");
}

}  // namespace
}  // namespace vitrina::cache::core
