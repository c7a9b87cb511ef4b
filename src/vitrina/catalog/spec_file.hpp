#pragma once

#include <string>
#include <string_view>

#include "vitrina/base/result.hpp"
#include "vitrina/catalog/core/dataset_spec.hpp"

namespace vitrina::catalog {

// Parses a dataset spec from YAML text and validates it. `origin` names the file in messages.
base::Result<core::DatasetSpec> ParseSpecYaml(std::string_view yaml, std::string_view origin);

// Reads and parses a spec file; a missing file or bad YAML is an kInvalidArgument error that
// names the file and, where known, the line.
base::Result<core::DatasetSpec> LoadSpecFile(const std::string& path);

}  // namespace vitrina::catalog
