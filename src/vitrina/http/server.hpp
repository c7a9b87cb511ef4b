#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "vitrina/base/result.hpp"
#include "vitrina/http/core/pipeline.hpp"

namespace vitrina::http {

struct ServerSettings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 2;  // one io_context per thread; connections are spread round-robin
  // Bounds reading a request (and waiting for the next one on a kept-alive connection) and
  // writing its response. The database applies the same bound to its own work.
  std::chrono::milliseconds request_timeout{10'000};
  std::size_t body_limit = std::size_t{1024} * 1024;
  // After SIGTERM/SIGINT, in-flight requests get this long to finish before the process gives up.
  std::chrono::milliseconds shutdown_grace{15'000};
  // Open connections at most (MAX_CONNECTIONS); at the cap the server stops accepting until one
  // closes, and new clients wait in the kernel's backlog. Also bounded by the open-file limit,
  // which Run() raises to its hard maximum.
  int max_connections = 10'000;
  // After the process ran out of file descriptors (EMFILE/ENFILE), accepting pauses this long,
  // and the failures are logged once per `accept_error_log_interval` with their count.
  std::chrono::milliseconds accept_backoff{50};
  std::chrono::milliseconds accept_error_log_interval{5'000};
};

// Server-level events for the composition root's logger (http itself does not log).
struct ServerEvents {
  std::function<void(std::string_view)> info = [](std::string_view) {};
  std::function<void(std::string_view)> error = [](std::string_view) {};
};

enum class ShutdownOutcome {
  kClean,   // every in-flight request finished
  kForced,  // the grace period ran out with requests still running
};

// HTTP/1.1 with keep-alive on Boost.Beast: one coroutine per connection owning its stream,
// requests handed to the Pipeline as plain data. Run() serves until SIGTERM or SIGINT, then
// stops accepting, lets in-flight requests finish (idle keep-alive connections are closed at
// once) and returns.
class Server {
 public:
  explicit Server(ServerSettings settings);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // One executor per I/O thread, for components (the database pool) that keep per-thread state.
  std::vector<boost::asio::any_io_executor> Executors() const;

  // Binds and serves; an error when the address cannot be bound.
  base::Result<ShutdownOutcome> Run(const core::Pipeline& pipeline, const ServerEvents& events);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vitrina::http
