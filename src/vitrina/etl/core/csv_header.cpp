#include "vitrina/etl/core/csv_header.hpp"

#include <map>
#include <string>

#include "vitrina/base/text.hpp"
#include "vitrina/catalog/core/field_value.hpp"

namespace vitrina::etl::core {

namespace {

std::string QuotedList(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "'" : ", '") + name + "'";
  return out;
}

}  // namespace

base::Result<HeaderMapping> MapHeader(const catalog::core::DatasetSpec& spec,
                                      std::span<const std::string_view> header) {
  std::map<std::string, std::size_t, std::less<>> positions;
  std::vector<std::string> duplicated;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string name(base::TrimAscii(header[i]));
    if (!positions.emplace(name, i).second) duplicated.push_back(name);
  }
  std::vector<std::string> missing;
  HeaderMapping mapping;
  mapping.field_count = header.size();
  for (const auto& column : spec.columns) {
    const auto found = positions.find(column.source);
    if (found == positions.end()) {
      missing.push_back(column.source);
      mapping.column_fields.push_back(0);
    } else {
      mapping.column_fields.push_back(found->second);
    }
  }
  for (const auto& skipped : spec.skip_sources) {
    if (positions.find(skipped) == positions.end()) missing.push_back(skipped);
  }
  std::vector<std::string> unexpected;
  for (const auto& [name, position] : positions) {
    bool known = false;
    for (const auto& column : spec.columns) known = known || column.source == name;
    for (const auto& skipped : spec.skip_sources) known = known || skipped == name;
    if (!known) unexpected.push_back(name);
  }
  if (missing.empty() && unexpected.empty() && duplicated.empty()) return mapping;
  std::string message = "the CSV header does not match the spec '" + spec.name + "':";
  if (!missing.empty()) message += " missing column(s) " + QuotedList(missing) + ";";
  if (!unexpected.empty()) message += " unexpected column(s) " + QuotedList(unexpected) + ";";
  if (!duplicated.empty()) message += " duplicated column(s) " + QuotedList(duplicated) + ";";
  message.pop_back();
  return base::MakeError(base::ErrorCode::kInvalidArgument, message);
}

}  // namespace vitrina::etl::core
