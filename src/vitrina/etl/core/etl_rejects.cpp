#include "vitrina/etl/core/etl_rejects.hpp"

#include <algorithm>

#include "vitrina/base/text.hpp"

namespace vitrina::etl::core {

void RejectTally::Add(std::string_view reason) {
  ++total_;
  auto found = counts_.find(reason);
  if (found != counts_.end()) {
    ++found->second;
  } else if (counts_.size() < max_reasons_) {
    counts_.emplace(std::string(reason), 1);
  } else {
    ++counts_["other"];
  }
}

std::vector<std::pair<std::string, std::int64_t>> RejectTally::Top(std::size_t n) const {
  std::vector<std::pair<std::string, std::int64_t>> all(counts_.begin(), counts_.end());
  std::stable_sort(all.begin(), all.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (all.size() > n) all.resize(n);
  return all;
}

namespace {

// Length of the valid UTF-8 sequence starting at text[at], or 0 when it is not one.
std::size_t Utf8SequenceLength(std::string_view text, std::size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  std::size_t length = 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  return base::IsValidUtf8(text.substr(at, length)) ? length : 0;
}

}  // namespace

std::string StorableRawRecord(std::string_view raw, std::size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  const bool cut = raw.size() > max_bytes;
  if (cut) raw = raw.substr(0, max_bytes);
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size();) {
    const auto byte = static_cast<unsigned char>(raw[i]);
    if (byte != 0 && byte < 0x80) {
      out += raw[i++];
      continue;
    }
    const std::size_t length = byte == 0 ? 0 : Utf8SequenceLength(raw, i);
    if (length > 0) {
      out.append(raw.substr(i, length));
      i += length;
    } else {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0F];
      ++i;
    }
  }
  if (cut) out += "... [cut at " + std::to_string(max_bytes) + " bytes]";
  return out;
}

}  // namespace vitrina::etl::core
