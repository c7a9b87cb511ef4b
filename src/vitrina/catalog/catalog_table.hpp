#pragma once

#include "vitrina/base/result.hpp"
#include "vitrina/catalog/core/dataset_spec.hpp"
#include "vitrina/db/connection.hpp"

namespace vitrina::catalog {

// Creates the spec's live catalog table and its category indexes when they do not exist yet, so
// the API can serve (an empty catalog) before the first ETL run.
base::Status EnsureCatalogTable(db::Connection& connection, const core::DatasetSpec& spec);

}  // namespace vitrina::catalog
