#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "vitrina/base/access_token.hpp"
#include "vitrina/base/env_reader.hpp"
#include "vitrina/telemetry/app_insights_exporter.hpp"

namespace vitrina::telemetry {

struct TelemetrySettings {
  // Unset: telemetry is a no-op (nothing is sent, nothing fails).
  std::optional<std::string> connection_string;
  std::string cloud_role = "vitrina-api";  // ai.cloud.role
  std::string cloud_role_instance;         // ai.cloud.roleInstance; "" means the host name
  ExporterSettings exporter;
  std::chrono::milliseconds shutdown_deadline{5000};
  std::chrono::milliseconds metric_interval{60'000};
  std::chrono::milliseconds connect_timeout{5000};
  // The share of operations whose items are sent, as applied (core::EffectiveSamplingPercentage:
  // 100/N). Failures, exceptions and metrics are always sent (core/sampling.hpp).
  double sampling_percentage = 100.0;
  // zlib level of the `Content-Encoding: gzip` batches; 0 sends them uncompressed.
  int gzip_level = 6;
  // Microsoft Entra authentication of ingestion (works with local authentication disabled on the
  // resource): each batch carries "Authorization: Bearer <token>", audience
  // https://monitor.azure.com/. Set by the composition root (APPLICATIONINSIGHTS_AUTH); null: the
  // instrumentation key alone, as before.
  const base::AccessTokenSource* bearer = nullptr;
};

// Reads the settings from the environment (names and defaults in docs/observability.md).
// Problems are added to `env`, so start-up reports them with every other bad variable.
// Only the composition root calls this. `default_role` is ai.cloud.role without
// TELEMETRY_CLOUD_ROLE ("vitrina-api" for the server, "vitrina-etl" for ETL runs).
TelemetrySettings ReadTelemetrySettings(base::EnvReader& env,
                                        std::string_view default_role = "vitrina-api");

}  // namespace vitrina::telemetry
