#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vitrina::cache::core {

// One validated query parameter in neutral form, as the catalog query parser produces it. Numeric
// values must already be canonical numbers (base::FormatNumber: "500.0" arrives as "500"), so that
// equal queries build equal keys. The key builder sorts, encodes and joins; it validates nothing.
struct CanonicalParam {
  std::string name;
  std::vector<std::string> values;  // repeated values (?cut=Fair&cut=Good) mean OR
  // The values' order is their meaning (a sort's keys): kept as given, not sorted or merged.
  bool ordered = false;
};

// Filters read back from a key: parameter name -> its values, in key order.
using KeyParams = std::map<std::string, std::vector<std::string>, std::less<>>;

inline constexpr std::string_view kCatalogKeyPrefix = "catalog:";
inline constexpr std::string_view kCatalogAllKey = "catalog:all";

// The Redis key of one cached GET /catalog answer. The text is the public contract (users check it
// with redis-cli): "catalog:" + parameters sorted by name, each "name=v1,v2" with its values
// sorted, de-duplicated and percent-encoded (RFC 3986 unreserved characters kept), joined with
// "&"; no parameters gives "catalog:all". Built in exactly one place: here.
class CacheKey {
 public:
  // Parameters with no values are dropped; repeated names are merged.
  static CacheKey ForCatalog(std::vector<CanonicalParam> params);
  // Adopts a stored key (e.g. read back from the registry); nullopt when it is not a catalog key.
  static std::optional<CacheKey> FromString(std::string_view text);

  const std::string& str() const { return text_; }
  friend bool operator==(const CacheKey&, const CacheKey&) = default;

 private:
  explicit CacheKey(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

// The inverse of CacheKey::ForCatalog: nullopt for text that is not a well-formed catalog key.
std::optional<KeyParams> ParseCatalogKey(std::string_view key);

}  // namespace vitrina::cache::core
