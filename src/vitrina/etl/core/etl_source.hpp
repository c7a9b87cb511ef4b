#pragma once

#include <string>
#include <string_view>

#include "vitrina/base/result.hpp"

namespace vitrina::etl::core {

// Where an ETL run reads its CSV from.
enum class EtlSourceKind {
  kLocalFile,  // a path
  kHttp,       // an http:// or https:// URL, including a Blob Storage SAS URL (…?…&sig=…)
  kAzureBlob,  // az://container/blob, authenticated from AZURE_STORAGE_CONNECTION_STRING
};

struct EtlSource {
  EtlSourceKind kind = EtlSourceKind::kLocalFile;
  std::string location;   // the path or URL, as given
  std::string container;  // kAzureBlob only
  std::string blob;       // kAzureBlob only
  std::string redacted;   // safe to log and to store in etl_runs
};

base::Result<EtlSource> ParseEtlSource(std::string_view text);

// Parses az://container/blob (also the `upload` destination).
base::Result<EtlSource> ParseAzureBlobUri(std::string_view text);

}  // namespace vitrina::etl::core
