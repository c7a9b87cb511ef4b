#pragma once

#include "vitrina/telemetry/core/metrics.hpp"

namespace vitrina::telemetry::core {

// Every metric the service exposes on GET /metrics, registered in one place so names, labels
// and help texts are reviewed together (docs/observability.md lists them). Components receive
// the family they update; hot paths resolve their label values once.
struct ServiceMetrics {
  explicit ServiceMetrics(MetricsRegistry& registry);

  // labels: route (the template, e.g. "GET /catalog"), status ("200")
  HistogramFamily& http_request_duration;
  // labels: statement (the named SQL constant)
  HistogramFamily& db_query_duration;
  // labels: command ("GET", "SET", "DEL")
  HistogramFamily& redis_command_duration;
  // labels: outcome ("hit", "miss", "bypass", "error")
  CounterFamily& cache_results;
  // labels: measure ("entries", "bytes", "max_bytes"): the bodies this instance keeps to skip
  // reading them from Redis again (cache/local copies)
  GaugeFamily& cache_local_copies;
  GaugeFamily& cache_compression;
  // labels: measure ("loads", "coalesced"): answers loaded from PostgreSQL on a miss, and
  // requests that joined another request's load instead (single flight)
  GaugeFamily& cache_loads;
  // labels: pool ("postgresql", "redis"), state ("in_use", "idle", "size")
  GaugeFamily& pool_connections;
  // labels: measure ("open", "max"): streamed GET /catalog answers being sent, and the cap
  // (CATALOG_MAX_STREAMS) beyond which they are refused with 503
  GaugeFamily& catalog_streams;
  // labels: status ("running", "succeeded", "failed"): the runs recorded in etl_runs (ETL runs
  // are other processes; the cache listener reads the table's totals, the same on every instance)
  GaugeFamily& etl_runs;
};

}  // namespace vitrina::telemetry::core
