#pragma once

#include "vitrina/core/dataset_spec.hpp"
#include "vitrina/core/result.hpp"
#include "vitrina/db/connection.hpp"

namespace vitrina::db {

// Creates the spec's live catalog table and its category indexes when they do not exist yet, so
// the API can serve (an empty catalog) before the first ETL run.
core::Status EnsureCatalogTable(Connection& connection, const core::DatasetSpec& spec);

}  // namespace vitrina::db
