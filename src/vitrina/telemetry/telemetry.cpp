#include "vitrina/telemetry/telemetry.hpp"

#include <unistd.h>

#include <climits>

#include "vitrina/telemetry/core/connection_string.hpp"

namespace vitrina::telemetry {
namespace {

std::string HostName() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

}  // namespace

DependencyCall PostgresqlCall(std::string_view statement_name, std::string_view target,
                              std::chrono::microseconds duration, bool success,
                              std::string_view sqlstate) {
  DependencyCall call;
  call.type = "postgresql";
  call.name = statement_name;
  call.data = statement_name;
  call.target = target;
  call.duration = duration;
  call.success = success;
  call.result_code = sqlstate.empty() ? (success ? "OK" : "ERROR") : std::string(sqlstate);
  return call;
}

DependencyCall RedisCall(std::string_view command, std::string_view target,
                         std::chrono::microseconds duration, bool success) {
  DependencyCall call;
  call.type = "redis";
  call.name = command;
  call.data = command;
  call.target = target;
  call.duration = duration;
  call.success = success;
  call.result_code = success ? "OK" : "ERROR";
  return call;
}

DependencyCall HttpCall(std::string_view name, std::string_view url, std::string_view target,
                        std::chrono::microseconds duration, int status) {
  DependencyCall call;
  call.type = "HTTP";
  call.name = name;
  call.data = url;
  call.target = target;
  call.duration = duration;
  call.success = status >= 200 && status < 400;
  call.result_code = std::to_string(status);
  return call;
}

DependencyCall ToDependencyCall(const base::DependencyRecord& record, std::string_view target) {
  DependencyCall call;
  call.type = record.type;
  call.name = record.name;
  call.data = record.data.empty() ? record.name : record.data;
  call.target = record.target.empty() ? target : record.target;
  call.duration = record.duration;
  call.success = record.success;
  call.result_code = record.result_code.empty() ? (record.success ? "OK" : "ERROR")
                                                : std::string(record.result_code);
  return call;
}

base::Result<std::unique_ptr<Telemetry>> Telemetry::Create(const TelemetrySettings& settings) {
  core::TelemetryIdentity identity;
  identity.cloud_role = settings.cloud_role;
  identity.cloud_role_instance =
      settings.cloud_role_instance.empty() ? HostName() : settings.cloud_role_instance;
  if (!settings.connection_string) {
    return std::make_unique<Telemetry>(settings, std::move(identity), nullptr);
  }
  auto parsed = core::ParseTelemetryConnectionString(*settings.connection_string);
  if (!parsed) return parsed.error();
  identity.instrumentation_key = parsed->instrumentation_key;
  auto transport = MakeHttpIngestionTransport(parsed->TrackUrl(), settings.connect_timeout,
                                              settings.gzip_level, settings.bearer);
  return std::make_unique<Telemetry>(settings, std::move(identity), std::move(transport));
}

Telemetry::Telemetry(const TelemetrySettings& settings, core::TelemetryIdentity identity,
                     std::unique_ptr<IngestionTransport> transport)
    : settings_(settings),
      identity_(std::move(identity)),
      sampling_(core::EffectiveSamplingPercentage(settings.sampling_percentage)) {
  if (transport) {
    exporter_ = std::make_unique<AppInsightsExporter>(settings_.exporter, std::move(transport));
  }
}

Telemetry::~Telemetry() { Stop(); }

void Telemetry::Start() {
  if (!exporter_) return;
  exporter_->Start();
  std::lock_guard lock(pump_mutex_);
  if (!pump_.joinable() && !pump_stopping_) pump_ = std::thread([this] { RunMetricPump(); });
}

void Telemetry::Stop() {
  if (!exporter_) return;
  {
    std::lock_guard lock(pump_mutex_);
    pump_stopping_ = true;
  }
  pump_wake_.notify_all();
  if (pump_.joinable()) pump_.join();  // sends the last partial interval before the flush
  exporter_->Stop(settings_.shutdown_deadline);
}

RequestContext Telemetry::StartRequest(std::string_view traceparent) const {
  RequestContext context;
  context.start = std::chrono::system_clock::now();
  context.span_id = base::NewSpanId();
  if (auto incoming = base::ParseTraceparent(traceparent)) {
    context.trace_id = incoming->trace_id;
    context.parent_id = incoming->parent_id;
    context.flags = incoming->flags;
  } else {
    context.trace_id = base::NewTraceId();
  }
  if (exporter_) {
    // The decision for the whole operation, from the trace id alone: every item of this request,
    // and every other process sampling this trace at this percentage, agrees with it.
    const bool kept = sampling_.KeepsOperation(context.trace_id.View());
    context.flags = kept ? static_cast<std::uint8_t>(context.flags | base::kTraceFlagSampled)
                         : static_cast<std::uint8_t>(context.flags & ~base::kTraceFlagSampled);
  }
  return context;
}

bool Telemetry::RecordsRequest(const RequestContext& context, int status) const {
  return exporter_ != nullptr && (status >= 400 || (context.flags & base::kTraceFlagSampled) != 0);
}

std::optional<double> Telemetry::SampleRateOf(const RequestContext& context, bool failure) {
  const bool kept = (context.flags & base::kTraceFlagSampled) != 0;
  auto rate = sampling_.SampleRate(kept, failure);
  if (!rate) sampled_out_.fetch_add(1, std::memory_order_relaxed);
  return rate;
}

core::TelemetryOperation Telemetry::OperationOf(const RequestContext& context) const {
  return core::TelemetryOperation{context.trace_id.View(), context.span_id.View(),
                                  context.operation_name};
}

void Telemetry::TrackRequest(const RequestContext& context, std::string_view route,
                             std::string_view url, int status, std::chrono::microseconds duration,
                             core::TelemetryProperties properties) {
  if (!exporter_) return;
  const auto sample_rate = SampleRateOf(context, status >= 400);
  if (!sample_rate) return;
  core::TelemetryOperation operation{context.trace_id.View(), {}, route};
  if (context.parent_id) operation.parent_id = context.parent_id->View();
  core::RequestTelemetry request;
  request.start = context.start;
  request.id = context.span_id.View();
  request.name = route;
  request.url = url;
  request.duration = duration;
  request.response_code = status;
  request.success = status < 400;
  request.properties = properties;
  request.sample_rate = *sample_rate;
  exporter_->Track(core::BuildRequestEnvelope(identity_, operation, request));
}

void Telemetry::TrackDependency(const RequestContext& context, const DependencyCall& call) {
  if (!exporter_) return;
  const auto sample_rate = SampleRateOf(context, !call.success);
  if (!sample_rate) return;
  const base::SpanId id = base::NewSpanId();
  core::DependencyTelemetry dependency;
  dependency.start = std::chrono::system_clock::now() - call.duration;
  dependency.id = id.View();
  dependency.type = call.type;
  dependency.name = call.name;
  dependency.target = call.target;
  dependency.data = call.data;
  dependency.duration = call.duration;
  dependency.result_code = call.result_code;
  dependency.success = call.success;
  dependency.properties = call.properties;
  dependency.sample_rate = *sample_rate;
  exporter_->Track(core::BuildDependencyEnvelope(identity_, OperationOf(context), dependency));
}

void Telemetry::TrackException(const RequestContext* context, std::string_view type_name,
                               std::string_view message, core::TelemetryProperties properties) {
  if (!exporter_) return;
  core::ExceptionTelemetry exception;
  exception.time = std::chrono::system_clock::now();
  exception.type_name = type_name;
  exception.message = message;
  exception.properties = properties;
  const auto operation = context ? OperationOf(*context) : core::TelemetryOperation{};
  exporter_->Track(core::BuildExceptionEnvelope(identity_, operation, exception));
}

void Telemetry::TrackMessage(const RequestContext* context, core::TelemetrySeverity severity,
                             std::string_view message, core::TelemetryProperties properties) {
  if (!exporter_) return;
  double sample_rate = 100.0;
  if (context != nullptr) {
    const auto rate = SampleRateOf(*context, /*failure=*/false);
    if (!rate) return;
    sample_rate = *rate;
  }
  core::MessageTelemetry telemetry;
  telemetry.time = std::chrono::system_clock::now();
  telemetry.message = message;
  telemetry.severity = severity;
  telemetry.properties = properties;
  telemetry.sample_rate = sample_rate;
  const auto operation = context ? OperationOf(*context) : core::TelemetryOperation{};
  exporter_->Track(core::BuildMessageEnvelope(identity_, operation, telemetry));
}

void Telemetry::TrackMetric(std::string_view name, double value,
                            core::TelemetryProperties properties) {
  if (!exporter_) return;
  core::MetricTelemetry metric;
  metric.time = std::chrono::system_clock::now();
  metric.name = name;
  metric.value = value;
  metric.properties = properties;
  exporter_->Track(core::BuildMetricEnvelope(identity_, metric));
}

void Telemetry::ExportCounterDelta(std::string metric_name, const core::Counter& counter) {
  std::lock_guard lock(pump_mutex_);
  exported_counters_.push_back(ExportedCounter{std::move(metric_name), &counter, counter.Value()});
}

void Telemetry::RunMetricPump() {
  std::unique_lock lock(pump_mutex_);
  while (true) {
    const bool stopping =
        pump_wake_.wait_for(lock, settings_.metric_interval, [this] { return pump_stopping_; });
    SendCounterDeltas();  // on stopping too: the last, partial interval is not lost
    if (stopping) return;
  }
}

void Telemetry::SendCounterDeltas() {
  // Called with pump_mutex_ held. The property marks the value as a per-interval aggregate, as
  // the official SDKs' pre-aggregated metrics do.
  const std::string interval = std::to_string(settings_.metric_interval.count());
  const core::TelemetryProperty properties[] = {{"_MS.AggregationIntervalMs", interval}};
  for (auto& exported : exported_counters_) {
    const std::uint64_t value = exported.counter->Value();
    const std::uint64_t delta = value - exported.last_value;
    exported.last_value = value;
    TrackMetric(exported.metric_name, static_cast<double>(delta), properties);
  }
}

void Telemetry::RegisterMetrics(core::MetricsRegistry& registry) const {
  const AppInsightsExporter* exporter = exporter_.get();
  const Telemetry* telemetry = this;
  registry.AddCallback(
      core::MetricType::kCounter, "vitrina_telemetry_items_total",
      "Telemetry items by fate: sent to Application Insights, dropped and why, or not built "
      "because sampling left their operation out.",
      {"outcome"}, [exporter, telemetry] {
        const ExporterStats stats = exporter ? exporter->stats() : ExporterStats{};
        auto sample = [](std::string outcome, std::uint64_t value) {
          return core::CallbackSample{{std::move(outcome)}, static_cast<double>(value)};
        };
        return std::vector<core::CallbackSample>{
            sample("sent", stats.sent),
            sample("dropped_queue_full", stats.dropped_queue_full),
            sample("dropped_rejected", stats.dropped_rejected),
            sample("dropped_retries_exhausted", stats.dropped_retries_exhausted),
            sample("dropped_shutdown", stats.dropped_shutdown),
            sample("sampled_out", telemetry->sampled_out()),
        };
      });
}

ExporterStats Telemetry::stats() const { return exporter_ ? exporter_->stats() : ExporterStats{}; }

}  // namespace vitrina::telemetry
