#include <chrono>
#include <cstdio>

#include <spdlog/spdlog.h>

#include "vitrina/base/env_reader.hpp"
#include "vitrina/base/request_trace.hpp"
#include "vitrina/catalog/spec_file.hpp"
#include "vitrina/cli/cloud_credentials.hpp"
#include "vitrina/cli/commands.hpp"
#include "vitrina/cli/config.hpp"
#include "vitrina/cli/exit_codes.hpp"
#include "vitrina/cli/process_env.hpp"
#include "vitrina/db/connection.hpp"
#include "vitrina/etl/blob_client.hpp"
#include "vitrina/etl/core/azure_storage.hpp"
#include "vitrina/etl/core/etl_source.hpp"
#include "vitrina/etl/etl_run.hpp"
#include "vitrina/etl/progress.hpp"
#include "vitrina/telemetry/telemetry.hpp"
#include "vitrina/telemetry/telemetry_settings.hpp"

namespace vitrina::cli {
namespace {

struct RunOptions {
  std::string spec_path;
  std::string source;
  double max_reject_ratio = 0.01;
  bool if_changed = false;
};

void PrintSummary(const etl::EtlRunReport& report) {
  const auto& totals = report.totals;
  const double seconds = std::max(report.seconds, 1e-9);
  std::printf(
      "run %lld succeeded: %lld rows read, %lld loaded, %lld rejected in %.2f s "
      "(%.0f rows/s, %.1f MB/s)\n",
      static_cast<long long>(report.run_id), static_cast<long long>(totals.rows_read),
      static_cast<long long>(totals.rows_loaded), static_cast<long long>(totals.rows_rejected),
      report.seconds, static_cast<double>(totals.rows_read) / seconds,
      static_cast<double>(totals.size_bytes.value_or(0)) / 1e6 / seconds);
  std::printf("time: %.2f s extract, validate and COPY; %.2f s indexes; %.2f s swap and commit\n",
              report.copy_seconds, report.index_seconds, report.swap_seconds);
  std::printf("source: %s, sha256 %s\n",
              etl::HumanBytes(static_cast<double>(totals.size_bytes.value_or(0))).c_str(),
              totals.checksum.c_str());
  if (!report.top_rejects.empty()) {
    std::printf("top reject reasons (all of them are in etl_rejects, run_id = %lld):\n",
                static_cast<long long>(report.run_id));
    for (const auto& [reason, count] : report.top_rejects) {
      std::printf("  %8lld  %s\n", static_cast<long long>(count), reason.c_str());
    }
  }
  std::fflush(stdout);
}

// An ETL run's telemetry: with APPLICATIONINSIGHTS_CONNECTION_STRING set, the run is a Request
// named "ETL run" (role vitrina-etl) whose dependencies are the Blob/HTTP download and the
// PostgreSQL phases (etl_copy, etl_build_indexes, etl_swap), plus an Exception when it fails.
// TRACEPARENT, when set, makes the run part of its caller's trace (a pipeline, a script).
class EtlRunTelemetry final : public base::DependencyObserver {
 public:
  EtlRunTelemetry(telemetry::Telemetry& telemetry, std::string postgresql_target)
      : telemetry_(telemetry), postgresql_target_(std::move(postgresql_target)) {}

  void OnDependency(const base::RequestTrace& trace,
                    const base::DependencyRecord& record) override {
    const std::string_view target =
        record.type == "postgresql" ? std::string_view(postgresql_target_) : std::string_view();
    telemetry_.TrackDependency(trace.context(), telemetry::ToDependencyCall(record, target));
  }

