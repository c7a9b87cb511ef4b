#include "vitrina/telemetry/telemetry_settings.hpp"

#include "vitrina/telemetry/core/sampling.hpp"

namespace vitrina::telemetry {

TelemetrySettings ReadTelemetrySettings(base::EnvReader& env, std::string_view default_role) {
  TelemetrySettings settings;
  settings.connection_string = env.OptionalString("APPLICATIONINSIGHTS_CONNECTION_STRING");
  settings.cloud_role = env.String("TELEMETRY_CLOUD_ROLE", std::string(default_role));
  settings.cloud_role_instance = env.String("TELEMETRY_CLOUD_ROLE_INSTANCE", "");
  auto& exporter = settings.exporter;
  exporter.queue_capacity =
      static_cast<std::size_t>(env.Integer("TELEMETRY_QUEUE_CAPACITY", 10'000, 1, 10'000'000));
  exporter.max_batch_items =
      static_cast<std::size_t>(env.Integer("TELEMETRY_BATCH_SIZE", 500, 1, 10'000));
  exporter.flush_interval =
      std::chrono::milliseconds(env.Integer("TELEMETRY_FLUSH_INTERVAL_MS", 1500, 10, 600'000));
  exporter.max_retries = static_cast<int>(env.Integer("TELEMETRY_MAX_RETRIES", 5, 0, 100));
  settings.shutdown_deadline =
      std::chrono::milliseconds(env.Integer("TELEMETRY_SHUTDOWN_DEADLINE_MS", 5000, 0, 600'000));
  settings.metric_interval =
      std::chrono::seconds(env.Integer("TELEMETRY_METRIC_INTERVAL_S", 60, 1, 86'400));
  if (const auto text = env.OptionalString("TELEMETRY_SAMPLING_PERCENTAGE")) {
    auto requested = core::ParseSamplingPercentage(*text);
    if (requested) {
      settings.sampling_percentage = core::EffectiveSamplingPercentage(*requested);
    } else {
      env.AddProblem(requested.error().message);
    }
  }
  settings.gzip_level = static_cast<int>(env.Integer("TELEMETRY_GZIP_LEVEL", 6, 0, 9));
  return settings;
}

}  // namespace vitrina::telemetry
