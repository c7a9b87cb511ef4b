#pragma once

#include <string>

#include "vitrina/base/result.hpp"

namespace vitrina::testing {

// Drops and recreates database `name` on the server of `admin_url`, applies the project's
// migrations to it, and returns its URL. Each suite gets its own database, so suites never see
// each other's rows and can run in any order.
base::Result<std::string> FreshDatabase(const std::string& admin_url, const std::string& name);

// `url` with its database name replaced by `database`.
std::string WithDatabase(const std::string& url, const std::string& database);

}  // namespace vitrina::testing
