#pragma once

#include <string>
#include <utility>
#include <vector>

#include "vitrina/catalog/core/dataset_spec.hpp"

namespace vitrina::etl::core {

// Names of the Key Vault secrets the linked services read; deploy/azure/deploy.sh writes secrets
// of these names (tests/deploy/deploy_script_test.py checks that they agree).
inline constexpr const char* kAdfStorageConnectionSecret = "storage-connection-string";
inline constexpr const char* kAdfPostgresPasswordSecret = "pg-password";
// The connector's sslMode: 0 disable, 1 allow, 2 prefer, 3 require, 4 verify-ca, 5 verify-full.
inline constexpr int kAdfPostgresSslModeRequire = 3;

struct AdfOptions {
  double max_reject_ratio = 0.01;
  std::string container = "datasets";
  std::string blob_name;  // default: <dataset name>.csv
};

// One generated file: a path relative to the output folder (the layout of a Data Factory git
// repository: linkedService/, dataset/, pipeline/, plus sql/ for reading) and its text.
struct GeneratedFile {
  std::string path;
  std::string content;
};

// The SQL run before Data Factory's Copy activity: a fresh all-text staging table whose columns
// are the spec's target names (plus the record number ADF's insert order gives).
std::string AdfPrepareSql(const catalog::core::DatasetSpec& spec);

// The SQL run after the copy: validates every staged row with the spec's rules (the same
// decisions and messages as the C++ ETL), records the run and its rejects, refuses the load above
// the reject ratio, and replaces the live catalog in one transaction.
std::string AdfValidateAndSwapSql(const catalog::core::DatasetSpec& spec,
                                  const AdfOptions& options);

std::string AdfStagingTable(const catalog::core::DatasetSpec& spec);

// Linked services, datasets and the pipeline (Script → Copy → Script) for the spec.
std::vector<GeneratedFile> BuildAdfResources(const catalog::core::DatasetSpec& spec,
                                             const AdfOptions& options);

}  // namespace vitrina::etl::core
