// `vitrina spec infer FILE_OR_URL [--sample N] > spec.yaml`: a spec proposed from a CSV's header
// and first records, read from the same sources as `etl run` (a file, http(s), az://, gzip or
// not) and only as far as the sample needs.
#include <cstdio>
#include <filesystem>
#include <memory>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "vitrina/base/env_reader.hpp"
#include "vitrina/cli/cloud_credentials.hpp"
#include "vitrina/cli/commands.hpp"
#include "vitrina/cli/exit_codes.hpp"
#include "vitrina/cli/process_env.hpp"
#include "vitrina/etl/core/csv_record_parser.hpp"
#include "vitrina/etl/core/etl_source.hpp"
#include "vitrina/etl/core/spec_infer.hpp"
#include "vitrina/etl/etl_run.hpp"
#include "vitrina/etl/gzip_decoder.hpp"

namespace vitrina::cli {
namespace {

struct InferArguments {
  std::string source;
  std::size_t sample = 10'000;
  std::string name;
  std::string delimiter = ",";
};

// Feeds the CSV parser and stops the download once the sample is complete.
class SampleFeed final : public base::ByteSink {
 public:
  SampleFeed(etl::core::CsvRecordParser& parser, const etl::core::SpecInferrer& inferrer)
      : parser_(parser), inferrer_(inferrer) {}
  base::Status Consume(std::string_view bytes) override {
    parser_.Feed(bytes);
    if (!inferrer_.Done()) return base::OkStatus();
    stopped_ = true;  // an error is how a sink stops its source; RunInfer knows it is not one
    return base::MakeError(base::ErrorCode::kUnavailable, "the sample is complete");
  }
  bool stopped() const { return stopped_; }

 private:
  etl::core::CsvRecordParser& parser_;
  const etl::core::SpecInferrer& inferrer_;
  bool stopped_ = false;
};

// "Housing Prices 2024.csv.gz" -> "Housing Prices 2024", which the inferrer turns into a name.
std::string DatasetNameOf(const std::string& source) {
  std::string stem = std::filesystem::path(source.substr(0, source.find('?'))).filename().string();
  for (const char* extension : {".gz", ".csv", ".tsv", ".txt"}) {
    const std::string ext(extension);
    if (stem.size() > ext.size() && stem.compare(stem.size() - ext.size(), ext.size(), ext) == 0) {
      stem.resize(stem.size() - ext.size());
    }
  }
  return stem;
}

int RunInfer(const InferArguments& arguments) {
  // stdout is the spec (`> spec.yaml`): messages go to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("spec"));
  if (arguments.delimiter.size() != 1) {
    return Fail(
        base::MakeError(base::ErrorCode::kInvalidArgument, "--delimiter must be one character"));
  }
  auto env = ProcessEnv();
  const auto azure = env.OptionalString("AZURE_STORAGE_CONNECTION_STRING");
  const auto ca_file = env.ReadableFile("AZURE_STORAGE_CA_FILE");
  if (!env.problems().empty()) {
    return Fail(base::MakeError(base::ErrorCode::kInvalidArgument,
                                "invalid configuration: " + env.problems().front()));
  }
  auto source = etl::core::ParseEtlSource(arguments.source);
  if (!source) return Fail(source.error());
  // The same Blob Storage credentials as `etl run` (AZURE_STORAGE_AUTH).
  auto credentials =
      LoadCloudCredentials({.database = false,
                            .redis = false,
                            .storage = source->kind == etl::core::EtlSourceKind::kAzureBlob,
                            .monitor = false});
  if (!credentials) return Fail(credentials.error());
  auto bytes =
      etl::OpenSource(*source, azure, {.bearer = credentials->storage, .ca_file = ca_file});
  if (!bytes) return Fail(bytes.error());

  const char delimiter = arguments.delimiter.front();
  etl::core::SpecInferrer inferrer(
      arguments.name.empty() ? DatasetNameOf(arguments.source) : arguments.name, arguments.sample,
      delimiter);
  etl::core::CsvRecordParser parser({.delimiter = delimiter}, inferrer);
  SampleFeed feed(parser, inferrer);
  etl::GunzipIfCompressed gunzip(feed);
  auto streamed = (*bytes)->StreamTo(gunzip);
  if (!streamed && !feed.stopped()) return Fail(streamed.error());
  if (!feed.stopped()) {
    if (auto finished = gunzip.Finish(); !finished) return Fail(finished.error());
    parser.Finish();
  }
  auto yaml = inferrer.Yaml();
  if (!yaml) return Fail(yaml.error());
  std::fwrite(yaml->data(), 1, yaml->size(), stdout);
  std::fflush(stdout);
  return 0;
}

}  // namespace

void AddSpecCommand(CLI::App& app, CommandContext& context) {
  auto* spec = app.add_subcommand("spec", "Dataset specs");
  spec->require_subcommand(1);
  auto* command = spec->add_subcommand(
      "infer", "Propose a spec for a CSV (file, http(s) or az://) from its header and a sample");
  auto arguments = std::make_shared<InferArguments>();
  command->add_option("source", arguments->source, "CSV file, URL or az://container/blob")
      ->required();
  command->add_option("--sample", arguments->sample, "Records to read after the header (0: all)")
      ->capture_default_str();
  command->add_option("--name", arguments->name, "Dataset and table name (default: the file's)");
  command->add_option("--delimiter", arguments->delimiter, "Field delimiter")
      ->capture_default_str();
  command->callback([&context, arguments] { context.exit_code = RunInfer(*arguments); });
}

}  // namespace vitrina::cli
