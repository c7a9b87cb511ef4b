#include <chrono>

#include <spdlog/spdlog.h>

#include "vitrina/catalog/catalog_table.hpp"
#include "vitrina/catalog/spec_file.hpp"
#include "vitrina/cli/cloud_credentials.hpp"
#include "vitrina/cli/commands.hpp"
#include "vitrina/cli/config.hpp"
#include "vitrina/cli/exit_codes.hpp"
#include "vitrina/db/connection.hpp"
#include "vitrina/db/migrations.hpp"

namespace vitrina::cli {
namespace {

int RunMigrate(const std::string& spec_path) {
  auto config = LoadConfig();
  if (!config) {
    spdlog::error("{}", config.error().message);
    return ExitCodeFor(config.error().code);
  }
  auto spec = catalog::LoadSpecFile(spec_path.empty() ? config->dataset_spec : spec_path);
  if (!spec) {
    spdlog::error("{}", spec.error().message);
    return ExitCodeFor(spec.error().code);
  }
  auto credentials =
      LoadCloudCredentials({.database = true, .redis = false, .storage = false, .monitor = false});
  if (!credentials) {
    spdlog::error("{}", credentials.error().message);
    return ExitCodeFor(credentials.error().code);
  }
  auto connection = db::Connection::Open(config->database_url, std::chrono::seconds(5), "vitrina",
                                         credentials->database);
  if (!connection) {
    spdlog::error("{}", connection.error().message);
    return ExitCodeFor(connection.error().code);
  }
  auto applied = db::ApplyMigrations(*connection, config->migrations_dir);
  if (!applied) {
    spdlog::error("{}", applied.error().message);
    return ExitCodeFor(applied.error().code);
  }
  for (const auto& version : *applied) spdlog::info("applied migration {}", version);
  if (applied->empty()) spdlog::info("schema is up to date");
  if (auto status = catalog::EnsureCatalogTable(*connection, *spec); !status) {
    spdlog::error("catalog table: {} ({})", status.error().message, status.error().detail);
    return ExitCodeFor(status.error().code);
  }
  spdlog::info("catalog table '{}' is ready", spec->table);
  return 0;
}

}  // namespace

void AddMigrateCommand(CLI::App& app, CommandContext& context) {
  auto* command = app.add_subcommand(
      "migrate", "Apply pending SQL migrations and create the dataset's catalog table");
  auto spec_path = std::make_shared<std::string>();
  command->add_option("--spec", *spec_path, "Dataset spec (default: $DATASET_SPEC)");
  command->callback([&context, spec_path] { context.exit_code = RunMigrate(*spec_path); });
}

}  // namespace vitrina::cli
