#pragma once

#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "vitrina/base/request_trace.hpp"
#include "vitrina/http/core/pipeline.hpp"
#include "vitrina/telemetry/core/metrics.hpp"
#include "vitrina/telemetry/core/metrics_catalog.hpp"
#include "vitrina/telemetry/telemetry.hpp"

namespace vitrina::api {

// Per-request observability for `vitrina serve`: the outermost middleware gives every request a
// base::RequestTrace (W3C trace context from an incoming `traceparent`, or new), and when the
// response is ready it
//   - adds `Server-Timing` (auth, cache, db, http, total) and `traceresponse` headers,
//   - observes vitrina_http_request_duration_seconds{route,status} and counts the X-Cache outcome,
//   - sends a Request envelope (name "GET /catalog", the route template) and, for a 5xx, an
//     Exception envelope, when telemetry is enabled.
// As the trace's DependencyObserver it turns every PostgreSQL statement and Redis command into a
// latency observation and, when telemetry is enabled, a RemoteDependency envelope with the
// request's operation id. Thread-safe: one instance serves every I/O thread.
class RequestObservability final : public base::DependencyObserver {
 public:
  // The RemoteDependency `target` of each kind (App Insights draws one Application Map node per
  // target): "db-host:5432 | vitrina", "redis://cache:6379".
  struct DependencyTargets {
    std::string postgresql;
    std::string redis;
  };

  RequestObservability(telemetry::core::ServiceMetrics& metrics, telemetry::Telemetry& telemetry,
                       DependencyTargets targets);

  http::core::Middleware Middleware();

  void OnDependency(const base::RequestTrace& trace, const base::DependencyRecord& record) override;

 private:
  boost::asio::awaitable<http::core::Response> Observe(http::core::Request& request,
                                                       const http::core::Handler& next);

  telemetry::core::ServiceMetrics& metrics_;
  telemetry::Telemetry& telemetry_;
  const DependencyTargets targets_;
  telemetry::core::Counter& cache_hits_;
  telemetry::core::Counter& cache_misses_;
  telemetry::core::Counter& cache_bypasses_;
};

// GET /metrics: the registry in the Prometheus text format. `refresh` (optional) runs first, to
// sample what is read rather than counted (pool usage). With a non-empty `token`
// (METRICS_TOKEN), a scrape must send `Authorization: Bearer <token>`, else 401.
class MetricsHandlers {
 public:
  explicit MetricsHandlers(const telemetry::core::MetricsRegistry& registry,
                           std::function<void()> refresh = {}, std::string token = {})
      : registry_(registry), refresh_(std::move(refresh)), token_(std::move(token)) {}

  boost::asio::awaitable<http::core::Response> Metrics(http::core::Request& request);

 private:
  bool Authorized(const http::core::Request& request) const;

  const telemetry::core::MetricsRegistry& registry_;
  std::function<void()> refresh_;
  const std::string token_;
};

}  // namespace vitrina::api
