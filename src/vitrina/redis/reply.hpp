#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vitrina::redis {

// The arguments of one Redis command, binary-safe ("SET", key, value...).
using RedisArgs = std::vector<std::string>;

// A Redis reply, copied out of hiredis so no hiredis type leaves the adapter. An error reply
// ("-ERR ...", "-MOVED ...") is a value of type kError: transport failures are base::Error instead.
struct RedisReply {
  enum class Type { kNil, kString, kStatus, kInteger, kArray, kError };

  Type type = Type::kNil;
  std::string text;  // kString, kStatus, kError
  std::int64_t integer = 0;
  std::vector<RedisReply> elements;

  bool IsNil() const { return type == Type::kNil; }
  bool IsError() const { return type == Type::kError; }
};

}  // namespace vitrina::redis