 private:
  telemetry::Telemetry& telemetry_;
  std::string postgresql_target_;
};

base::Result<etl::EtlRunReport> LoadCatalog(const RunOptions& options, const Config& config,
                                            const CloudCredentials& credentials) {
  auto spec = catalog::LoadSpecFile(options.spec_path);
  if (!spec) return spec.error();
  auto source = etl::core::ParseEtlSource(options.source);
  if (!source) return source.error();
  auto bytes =
      etl::OpenSource(*source, config.azure_storage_connection_string,
                      {.bearer = credentials.storage, .ca_file = config.azure_storage_ca_file});
  if (!bytes) return bytes.error();

  etl::EtlRunSettings settings;
  settings.database_url = config.database_url;
  settings.database_token = credentials.database;
  settings.max_reject_ratio = options.max_reject_ratio;
  settings.if_changed = options.if_changed;
  etl::Progress progress(etl::Progress::StyleForStderr());
  spdlog::info("loading {} into table '{}' (dataset '{}')", source->redacted, spec->table,
               spec->name);
  return etl::RunEtl(settings, *spec, *source, **bytes, progress);
}

int RunEtlCommand(const RunOptions& options) {
  auto config = LoadConfig();
  if (!config) return Fail(config.error());
  auto env = ProcessEnv();
  auto telemetry_settings = telemetry::ReadTelemetrySettings(env, "vitrina-etl");
  // One Request per run, a handful of items: sampling would lose whole runs and save nothing.
  telemetry_settings.sampling_percentage = 100.0;
  const auto traceparent = env.String("TRACEPARENT", "");
  if (!env.problems().empty()) {
    return Fail(base::MakeError(base::ErrorCode::kInvalidArgument,
                                "invalid configuration: " + env.problems().front()));
  }
  const auto source = etl::core::ParseEtlSource(options.source);
  auto credentials = LoadCloudCredentials(
      {.database = true,
       .redis = false,
       .storage = source && source->kind == etl::core::EtlSourceKind::kAzureBlob,
       .monitor = telemetry_settings.connection_string.has_value()});
  if (!credentials) return Fail(credentials.error());
  telemetry_settings.bearer = credentials->monitor;
  auto created = telemetry::Telemetry::Create(telemetry_settings);
  if (!created) {
    return Fail(base::MakeError(
        created.error().code, "APPLICATIONINSIGHTS_CONNECTION_STRING: " + created.error().message));
  }
  telemetry::Telemetry& telemetry = **created;
  telemetry.Start();
  EtlRunTelemetry observer(telemetry, db::DatabaseTarget(config->database_url));
  base::RequestTrace trace(&observer);
  trace.context() = telemetry.StartRequest(traceparent);
  trace.context().operation_name = "ETL run";

  const auto started = std::chrono::steady_clock::now();
  base::Result<etl::EtlRunReport> report = base::MakeError(base::ErrorCode::kInternal, "not run");
  {
    const base::BlockingTraceScope scope(&trace);  // the adapters record into `trace`
    report = LoadCatalog(options, *config, *credentials);
  }
  const auto duration = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  const auto parsed_source = etl::core::ParseEtlSource(options.source);
  const std::string url = parsed_source ? parsed_source->redacted : std::string();
  if (report) {
    const auto& totals = report->totals;
    telemetry.TrackRequest(trace.context(), "ETL run", url, 200, duration,
                           {{"run_id", std::to_string(report->run_id)},
                            {"outcome", report->unchanged ? "unchanged" : "loaded"},
                            {"rows_read", std::to_string(totals.rows_read)},
                            {"rows_loaded", std::to_string(totals.rows_loaded)},
                            {"rows_rejected", std::to_string(totals.rows_rejected)}});
  } else {
    telemetry.TrackRequest(trace.context(), "ETL run", url, 500, duration,
                           {{"error_code", std::string(base::ErrorCodeName(report.error().code))}});
    telemetry.TrackException(&trace.context(), "EtlRunFailed", report.error().message);
  }
  telemetry.Stop();  // flushes what was tracked, within TELEMETRY_SHUTDOWN_DEADLINE_MS
  if (telemetry.enabled()) {
    // Said either way: a run that waited out the flush deadline should not look like a hang.
    const auto stats = telemetry.stats();
    const auto dropped = stats.dropped();
    if (dropped > 0) {
      spdlog::warn("telemetry: {} items sent, {} not delivered to Application Insights", stats.sent,
                   dropped);
    } else {
      spdlog::info("telemetry: {} items sent", stats.sent);
    }
  }

  if (!report) return Fail(report.error());
  if (report->unchanged) {
    std::printf("unchanged, keeping the loaded catalog\n");
    return 0;
  }
  PrintSummary(*report);
  return 0;
}

int RunUpload(const std::string& file, const std::string& destination) {
  auto config = LoadConfig();
  if (!config) return Fail(config.error());
  auto target = etl::core::ParseAzureBlobUri(destination);
  if (!target) return Fail(target.error());
  if (!config->azure_storage_connection_string) {
    return Fail(base::MakeError(base::ErrorCode::kInvalidArgument,
                                "AZURE_STORAGE_CONNECTION_STRING is not set"));
  }
  auto credentials =
      LoadCloudCredentials({.database = false, .redis = false, .storage = true, .monitor = false});
  if (!credentials) return Fail(credentials.error());
  auto account = etl::core::ParseAzureConnectionString(*config->azure_storage_connection_string,
                                                       credentials->storage != nullptr);
  if (!account) return Fail(account.error());
  etl::BlobClient client(std::move(*account), {.bearer = credentials->storage,
                                               .ca_file = config->azure_storage_ca_file});
  if (auto status = client.CreateContainerIfMissing(target->container); !status) {
    return Fail(status.error());
  }
  etl::Progress progress(etl::Progress::StyleForStderr());
  auto status = client.UploadFile(file, target->container, target->blob,
                                  [&](std::uint64_t sent, std::uint64_t total) {
                                    progress.SetTotal(total);
                                    progress.Update(sent, 0);
                                  });
  progress.Done();
  if (!status) return Fail(status.error());
  std::printf("uploaded %s to %s\n", file.c_str(), destination.c_str());
  return 0;
}

}  // namespace

void AddEtlCommand(CLI::App& app, CommandContext& context) {
  auto* etl = app.add_subcommand("etl", "Upload datasets and load them into the catalog");
  etl->require_subcommand(1);

  auto* upload = etl->add_subcommand("upload", "Upload a local file to Azure Blob Storage");
  auto file = std::make_shared<std::string>();
  auto destination = std::make_shared<std::string>();
  upload->add_option("FILE", *file, "Local file")->required();
  upload->add_option("DESTINATION", *destination, "az://container/blob")->required();
  upload->callback(
      [&context, file, destination] { context.exit_code = RunUpload(*file, *destination); });

  auto* run = etl->add_subcommand(
      "run", "Extract a CSV, validate it against a spec and replace the live catalog");
  auto options = std::make_shared<RunOptions>();
  run->add_option("--spec", options->spec_path, "Dataset spec (YAML)")->required();
  run->add_option("SOURCE", options->source,
                  "A path, an http(s):// URL (SAS URLs too) or az://container/blob; .gz is "
                  "decompressed")
      ->required();
  run->add_option("--max-reject-ratio", options->max_reject_ratio,
                  "Fail (and keep the live catalog) when more than this share of records is "
                  "rejected")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  run->add_flag("--if-changed", options->if_changed,
                "Do nothing when the source's sha256 equals the last succeeded run's");
  run->callback([&context, options] { context.exit_code = RunEtlCommand(*options); });
}

}  // namespace vitrina::cli
