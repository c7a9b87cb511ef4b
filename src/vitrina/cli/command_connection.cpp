#include "vitrina/cli/command_connection.hpp"

#include <chrono>
#include <utility>

namespace vitrina::cli {

base::Result<CommandConnection> OpenCommandConnection(const std::string& database_url) {
  auto credentials =
      LoadCloudCredentials({.database = true, .redis = false, .storage = false, .monitor = false});
  if (!credentials) return credentials.error();
  auto connection =
      db::Connection::Open(database_url, std::chrono::seconds(5), "vitrina", credentials->database);
  if (!connection) return connection.error();
  return CommandConnection{std::move(credentials).value(), std::move(connection).value()};
}

}  // namespace vitrina::cli
