#include "vitrina/telemetry/core/metrics.hpp"

#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "vitrina/telemetry/core/metrics_catalog.hpp"

namespace vitrina::telemetry::core {
namespace {

TEST(MetricsRegistry, RendersCountersWithHelpTypeAndSortedLabels) {
  MetricsRegistry registry;
  auto& results =
      registry.AddCounter("vitrina_cache_results_total", "Cache lookups by outcome.", {"outcome"});
  results.WithLabels({"miss"}).Increment();
  results.WithLabels({"hit"}).Increment(3);
  registry.AddCounter("vitrina_empty_total", "Registered, never used.");
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP vitrina_cache_results_total Cache lookups by outcome.\n"
            "# TYPE vitrina_cache_results_total counter\n"
            "vitrina_cache_results_total{outcome=\"hit\"} 3\n"
            "vitrina_cache_results_total{outcome=\"miss\"} 1\n"
            "# HELP vitrina_empty_total Registered, never used.\n"
            "# TYPE vitrina_empty_total counter\n");
}

TEST(MetricsRegistry, RendersHistogramBucketsCumulativelyWithSumAndCount) {
  MetricsRegistry registry;
  auto& latency = registry.AddHistogram("vitrina_http_request_duration_seconds", "Latency.",
                                        {"route", "status"}, {0.125, 0.2, 1});
  auto& catalog = latency.WithLabels({"GET /catalog", "200"});
  // Binary-exact values, so the expected _sum text is exact.
  catalog.Observe(0.0625);
  catalog.Observe(0.125);  // a value equal to a bound falls in that bucket
  catalog.Observe(0.25);
  catalog.Observe(3);
  EXPECT_EQ(
      registry.RenderPrometheus(),
      "# HELP vitrina_http_request_duration_seconds Latency.\n"
      "# TYPE vitrina_http_request_duration_seconds histogram\n"
      "vitrina_http_request_duration_seconds_bucket{route=\"GET "
      "/catalog\",status=\"200\",le=\"0.125\"} 2\n"
      "vitrina_http_request_duration_seconds_bucket{route=\"GET "
      "/catalog\",status=\"200\",le=\"0.2\"} 2\n"
      "vitrina_http_request_duration_seconds_bucket{route=\"GET "
      "/catalog\",status=\"200\",le=\"1\"} 3\n"
      "vitrina_http_request_duration_seconds_bucket{route=\"GET "
      "/catalog\",status=\"200\",le=\"+Inf\"} 4\n"
      "vitrina_http_request_duration_seconds_sum{route=\"GET /catalog\",status=\"200\"} 3.4375\n"
      "vitrina_http_request_duration_seconds_count{route=\"GET /catalog\",status=\"200\"} 4\n");
}

TEST(MetricsRegistry, EscapesLabelValuesAndHelpText) {
  MetricsRegistry registry;
  auto& gauge = registry.AddGauge("odd", "Help with \\ and\nnewline.", {"name"});
  gauge.WithLabels({"quote\" back\\slash\nnewline"}).Set(1.5);
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP odd Help with \\\\ and\\nnewline.\n"
            "# TYPE odd gauge\n"
            "odd{name=\"quote\\\" back\\\\slash\\nnewline\"} 1.5\n");
}

TEST(MetricsRegistry, CallbackMetricsAreReadAtScrapeTime) {
  MetricsRegistry registry;
  double in_use = 2;
  registry.AddCallback(MetricType::kGauge, "pool_in_use", "In use.", {"pool"}, [&] {
    return std::vector<CallbackSample>{{{"postgresql"}, in_use}};
  });
  in_use = 7;
  EXPECT_EQ(
      registry.RenderPrometheus(),
      "# HELP pool_in_use In use.\n# TYPE pool_in_use gauge\npool_in_use{pool=\"postgresql\"} 7\n");
}

TEST(MetricsRegistry, MisuseIsABugAndThrows) {
  MetricsRegistry registry;
  auto& counter = registry.AddCounter("a_total", "A.", {"x"});
  EXPECT_THROW(counter.WithLabels({"1", "2"}), std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("a_total", "again"), std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("bad-name", "."), std::invalid_argument);
  EXPECT_THROW(registry.AddHistogram("h", ".", {"le"}), std::invalid_argument);
  EXPECT_THROW(registry.AddHistogram("h2", ".", {}, {1, 0.5}), std::invalid_argument);
}

TEST(MetricsRegistry, ChildrenAreStableAndCountsExactUnderConcurrency) {
  MetricsRegistry registry;
  auto& family = registry.AddCounter("hits_total", "Hits.", {"route"});
  auto& histogram = registry.AddHistogram("lat_seconds", "Lat.", {});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) {
        family.WithLabels({i % 2 ? "a" : "b"}).Increment();
        histogram.WithLabels({}).Observe(0.002);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(family.WithLabels({"a"}).Value() + family.WithLabels({"b"}).Value(), 40'000U);
  EXPECT_EQ(histogram.WithLabels({}).Read().cumulative.back(), 40'000U);
}

TEST(ServiceMetrics, RegistersEveryServiceMetricOnce) {
  MetricsRegistry registry;
  ServiceMetrics metrics(registry);
  metrics.cache_results.WithLabels({"hit"}).Increment();
  metrics.db_query_duration.WithLabels({"kSelectCatalogPage"}).Observe(0.004);
  const std::string text = registry.RenderPrometheus();
  for (const char* name :
       {"vitrina_http_request_duration_seconds histogram",
        "vitrina_db_query_duration_seconds histogram",
        "vitrina_redis_command_duration_seconds histogram", "vitrina_cache_results_total counter",
        "vitrina_pool_connections gauge", "vitrina_catalog_streams gauge",
        "vitrina_cache_loads gauge", "vitrina_etl_runs gauge"}) {
    EXPECT_NE(text.find(std::string("# TYPE ") + name), std::string::npos) << name;
  }
  EXPECT_NE(text.find("vitrina_db_query_duration_seconds_bucket{statement=\"kSelectCatalogPage\","
                      "le=\"0.005\"} 1"),
            std::string::npos);
}

}  // namespace
}  // namespace vitrina::telemetry::core
