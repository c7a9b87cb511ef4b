#include "vitrina/catalog/spec_file.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "vitrina/base/text.hpp"

namespace vitrina::catalog {

using base::ErrorCode;
using base::MakeError;
using core::ColumnSpec;
using core::DatasetSpec;

namespace {

struct SpecParseError {
  std::string message;
};

std::string Where(const YAML::Node& node) {
  const auto mark = node.Mark();
  if (mark.line < 0) return {};
  return " (line " + std::to_string(mark.line + 1) + ")";
}

const std::set<std::string>& KnownColumnKeys() {
  static const std::set<std::string> keys = {"source",
                                             "name",
                                             "type",
                                             "required",
                                             "category",
                                             "minimum",
                                             "maximum",
                                             "exclusive_minimum",
                                             "exclusive_maximum",
                                             "max_length",
                                             "allowed",
                                             "description",
                                             "format",
                                             "null_values",
                                             "skip"};
  return keys;
}

std::string ScalarOf(const YAML::Node& node, const std::string& what) {
  if (!node.IsScalar()) throw SpecParseError{what + " must be a scalar" + Where(node)};
  return node.as<std::string>();
}

double NumberOf(const YAML::Node& node, const std::string& what) {
  try {
    return node.as<double>();
  } catch (const YAML::Exception&) {
    throw SpecParseError{what + " must be a number" + Where(node)};
  }
}

bool BoolOf(const YAML::Node& node, const std::string& what) {
  try {
    return node.as<bool>();
  } catch (const YAML::Exception&) {
    throw SpecParseError{what + " must be true or false" + Where(node)};
  }
}

// A list of null markers, trimmed and without repeats ("" may be listed; it is always one).
std::vector<std::string> NullValuesOf(const YAML::Node& node, const std::string& what) {
  if (!node.IsSequence()) throw SpecParseError{what + " must be a list" + Where(node)};
  std::vector<std::string> markers;
  for (const auto& value : node) {
    if (value.IsNull()) {
      throw SpecParseError{what + ": quote every marker (\"null\", \"\")" + Where(value)};
    }
    std::string marker(base::TrimAscii(ScalarOf(value, what + " entry")));
    if (std::find(markers.begin(), markers.end(), marker) == markers.end()) {
      markers.push_back(std::move(marker));
    }
  }
  return markers;
}

// Returns false for a `skip: true` entry (a CSV column that is read but not loaded).
bool ParseColumn(const YAML::Node& node, const std::vector<std::string>& spec_null_values,
                 ColumnSpec& column, std::string& skipped_source) {
  if (!node.IsMap()) throw SpecParseError{"each column must be a mapping" + Where(node)};
  for (const auto& entry : node) {
    const auto key = entry.first.as<std::string>();
    if (KnownColumnKeys().count(key) == 0) {
      throw SpecParseError{"unknown column key '" + key + "'" + Where(entry.first)};
    }
  }
  if (!node["source"]) throw SpecParseError{"column without 'source'" + Where(node)};
  const std::string source = ScalarOf(node["source"], "source");
  if (node["skip"] && BoolOf(node["skip"], "skip")) {
    skipped_source = source;
    return false;
  }
  column.source = source;
  column.name = node["name"] ? ScalarOf(node["name"], "name") : source;
  const std::string what = "column '" + column.name + "'";
  if (!node["type"]) throw SpecParseError{what + " has no 'type'" + Where(node)};
  const std::string type_name = ScalarOf(node["type"], what + " type");
  const auto type = core::ParseColumnType(type_name);
  if (!type) {
    throw SpecParseError{what + " has unknown type '" + type_name +
                         "' (expected string, integer, number, boolean, date or timestamp)" +
                         Where(node["type"])};
  }
  column.type = *type;
  if (node["required"]) column.required = BoolOf(node["required"], what + " required");
  if (node["category"]) column.category = BoolOf(node["category"], what + " category");
  if (node["minimum"]) column.minimum = NumberOf(node["minimum"], what + " minimum");
  if (node["maximum"]) column.maximum = NumberOf(node["maximum"], what + " maximum");
  if (node["exclusive_minimum"]) {
    column.exclusive_minimum = NumberOf(node["exclusive_minimum"], what + " exclusive_minimum");
  }
  if (node["exclusive_maximum"]) {
    column.exclusive_maximum = NumberOf(node["exclusive_maximum"], what + " exclusive_maximum");
  }
  if (node["max_length"]) {
    const double length = NumberOf(node["max_length"], what + " max_length");
    if (length < 1) throw SpecParseError{what + " max_length must be positive"};
    column.max_length = static_cast<std::size_t>(length);
  }
  if (node["allowed"]) {
    if (!node["allowed"].IsSequence()) {
      throw SpecParseError{what + " allowed must be a list" + Where(node["allowed"])};
    }
    for (const auto& value : node["allowed"]) {
      column.allowed.push_back(ScalarOf(value, what + " allowed value"));
    }
  }
  if (node["description"]) column.description = ScalarOf(node["description"], "description");
  if (node["format"]) {
    const std::string pattern = ScalarOf(node["format"], what + " format");
    if (!column.IsTemporal()) {
      throw SpecParseError{what + " format applies only to date or timestamp columns" +
                           Where(node["format"])};
    }
    auto format = core::DateFormat::Compile(pattern, column.type == core::ColumnType::kTimestamp);
    if (!format) throw SpecParseError{what + " " + format.error().message + Where(node["format"])};
    column.format = std::move(*format);
  }
  column.null_values = node["null_values"]
                           ? NullValuesOf(node["null_values"], what + " null_values")
                           : spec_null_values;
  return true;
}

DatasetSpec ParseSpecNode(const YAML::Node& root) {
  if (!root.IsMap()) throw SpecParseError{"the spec must be a mapping"};
  static const std::set<std::string> known = {"name",      "table",   "description",
                                              "delimiter", "columns", "null_values"};
  for (const auto& entry : root) {
    const auto key = entry.first.as<std::string>();
    if (known.count(key) == 0) {
      throw SpecParseError{"unknown key '" + key + "'" + Where(entry.first)};
    }
  }
  DatasetSpec spec;
  if (!root["name"]) throw SpecParseError{"missing 'name'"};
  spec.name = ScalarOf(root["name"], "name");
  spec.table = root["table"] ? ScalarOf(root["table"], "table") : spec.name;
  if (root["description"]) spec.description = ScalarOf(root["description"], "description");
  if (root["delimiter"]) {
    const std::string delimiter = ScalarOf(root["delimiter"], "delimiter");
    if (delimiter.size() != 1 || delimiter == "\"" || delimiter == "\n" || delimiter == "\r") {
      throw SpecParseError{"delimiter must be one character other than a quote or newline"};
    }
    spec.delimiter = delimiter.front();
  }
  if (root["null_values"]) spec.null_values = NullValuesOf(root["null_values"], "null_values");
  const auto columns = root["columns"];
  if (!columns || !columns.IsSequence()) throw SpecParseError{"'columns' must be a list"};
  for (const auto& node : columns) {
    ColumnSpec column;
    std::string skipped;
    if (ParseColumn(node, spec.null_values, column, skipped)) {
      spec.columns.push_back(std::move(column));
    } else {
      spec.skip_sources.push_back(std::move(skipped));
    }
  }
  return spec;
}

}  // namespace

base::Result<DatasetSpec> ParseSpecYaml(std::string_view yaml, std::string_view origin) {
  const std::string prefix = std::string(origin) + ": ";
  try {
    DatasetSpec spec = ParseSpecNode(YAML::Load(std::string(yaml)));
    if (auto status = core::ValidateSpec(spec); !status) {
      return MakeError(ErrorCode::kInvalidArgument, prefix + status.error().message);
    }
    return spec;
  } catch (const SpecParseError& error) {
    return MakeError(ErrorCode::kInvalidArgument,
                     prefix + "invalid dataset spec: " + error.message);
  } catch (const YAML::Exception& error) {
    return MakeError(ErrorCode::kInvalidArgument, prefix + "invalid YAML: " + error.what());
  }
}

base::Result<DatasetSpec> LoadSpecFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    return MakeError(ErrorCode::kInvalidArgument, "cannot read dataset spec '" + path + "'");
  }
  std::ostringstream text;
  text << file.rdbuf();
  return ParseSpecYaml(text.str(), path);
}

}  // namespace vitrina::catalog
