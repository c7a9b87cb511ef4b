#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "vitrina/base/request_trace.hpp"
#include "vitrina/base/result.hpp"
#include "vitrina/base/trace_context.hpp"
#include "vitrina/telemetry/app_insights_exporter.hpp"
#include "vitrina/telemetry/core/envelope.hpp"
#include "vitrina/telemetry/core/metrics.hpp"
#include "vitrina/telemetry/core/sampling.hpp"
#include "vitrina/telemetry/telemetry_settings.hpp"

namespace vitrina::telemetry {

// The trace a request belongs to (defined in core so that http and the adapters can carry it
// inside base::RequestTrace without linking the exporter).
using RequestContext = base::TraceContext;

// One call to PostgreSQL, Redis or an HTTP service, as the Telemetry facade takes it.
struct DependencyCall {
  std::string_view type;  // "postgresql", "redis", "HTTP"
  std::string_view name;  // statement name, Redis command, or "POST /v1/token"
  // "db-host:5432 | vitrina", "redis-host:6379", "securetoken.googleapis.com"
  std::string_view target;
  std::string_view data;  // statement name, command, or URL without its query
  std::chrono::microseconds duration{0};
  bool success = true;
  std::string result_code;  // "OK", SQLSTATE, HTTP status (short: no allocation)
  core::TelemetryProperties properties;
};

// The conventions for each kind of dependency, so every call site names them the same way.
// `statement_name` is the named SQL constant (never the SQL text, which may be long and whose
// parameters could be personal data).
DependencyCall PostgresqlCall(std::string_view statement_name, std::string_view target,
                              std::chrono::microseconds duration, bool success,
                              std::string_view sqlstate = {});
DependencyCall RedisCall(std::string_view command, std::string_view target,
                         std::chrono::microseconds duration, bool success);
// `name` is "METHOD /path" (e.g. "POST /v1/token"), `url` has no query string (API keys travel
// there); status 0 means no response.
DependencyCall HttpCall(std::string_view name, std::string_view url, std::string_view target,
                        std::chrono::microseconds duration, int status);

// The call a recorded dependency (base::RequestTrace) becomes. `target` is used when the record
// names none (PostgreSQL and Redis records leave it to the observer, which knows the server).
// The result borrows from `record` and `target`.
DependencyCall ToDependencyCall(const base::DependencyRecord& record, std::string_view target);

// What the server calls. Without a connection string it is a no-op whose Track* calls return
// at once; with one, each Track* builds an envelope (~1.5 µs) and hands it to the exporter queue.
// Sampling (TELEMETRY_SAMPLING_PERCENTAGE, core::SamplingPolicy) is decided once per operation in
// StartRequest; the Track* calls of an operation that is sampled out return before building
// anything, except for failures, which are always sent.
// Thread-safe: one instance serves every I/O thread.
class Telemetry {
 public:
  // Fails only on a malformed connection string (the message names the problem).
  static base::Result<std::unique_ptr<Telemetry>> Create(const TelemetrySettings& settings);
  // For tests and benchmarks: `transport` stands in for libcurl; null means disabled.
  Telemetry(const TelemetrySettings& settings, core::TelemetryIdentity identity,
            std::unique_ptr<IngestionTransport> transport);
  ~Telemetry();
  Telemetry(const Telemetry&) = delete;
  Telemetry& operator=(const Telemetry&) = delete;

  bool enabled() const { return exporter_ != nullptr; }

  // Explicit lifetime: Start before serving; Stop after the server drained, sending the final
  // metric interval and flushing the queue within the shutdown deadline.
  void Start();
  void Stop();

  // Parses the incoming header ("" when absent); an invalid one starts a new trace. With
  // telemetry on, the context's sampled flag (base::kTraceFlagSampled) is then this process's
  // sampling decision for the trace: it travels on in outgoing `traceparent` and `traceresponse`
  // headers, and the Track* calls below read it.
  RequestContext StartRequest(std::string_view traceparent) const;

  // Whether TrackRequest would send this request: its operation was sampled in, or it failed
  // (status >= 400). Lets a caller skip building what TrackRequest takes (the URL).
  bool RecordsRequest(const RequestContext& context, int status) const;

  // `route` is the template ("GET /catalog"); success is status < 400, as App Insights'
  // failed-requests view expects. Sent when the operation is sampled in (sampleRate = the
  // percentage) or the request failed (sampleRate 100).
  void TrackRequest(const RequestContext& context, std::string_view route, std::string_view url,
                    int status, std::chrono::microseconds duration,
                    core::TelemetryProperties properties = {});
  void TrackRequest(const RequestContext& context, std::string_view route, std::string_view url,
                    int status, std::chrono::microseconds duration,
                    std::initializer_list<core::TelemetryProperty> properties) {
    TrackRequest(context, route, url, status, duration,
                 core::TelemetryProperties(properties.begin(), properties.size()));
  }
  // Sent with its operation, or always (sampleRate 100) when the call failed.
  void TrackDependency(const RequestContext& context, const DependencyCall& call);
  // `context` may be null outside a request. Pass a type and a client-safe message only.
  // Always sent (sampleRate 100).
  void TrackException(const RequestContext* context, std::string_view type_name,
                      std::string_view message, core::TelemetryProperties properties = {});
  // Sent with its operation; without one (null `context`), always.
  void TrackMessage(const RequestContext* context, core::TelemetrySeverity severity,
                    std::string_view message, core::TelemetryProperties properties = {});
  // Never sampled: a metric is already an aggregate.
  void TrackMetric(std::string_view name, double value, core::TelemetryProperties properties = {});

  // Every metric interval, sends how much `counter` grew as the metric `metric_name` (e.g. the
  // cache-hit counter of the metrics registry as "Cache hits"). Register before Start; the
  // counter must outlive this object.
  void ExportCounterDelta(std::string metric_name, const core::Counter& counter);

  // Adds vitrina_telemetry_items_total{outcome=...} (sent, dropped_*, sampled_out) to /metrics.
  // The registry reads this object's counters when rendered, so it must not be rendered after
  // this is gone.
  void RegisterMetrics(core::MetricsRegistry& registry) const;

  ExporterStats stats() const;
  // Items not built because their operation was sampled out.
  std::uint64_t sampled_out() const { return sampled_out_.load(std::memory_order_relaxed); }
  double sampling_percentage() const { return sampling_.percentage(); }

 private:
  struct ExportedCounter {
    std::string metric_name;
    const core::Counter* counter;
    std::uint64_t last_value;
  };

  void RunMetricPump();
  void SendCounterDeltas();
  core::TelemetryOperation OperationOf(const RequestContext& context) const;
  // The sampleRate of an item of `context`'s operation, or nothing (counted) when it is dropped.
  std::optional<double> SampleRateOf(const RequestContext& context, bool failure);

  TelemetrySettings settings_;
  core::TelemetryIdentity identity_;
  core::SamplingPolicy sampling_;
  std::atomic<std::uint64_t> sampled_out_{0};
  std::unique_ptr<AppInsightsExporter> exporter_;

  std::mutex pump_mutex_;
  std::condition_variable pump_wake_;
  bool pump_stopping_ = false;
  std::vector<ExportedCounter> exported_counters_;
  std::thread pump_;
};

}  // namespace vitrina::telemetry
