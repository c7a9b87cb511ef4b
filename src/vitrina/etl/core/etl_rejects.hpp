#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vitrina::etl::core {

// Counts rejected records by reason for the run summary. Reasons name columns and rules, not
// values, so there are few of them; past `max_reasons` distinct ones the rest count as "other".
class RejectTally {
 public:
  explicit RejectTally(std::size_t max_reasons = 1000) : max_reasons_(max_reasons) {}

  void Add(std::string_view reason);
  std::int64_t total() const { return total_; }
  // The `n` most frequent reasons, most frequent first (ties by reason text).
  std::vector<std::pair<std::string, std::int64_t>> Top(std::size_t n) const;

 private:
  std::size_t max_reasons_;
  std::int64_t total_ = 0;
  std::map<std::string, std::int64_t, std::less<>> counts_;
};

// The raw bytes of a rejected record made storable in a text column: invalid UTF-8 bytes and NUL
// become "\xNN", and anything past `max_bytes` is cut with a note, so one bad record can neither
// break the rejects COPY nor fill the table.
std::string StorableRawRecord(std::string_view raw, std::size_t max_bytes = std::size_t{64} * 1024);

}  // namespace vitrina::etl::core
