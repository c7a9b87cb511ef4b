#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "vitrina/base/access_token.hpp"
#include "vitrina/base/result.hpp"
#include "vitrina/redis/core/address.hpp"
#include "vitrina/redis/reply.hpp"

namespace vitrina::redis {

// TLS for rediss:// and REDIS_TLS=true. The server's certificate chain and its name are always
// verified; there is no switch to turn verification off.
struct RedisTlsSettings {
  bool enabled = false;
  std::string ca_file;      // REDIS_TLS_CA_FILE: trusted CAs (PEM); empty: the system's store
  std::string cert_file;    // REDIS_TLS_CERT_FILE: client certificate chain (PEM), if required
  std::string key_file;     // REDIS_TLS_KEY_FILE: its private key (PEM)
  std::string server_name;  // REDIS_TLS_SERVER_NAME: name sent as SNI and checked in the
                            // certificate instead of the node's host (nodes announced by IP)
};

struct RedisConnectionSettings {
  core::RedisAddress address;  // address.tls or tls.enabled: the connection is TLS
  RedisTlsSettings tls;
  // Entra ID (REDIS_AUTH=managed-identity, Azure Managed Redis): AUTH <object id> <token> instead
  // of the address's password, and again on the open connection whenever the source holds a new
  // token, since the server closes a connection whose token expired. Null: the password, if any.
  const base::AccessTokenSource* token = nullptr;
  // How long a call may wait with no bytes moving between it and Redis (connecting, the TLS
  // handshake and AUTH included). A steady_timer enforces it; on expiry the connection is dropped
  // (a late reply would otherwise be read as the answer to a later command's question). It is an
  // idle timeout, not a total one: a large reply still arriving (the 7 MB full catalog takes longer
  // than 50 ms on a busy machine) is not cut off while bytes keep coming, up to transfer_timeout in
  // total.
  std::chrono::milliseconds command_timeout{50};
  std::chrono::milliseconds transfer_timeout{2000};
  // After a failed connect, calls fail fast for this long (doubling up to max) instead of
  // hammering a node that is down.
  std::chrono::milliseconds reconnect_backoff{50};
  std::chrono::milliseconds max_reconnect_backoff{1000};
};

// One Redis connection, plain TCP or TLS, driven by Boost.Asio (hiredis only parses replies).
// Callable from any thread or coroutine: the socket lives on a private strand and every call hops
// onto it; concurrent calls are pipelined on the one connection. Connects lazily and reconnects on
// the next call after a failure. Transport failures and timeouts are
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
