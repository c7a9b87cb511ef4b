#include "vitrina/cache/core/cache_key.hpp"

#include <algorithm>
#include <set>

#include "vitrina/base/query_string.hpp"

namespace vitrina::cache::core {
namespace {

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

}  // namespace

CacheKey CacheKey::ForCatalog(std::vector<CanonicalParam> params) {
  // A map merges repeated names and sorts by name (bytewise, like std::string's operator<).
  std::map<std::string, std::vector<std::string>> merged;
  std::set<std::string> ordered;
  for (auto& param : params) {
    if (param.values.empty()) continue;
    if (param.ordered) ordered.insert(param.name);
    auto& values = merged[param.name];
    values.insert(values.end(), std::make_move_iterator(param.values.begin()),
                  std::make_move_iterator(param.values.end()));
  }
  if (merged.empty()) return CacheKey(std::string(kCatalogAllKey));

  std::string text(kCatalogKeyPrefix);
  bool first_param = true;
  for (auto& [name, values] : merged) {
    // Values are OR-ed, so order and repetition carry no meaning; sorting the raw values makes
    // ?cut=Good&cut=Fair and ?cut=Fair&cut=Good one key.
    if (!ordered.contains(name)) {
      std::sort(values.begin(), values.end());
      values.erase(std::unique(values.begin(), values.end()), values.end());
    }
    if (!first_param) text += '&';
    first_param = false;
    text += base::PercentEncode(name);
    text += '=';
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) text += ',';
      text += base::PercentEncode(values[i]);
    }
  }
  return CacheKey(std::move(text));
}

std::optional<CacheKey> CacheKey::FromString(std::string_view text) {
  if (!ParseCatalogKey(text)) return std::nullopt;
  return CacheKey(std::string(text));
}

std::optional<KeyParams> ParseCatalogKey(std::string_view key) {
  if (!key.starts_with(kCatalogKeyPrefix)) return std::nullopt;
  if (key == kCatalogAllKey) return KeyParams{};
  key.remove_prefix(kCatalogKeyPrefix.size());
  KeyParams params;
  for (const auto part : Split(key, '&')) {
    const auto equals = part.find('=');
    if (equals == std::string_view::npos || equals == 0) return std::nullopt;
    auto name = base::PercentDecode(part.substr(0, equals));
    if (!name || params.contains(*name)) return std::nullopt;
    std::vector<std::string> values;
    for (const auto encoded : Split(part.substr(equals + 1), ',')) {
      auto value = base::PercentDecode(encoded);
      if (!value) return std::nullopt;
      values.push_back(std::move(*value));
    }
    params.emplace(std::move(*name), std::move(values));
  }
  return params;
}

}  // namespace vitrina::cache::core
