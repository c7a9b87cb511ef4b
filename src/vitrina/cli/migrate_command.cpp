#include <spdlog/spdlog.h>

#include "vitrina/catalog/catalog_table.hpp"
#include "vitrina/catalog/spec_file.hpp"
#include "vitrina/cli/command_connection.hpp"
#include "vitrina/cli/commands.hpp"
#include "vitrina/cli/config.hpp"
#include "vitrina/cli/exit_codes.hpp"
#include "vitrina/db/migrations.hpp"

namespace vitrina::cli {
namespace {

int RunMigrate(const std::string& spec_path) {
  auto config = LoadConfig();
  if (!config) return Fail(config.error());
  auto spec = catalog::LoadSpecFile(spec_path.empty() ? config->dataset_spec : spec_path);
  if (!spec) return Fail(spec.error());
  auto session = OpenCommandConnection(config->database_url);
  if (!session) return Fail(session.error());
  auto& connection = session->connection;
  auto applied = db::ApplyMigrations(connection, config->migrations_dir);
  if (!applied) return Fail(applied.error());
  for (const auto& version : *applied) spdlog::info("applied migration {}", version);
  if (applied->empty()) spdlog::info("schema is up to date");
  if (auto status = catalog::EnsureCatalogTable(connection, *spec); !status) {
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
