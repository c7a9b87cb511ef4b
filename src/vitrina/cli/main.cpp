#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "vitrina/cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Vitrina: a CSV dataset as a fast, secure, cached catalog API", "vitrina"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "vitrina 0.1.0");
  vitrina::cli::CommandContext context;
  vitrina::cli::AddMigrateCommand(app, context);
  vitrina::cli::AddUsersCommand(app, context);
  vitrina::cli::AddAdfCommand(app, context);
  vitrina::cli::AddEtlCommand(app, context);
  vitrina::cli::AddSpecCommand(app, context);
  vitrina::cli::AddServeCommand(app, context);
  vitrina::cli::AddDemoCommand(app, context);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  return context.exit_code;
}
