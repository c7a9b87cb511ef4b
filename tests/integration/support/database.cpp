#include "support/database.hpp"

#include "vitrina/db/connection.hpp"
#include "vitrina/db/migrations.hpp"

namespace vitrina::testing {

std::string WithDatabase(const std::string& url, const std::string& database) {
  // postgresql://user@host:port/db?params → replace "db".
  const auto authority = url.find("://");
  const auto slash = url.find('/', authority == std::string::npos ? 0 : authority + 3);
  if (slash == std::string::npos) return url + "/" + database;
  const auto query = url.find('?', slash);
  return url.substr(0, slash + 1) + database +
         (query == std::string::npos ? "" : url.substr(query));
}

base::Result<std::string> FreshDatabase(const std::string& admin_url, const std::string& name) {
  auto admin = db::Connection::Open(admin_url);
  if (!admin) return admin.error();
  // Other sessions (a server under test that is still shutting down) must not block the drop.
  (void)admin->Execute(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> "
      "pg_backend_pid()",
      {name});
  if (auto dropped = admin->ExecuteScript("DROP DATABASE IF EXISTS \"" + name + "\""); !dropped) {
    return dropped.error();
  }
  if (auto created = admin->ExecuteScript("CREATE DATABASE \"" + name + "\""); !created) {
    return created.error();
  }
  const std::string url = WithDatabase(admin_url, name);
  auto connection = db::Connection::Open(url);
  if (!connection) return connection.error();
  auto applied = db::ApplyMigrations(*connection, VITRINA_SOURCE_DIR "/migrations");
  if (!applied) return applied.error();
  return url;
}

}  // namespace vitrina::testing
