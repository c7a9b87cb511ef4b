#include "vitrina/redis/core/slot.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace vitrina::redis::core {
namespace {

constexpr std::array<std::uint16_t, 256> MakeCrc16Table() {
  std::array<std::uint16_t, 256> table{};
  for (unsigned i = 0; i < 256; ++i) {
    unsigned crc = i << 8;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 0x8000U) ? (crc << 1) ^ 0x1021U : crc << 1;
    table[i] = static_cast<std::uint16_t>(crc & 0xFFFFU);
  }
  return table;
}
constexpr auto kCrc16Table = MakeCrc16Table();

std::string Upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

std::optional<int> ParseInt(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::uint16_t Crc16(std::string_view data) {
  std::uint16_t crc = 0;
  for (const char c : data) {
    const auto index = static_cast<std::uint8_t>((crc >> 8) ^ static_cast<std::uint8_t>(c));
    crc = static_cast<std::uint16_t>((crc << 8) ^ kCrc16Table[index]);
  }
  return crc;
}

int KeySlot(std::string_view key) {
  const auto open = key.find('{');
  if (open != std::string_view::npos) {
    const auto close = key.find('}', open + 1);
    if (close != std::string_view::npos && close > open + 1) {
      key = key.substr(open + 1, close - open - 1);
    }
  }
  return Crc16(key) % kRedisSlotCount;
}

std::optional<std::string_view> CommandKey(const std::vector<std::string>& args) {
  if (args.size() < 2) return std::nullopt;
  const auto name = Upper(args[0]);
  if (name == "EVAL" || name == "EVALSHA") {
    if (args.size() < 4 || args[2] == "0") return std::nullopt;
    return args[3];
  }
  if (name == "PING" || name == "CLUSTER" || name == "INFO" || name == "ASKING" ||
      name == "CLIENT" || name == "DEBUG" || name == "FLUSHALL" || name == "DBSIZE" ||
      name == "SCRIPT") {
    return std::nullopt;
  }
  return args[1];
}

std::optional<RedisRedirect> ParseRedirect(std::string_view error) {
  RedisRedirect redirect;
  if (error.starts_with("MOVED ")) {
    error.remove_prefix(6);
  } else if (error.starts_with("ASK ")) {
    redirect.ask = true;
    error.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  const auto space = error.find(' ');
  const auto colon = error.rfind(':');
  if (space == std::string_view::npos || colon == std::string_view::npos || colon < space) {
    return std::nullopt;
  }
  const auto slot = ParseInt(error.substr(0, space));
  const auto port = ParseInt(error.substr(colon + 1));
  if (!slot || !port || *slot < 0 || *slot >= kRedisSlotCount) return std::nullopt;
  redirect.slot = *slot;
  redirect.host = std::string(error.substr(space + 1, colon - space - 1));
  redirect.port = *port;
  return redirect;
}

}  // namespace vitrina::redis::core
