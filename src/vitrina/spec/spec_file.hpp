#pragma once

#include <string>
#include <string_view>

#include "vitrina/core/dataset_spec.hpp"
#include "vitrina/core/result.hpp"

namespace vitrina::spec {

// Parses a dataset spec from YAML text and validates it. `origin` names the file in messages.
core::Result<core::DatasetSpec> ParseSpecYaml(std::string_view yaml, std::string_view origin);

// Reads and parses a spec file; a missing file or bad YAML is an kInvalidArgument error that
// names the file and, where known, the line.
core::Result<core::DatasetSpec> LoadSpecFile(const std::string& path);

}  // namespace vitrina::spec
