#include "vitrina/catalog/catalog_table.hpp"

#include "vitrina/catalog/core/catalog_schema.hpp"

namespace vitrina::catalog {

base::Status EnsureCatalogTable(db::Connection& connection, const core::DatasetSpec& spec) {
  if (auto status = connection.ExecuteScript(core::CatalogTableDdl(spec, spec.table)); !status) {
    return status;
  }
  for (const auto& statement : core::CatalogIndexDdl(spec, spec.table)) {
    if (auto status = connection.ExecuteScript(statement); !status) return status;
  }
  return base::OkStatus();
}

}  // namespace vitrina::catalog
