#include "vitrina/telemetry/core/metrics_catalog.hpp"

namespace vitrina::telemetry::core {

ServiceMetrics::ServiceMetrics(MetricsRegistry& registry)
    : http_request_duration(registry.AddHistogram(
          "vitrina_http_request_duration_seconds",
          "Time from request read to response written, by route template and status.",
          {"route", "status"})),
      db_query_duration(registry.AddHistogram("vitrina_db_query_duration_seconds",
                                              "PostgreSQL statement latency by statement name.",
                                              {"statement"})),
      redis_command_duration(registry.AddHistogram("vitrina_redis_command_duration_seconds",
                                                   "Redis command latency by command.",
                                                   {"command"})),
      cache_results(registry.AddCounter("vitrina_cache_results_total",
                                        "Catalog cache lookups by outcome.", {"outcome"})),
      cache_local_copies(registry.AddGauge(
          "vitrina_cache_local_copies",
          "Cached bodies kept by this instance (each use is checked against Redis first).",
          {"measure"})),
      cache_compression(registry.AddGauge(
          "vitrina_cache_compression",
          "Compressed catalog answers since start: bodies compressed for requests, variants sent "
          "as stored, stored, refused (entry changed), replaced by a smaller background one.",
          {"measure"})),
      cache_loads(registry.AddGauge(
          "vitrina_cache_loads",
          "Catalog answers loaded on a cache miss since start, and requests that waited for "
          "another request's load of the same answer instead of querying (single flight).",
          {"measure"})),
      pool_connections(registry.AddGauge("vitrina_pool_connections",
                                         "Connections per pool and state.", {"pool", "state"})),
      catalog_streams(registry.AddGauge(
          "vitrina_catalog_streams",
          "Streamed GET /catalog answers being sent (each holds a database connection), and "
          "the cap beyond which they are refused.",
          {"measure"})),
      etl_runs(registry.AddGauge("vitrina_etl_runs",
                                 "Dataset loads recorded in etl_runs, by status.", {"status"})) {}

}  // namespace vitrina::telemetry::core
