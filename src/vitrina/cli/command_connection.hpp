#pragma once

#include <string>

#include "vitrina/base/result.hpp"
#include "vitrina/cli/cloud_credentials.hpp"
#include "vitrina/db/connection.hpp"

namespace vitrina::cli {

// A one-shot command's own PostgreSQL session (migrate, users): DATABASE_URL, with a
// managed-identity token as its password when DATABASE_AUTH asks for one. The credentials own the
// token source the session draws on, so they are declared first and outlive it.
struct CommandConnection {
  CloudCredentials credentials;
  db::Connection connection;
};

base::Result<CommandConnection> OpenCommandConnection(const std::string& database_url);

}  // namespace vitrina::cli
