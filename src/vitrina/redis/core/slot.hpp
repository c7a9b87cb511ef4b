#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vitrina::redis::core {

inline constexpr int kRedisSlotCount = 16384;

// CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), the checksum Redis Cluster uses.
std::uint16_t Crc16(std::string_view data);

// The cluster hash slot of a key: CRC16 of the hash tag (the text between the first '{' and the
// next '}', when non-empty) or of the whole key, modulo 16384.
int KeySlot(std::string_view key);

// The key a command addresses, which decides its slot: the first key argument of the commands
// Vitrina sends (GET, SET, DEL, SADD, SMEMBERS, EXPIRE, EVAL/EVALSHA with at least one key...).
// nullopt for keyless commands (PING, CLUSTER ...), which any node can answer.
std::optional<std::string_view> CommandKey(const std::vector<std::string>& args);

// A cluster redirection parsed from an error reply: "MOVED 3999 127.0.0.1:6381" or
// "ASK 3999 127.0.0.1:6381".
struct RedisRedirect {
  bool ask = false;  // ASK: this one command only; MOVED: the slot has a new owner
  int slot = 0;
  std::string host;
  int port = 0;
};
std::optional<RedisRedirect> ParseRedirect(std::string_view error);

}  // namespace vitrina::redis::core
