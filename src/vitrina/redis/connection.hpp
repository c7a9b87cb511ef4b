#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "vitrina/base/result.hpp"
#include "vitrina/redis/core/address.hpp"
#include "vitrina/redis/reply.hpp"

namespace vitrina::redis {

struct RedisConnectionSettings {
  core::RedisAddress address;
  // How long a call may wait with no bytes moving between it and Redis. hiredis 0.14 has no
  // timeouts of its own, so a steady_timer enforces it; on expiry the connection is dropped (a late
  // reply would otherwise be read as the answer to a later command's question). It is an idle
  // timeout, not a total one: a large reply still arriving (the 7 MB full catalog takes longer than
  // 50 ms on a busy machine) is not cut off while bytes keep coming, up to transfer_timeout in
  // total.
  std::chrono::milliseconds command_timeout{50};
  std::chrono::milliseconds transfer_timeout{2000};
  // After a failed connect, calls fail fast for this long (doubling up to max) instead of
  // hammering a node that is down.
  std::chrono::milliseconds reconnect_backoff{50};
  std::chrono::milliseconds max_reconnect_backoff{1000};
};

// One hiredis asynchronous connection driven by Boost.Asio. Callable from any thread or coroutine:
// the hiredis context lives on a private strand and every call hops onto it. Connects lazily and
// reconnects on the next call after a failure. Transport failures and timeouts are
// base::ErrorCode::kUnavailable; Redis error replies are RedisReply values.
// Destroy it only after the coroutines using it have finished.
class RedisConnection {
 public:
  RedisConnection(const boost::asio::any_io_executor& executor, RedisConnectionSettings settings);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends the commands back to back (pipelined; nothing else is interleaved, which ASKING needs)
  // and returns their replies in order.
  boost::asio::awaitable<base::Result<std::vector<RedisReply>>> Pipeline(
      std::vector<RedisArgs> commands);
  boost::asio::awaitable<base::Result<RedisReply>> Command(RedisArgs args);

  const core::RedisAddress& address() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace vitrina::redis
