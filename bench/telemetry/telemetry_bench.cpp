// The per-request cost of telemetry: what a request thread pays to start a trace, build a
// Request envelope and hand it to the exporter (target: well under 5 µs), plus the metrics hot
// paths. The transport discards batches, so only our side is measured.
#include <atomic>

#include <benchmark/benchmark.h>

#include "vitrina/telemetry/core/access_log_line.hpp"
#include "vitrina/telemetry/core/envelope.hpp"
#include "vitrina/telemetry/core/metrics_catalog.hpp"
#include "vitrina/telemetry/telemetry.hpp"

namespace vitrina::telemetry {
namespace {

class DiscardingTransport final : public IngestionTransport {
 public:
  IngestionResponse Post(std::string_view body, std::chrono::milliseconds,
                         const std::function<bool()>&) override {
    bytes_ += body.size();
    return IngestionResponse{200, R"({"errors":[]})", std::nullopt, {}};
  }

 private:
  std::atomic<std::size_t> bytes_{0};
};

core::TelemetryIdentity Identity() {
  core::TelemetryIdentity identity;
  identity.instrumentation_key = "00000000-0000-0000-0000-000000000000";
  identity.cloud_role_instance = "bench-host";
  return identity;
}

void BM_StartRequestWithTraceparent(benchmark::State& state) {
  Telemetry telemetry(TelemetrySettings{}, Identity(), nullptr);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        telemetry.StartRequest("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  }
}
BENCHMARK(BM_StartRequestWithTraceparent);

void BM_BuildRequestEnvelope(benchmark::State& state) {
  const auto identity = Identity();
  const core::TelemetryProperty properties[] = {{"cache", "hit"}};
  for (auto _ : state) {
    core::RequestTelemetry request;
    request.start = std::chrono::system_clock::now();
    request.id = "00f067aa0ba902b7";
    request.name = "GET /catalog";
    request.url = "/catalog?carat_min=1&cut=Ideal&page=3";
    request.duration = std::chrono::microseconds(1234);
    request.properties = properties;
    const core::TelemetryOperation operation{"4bf92f3577b34da6a3ce929d0e0e4736", "b7ad6b7169203331",
                                             "GET /catalog"};
    benchmark::DoNotOptimize(core::BuildRequestEnvelope(identity, operation, request));
  }
}
BENCHMARK(BM_BuildRequestEnvelope);

// The whole per-request path: StartRequest + TrackRequest (build + enqueue), with the exporter
// running and draining into a discarding transport, from 1 and 2 request threads.
void BM_StartAndTrackRequest(benchmark::State& state) {
  static Telemetry* telemetry = nullptr;
  if (state.thread_index() == 0) {
    TelemetrySettings settings;
    settings.exporter.queue_capacity = 1'000'000;
    settings.exporter.flush_interval = std::chrono::milliseconds(100);
    telemetry = new Telemetry(settings, Identity(), std::make_unique<DiscardingTransport>());
    telemetry->Start();
  }
  for (auto _ : state) {
    const auto context = telemetry->StartRequest("");
    telemetry->TrackRequest(context, "GET /catalog", "/catalog?page=3", 200,
                            std::chrono::microseconds(1234), {{"cache", "hit"}});
  }
  if (state.thread_index() == 0) {
    const auto stats = telemetry->stats();
    state.counters["dropped"] = static_cast<double>(stats.dropped_queue_full);
    delete telemetry;
  }
}
BENCHMARK(BM_StartAndTrackRequest)->Threads(1)->Threads(2)->UseRealTime();

void BM_DisabledTrackRequest(benchmark::State& state) {
  Telemetry telemetry(TelemetrySettings{}, Identity(), nullptr);
  for (auto _ : state) {
    const auto context = telemetry.StartRequest("");
    telemetry.TrackRequest(context, "GET /catalog", "/catalog", 200, std::chrono::microseconds(1));
  }
}
BENCHMARK(BM_DisabledTrackRequest);

void BM_HistogramObserveResolved(benchmark::State& state) {
  static core::MetricsRegistry registry;
  static core::ServiceMetrics metrics(registry);
  auto& histogram = metrics.http_request_duration.WithLabels({"GET /catalog", "200"});
  for (auto _ : state) histogram.Observe(0.0042);
}
BENCHMARK(BM_HistogramObserveResolved)->Threads(1)->Threads(2);

void BM_HistogramObserveWithLabelLookup(benchmark::State& state) {
  static core::MetricsRegistry registry;
  static core::ServiceMetrics metrics(registry);
  for (auto _ : state) {
    metrics.http_request_duration.WithLabels({"GET /catalog", "200"}).Observe(0.0042);
  }
}
BENCHMARK(BM_HistogramObserveWithLabelLookup)->Threads(1)->Threads(2);

void BM_RenderPrometheus(benchmark::State& state) {
  core::MetricsRegistry registry;
  core::ServiceMetrics metrics(registry);
  for (const char* route :
       {"GET /catalog", "GET /catalog/{id}", "POST /auth/login", "GET /health"}) {
    for (const char* status : {"200", "304", "400", "404", "500"}) {
      metrics.http_request_duration.WithLabels({route, status}).Observe(0.003);
    }
  }
  for (auto _ : state) benchmark::DoNotOptimize(registry.RenderPrometheus());
}
BENCHMARK(BM_RenderPrometheus);

void BM_AccessLogLine(benchmark::State& state) {
  core::AccessLogFields fields;
  fields.request_id = "1f0c9a2b4d6e8f10-42";
  fields.method = "GET";
  fields.route = "/catalog";
  fields.path = "/catalog";
  fields.status = 200;
  fields.duration = std::chrono::microseconds(412);
  fields.bytes = 212961;
  fields.cache = "HIT";
  fields.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  for (auto _ : state) benchmark::DoNotOptimize(core::FormatAccessLogFields(fields));
}
BENCHMARK(BM_AccessLogLine);

}  // namespace
}  // namespace vitrina::telemetry

BENCHMARK_MAIN();
