#include "vitrina/base/trace_context.hpp"

#include <random>

namespace vitrina::base {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

template <std::size_t N>
bool CopyHex(std::string_view text, std::array<char, N>& out) {
  if (text.size() != N) return false;
  bool all_zero = true;
  for (std::size_t i = 0; i < N; ++i) {
    if (!IsLowerHex(text[i])) return false;
    all_zero = all_zero && text[i] == '0';
    out[i] = text[i];
  }
  return !all_zero;
}

int HexValue(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

// xoshiro256** (Blackman & Vigna): fast, good statistical quality, 32 bytes of state.
class Xoshiro256 {
 public:
  Xoshiro256() {
    std::random_device device;
    for (auto& word : state_) {
      word = (static_cast<std::uint64_t>(device()) << 32) ^ device();
    }
    if ((state_[0] | state_[1] | state_[2] | state_[3]) == 0) state_[0] = 1;
  }

  std::uint64_t Next() {
    const std::uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> state_{};
};

std::uint64_t NextNonZero() {
  thread_local Xoshiro256 generator;
  std::uint64_t value = 0;
  while (value == 0) value = generator.Next();
  return value;
}

void WriteHex(std::uint64_t value, char* out) {
  for (int i = 15; i >= 0; --i) {
    out[i] = kHexDigits[value & 0xF];
    value >>= 4;
  }
}

}  // namespace

std::optional<TraceParent> ParseTraceparent(std::string_view header) {
  // version(2) '-' trace-id(32) '-' parent-id(16) '-' flags(2) = 55 characters.
  constexpr std::size_t kLength = 55;
  if (header.size() < kLength || header[2] != '-' || header[35] != '-' || header[52] != '-') {
    return std::nullopt;
  }
  const std::string_view version = header.substr(0, 2);
  if (!IsLowerHex(version[0]) || !IsLowerHex(version[1]) || version == "ff") return std::nullopt;
  if (version == "00" ? header.size() != kLength
                      : header.size() > kLength && header[kLength] != '-') {
    return std::nullopt;
  }
  TraceParent parsed;
  if (!CopyHex(header.substr(3, 32), parsed.trace_id.hex)) return std::nullopt;
  if (!CopyHex(header.substr(36, 16), parsed.parent_id.hex)) return std::nullopt;
  const std::string_view flags = header.substr(53, 2);
  if (!IsLowerHex(flags[0]) || !IsLowerHex(flags[1])) return std::nullopt;
  parsed.flags = static_cast<std::uint8_t>(HexValue(flags[0]) * 16 + HexValue(flags[1]));
  return parsed;
}

std::string FormatTraceparent(const TraceId& trace_id, const SpanId& span_id, std::uint8_t flags) {
  std::string text;
  text.reserve(55);
  text += "00-";
  text += trace_id.View();
  text += '-';
  text += span_id.View();
  text += '-';
  text += kHexDigits[flags >> 4];
  text += kHexDigits[flags & 0xF];
  return text;
}

std::string TraceContext::OutgoingTraceparent() const {
  return FormatTraceparent(trace_id, span_id, flags);
}

TraceId NewTraceId() {
  TraceId id;
  WriteHex(NextNonZero(), id.hex.data());
  WriteHex(NextNonZero(), id.hex.data() + 16);
  return id;
}

SpanId NewSpanId() {
  SpanId id;
  WriteHex(NextNonZero(), id.hex.data());
  return id;
}

}  // namespace vitrina::base
