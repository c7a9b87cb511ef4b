#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vitrina::catalog::core {

// Pagination cursors are opaque to clients: base64url (no padding) of a versioned text. Decoding
// accepts only the exact text the encoder produces, so one position has one cursor (which keeps
// cache keys canonical).
//   v1 "v1:<last id>": the default order (by id, ascending); unchanged since the first release,
//      so cursors clients hold keep working.
//   v2 "v2:<sort>:<JSON array>": any other order. <sort> is the query's canonical sort
//      ("-price,carat", "-id"), so a cursor only continues the order it came from; the array
//      holds the last item's sort values in their canonical text (FieldValueText; null for
//      NULL), then its id as a number: v2:-price,carat:["18823","2.29",27750].
std::string EncodeCursor(std::int64_t last_id);

// The last id of the previous page, or nullopt for anything EncodeCursor could not have produced.
std::optional<std::int64_t> DecodeCursor(std::string_view cursor);

// A v2 cursor in parts. The values are texts as the encoder wrote them; the query parser types
// them per column and re-encodes them to reject a second spelling of the same value ("1.50").
struct SortedCursor {
  std::string sort;
  std::vector<std::optional<std::string>> values;  // nullopt: the item's value was NULL
  std::int64_t last_id = 0;

  bool operator==(const SortedCursor&) const = default;
};

std::string EncodeSortedCursor(const SortedCursor& cursor);

// nullopt for anything that is not a well-formed v2 cursor in the encoder's exact spelling.
std::optional<SortedCursor> DecodeSortedCursor(std::string_view cursor);

// The longest cursor text accepted: a sort over several long text columns still fits.
inline constexpr std::size_t kMaxCursorLength = 4096;

}  // namespace vitrina::catalog::core
