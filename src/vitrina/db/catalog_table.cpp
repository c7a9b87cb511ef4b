#include "vitrina/db/catalog_table.hpp"

#include "vitrina/core/catalog_schema.hpp"

namespace vitrina::db {

core::Status EnsureCatalogTable(Connection& connection, const core::DatasetSpec& spec) {
  if (auto status = connection.ExecuteScript(core::CatalogTableDdl(spec, spec.table)); !status) {
    return status;
  }
  for (const auto& statement : core::CatalogIndexDdl(spec, spec.table)) {
    if (auto status = connection.ExecuteScript(statement); !status) return status;
  }
  return core::OkStatus();
}

}  // namespace vitrina::db
