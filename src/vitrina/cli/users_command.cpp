#include <spdlog/spdlog.h>

#include "vitrina/cli/command_connection.hpp"
#include "vitrina/cli/commands.hpp"
#include "vitrina/cli/config.hpp"
#include "vitrina/cli/exit_codes.hpp"

namespace vitrina::cli {
namespace {

struct UserChange {
  const char* name;
  const char* help;
  const char* column;
  bool value;
};

constexpr UserChange kChanges[] = {
    {"promote", "Make a user an administrator", "is_admin", true},
    {"demote", "Remove a user's administrator rights", "is_admin", false},
    {"activate", "Allow a user to use the API again", "is_active", true},
    {"deactivate", "Stop a user from using the API", "is_active", false},
};

int RunUserChange(const UserChange& change, const std::string& email) {
  auto config = LoadConfig();
  if (!config) return Fail(config.error());
  auto session = OpenCommandConnection(config->database_url);
  if (!session) return Fail(session.error());
  // The column name comes from the constant table above, never from input.
  const std::string sql = std::string("UPDATE users SET ") + change.column +
                          " = $1, updated_at = now() WHERE lower(email) = lower($2)"
                          " RETURNING uid, is_active, is_admin";
  auto result = session->connection.Execute(sql, {change.value ? "true" : "false", email});
  if (!result) {
    spdlog::error("{} ({})", result.error().message, result.error().detail);
    return ExitCodeFor(result.error().code);
  }
  if (result->rows.empty()) {
    spdlog::error("no user with email '{}' (they must sign up first)", email);
    return ExitCodeFor(base::ErrorCode::kNotFound);
  }
  const auto& row = result->rows.front();
  spdlog::info("{}: uid={} is_active={} is_admin={}", email, row[0].value_or(""),
               row[1].value_or("") == "t", row[2].value_or("") == "t");
  // Running servers learn of the change through the user-status cache (issue: identity).
  return 0;
}

}  // namespace

void AddUsersCommand(CLI::App& app, CommandContext& context) {
  auto* users = app.add_subcommand("users", "Manage who may use the API");
  users->require_subcommand(1);
  for (const auto& change : kChanges) {
    auto* command = users->add_subcommand(change.name, change.help);
    auto email = std::make_shared<std::string>();
    command->add_option("EMAIL", *email, "The user's email")->required();
    command->callback(
        [&context, &change, email] { context.exit_code = RunUserChange(change, *email); });
  }
}

}  // namespace vitrina::cli
