#pragma once

#include <CLI/CLI.hpp>

namespace vitrina::cli {

// Each subcommand registers itself on the application; the callback runs the command and sets
// `exit_code`. The wiring of components happens inside these commands and nowhere else.
struct CommandContext {
  int exit_code = 0;
};

void AddMigrateCommand(CLI::App& app, CommandContext& context);
void AddUsersCommand(CLI::App& app, CommandContext& context);
void AddAdfCommand(CLI::App& app, CommandContext& context);
void AddEtlCommand(CLI::App& app, CommandContext& context);
void AddSpecCommand(CLI::App& app, CommandContext& context);
void AddServeCommand(CLI::App& app, CommandContext& context);
void AddDemoCommand(CLI::App& app, CommandContext& context);

}  // namespace vitrina::cli
