#include "vitrina/catalog/core/reload_notice.hpp"

#include "vitrina/catalog/core/dataset_spec.hpp"

namespace vitrina::catalog::core {

std::string ReloadPayload(std::string_view table, std::int64_t run_id) {
  std::string payload(table);
  payload += ':';
  payload += std::to_string(run_id);
  return payload;
}

bool ReloadConcernsTable(std::string_view payload, std::string_view table) {
  const auto colon = payload.rfind(':');
  if (colon == std::string_view::npos) return true;
  const std::string_view named = payload.substr(0, colon);
  if (!IsValidIdentifier(named)) return true;
  return named == table;
}

}  // namespace vitrina::catalog::core
