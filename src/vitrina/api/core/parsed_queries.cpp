#include "vitrina/api/core/parsed_queries.hpp"

namespace vitrina::api::core {

std::shared_ptr<const ParsedQueries::Parsed> ParsedQueries::Find(std::string_view raw) const {
  const std::lock_guard lock(mutex_);
  const auto found = kept_.find(raw);
  return found == kept_.end() ? nullptr : found->second;
}

void ParsedQueries::Keep(std::string_view raw, std::shared_ptr<const Parsed> parsed) {
  const std::lock_guard lock(mutex_);
  if (kept_.size() >= max_entries_) kept_.clear();
  kept_.insert_or_assign(std::string(raw), std::move(parsed));
}

}  // namespace vitrina::api::core
