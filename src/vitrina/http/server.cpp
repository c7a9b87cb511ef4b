// The only translation unit that includes Beast: each one costs 15-20 s to compile, and handlers
// see plain Request/Response values instead.
// At -O3 g++ 12 reports a false -Wnull-dereference inside Asio's scheduler (Boost's code, inlined
// here). The pragma must come before the first Asio include to cover it.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "vitrina/http/server.hpp"

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <list>
#include <memory>
#include <optional>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <thread>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "vitrina/http/core/error_response.hpp"
#include "vitrina/http/core/framing.hpp"
#include "vitrina/http/core/response_head.hpp"

namespace vitrina::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::awaitable;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t kHeaderLimit = 16 * 1024;

core::Method ToMethod(bhttp::verb verb) {
  switch (verb) {
    case bhttp::verb::get:
      return core::Method::kGet;
    case bhttp::verb::head:
      return core::Method::kHead;
    case bhttp::verb::post:
      return core::Method::kPost;
    case bhttp::verb::put:
      return core::Method::kPut;
    case bhttp::verb::patch:
      return core::Method::kPatch;
    case bhttp::verb::delete_:
      return core::Method::kDelete;
    case bhttp::verb::options:
      return core::Method::kOptions;
    default:
      return core::Method::kOther;
  }
}

core::Request ToRequest(bhttp::request<bhttp::string_body>&& message) {
  core::Request request;
  request.method = ToMethod(message.method());
  request.method_text = std::string(message.method_string());
  const std::string_view target = message.target();
  const auto question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  request.headers.reserve(8);
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.body = std::move(message.body());
  return request;
}

// The framing facts of a parsed header (core::CheckFraming decides).
core::RequestFraming FramingOf(const bhttp::request<bhttp::string_body>& message) {
  core::RequestFraming framing;
  framing.version = message.version();
  for (const auto& field : message) {
    if (field.name() == bhttp::field::transfer_encoding) {
      framing.transfer_codings.push_back(field.value());
    } else if (field.name() == bhttp::field::content_length) {
      framing.has_content_length = true;
    } else if (field.name() == bhttp::field::host) {
      ++framing.host_fields;
    }
  }
  return framing;
}

std::string_view HeaderOf(const core::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return {};
}

// Read once per connection; an IPv4 client of a dual-stack listener is shown as IPv4.
std::string PeerAddress(const tcp::socket& socket) {
  boost::system::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return {};
  const auto address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

// Content-Length for a body of `size` bytes: none for 1xx, 204 and 304, which carry no
// Content-Length of their own (RFC 9110 section 8.6).
std::optional<std::size_t> ContentLengthFor(unsigned status, std::size_t size) {
  if (status < 200 || status == 204 || status == 304) return std::nullopt;
  return size;
}

// `head` becomes the status line and header section of an answer whose body is `body_size`
// bytes (sent from memory or a file, or left out for HEAD).
void WriteSizedHead(std::string& head, const core::Response& response, std::size_t body_size,
                    unsigned version, bool keep) {
  head.clear();
  core::AppendResponseHead(head, response,
                           {.version = version,
                            .keep_alive = keep,
                            .content_length = ContentLengthFor(response.status, body_size)});
}

// Accept failures, logged at most once per interval with how many there were since the last line.
class AcceptErrors {
 public:
  void Count(const std::string& error, const ServerEvents& events,
             std::chrono::milliseconds interval) {
    ++unlogged_;
    const auto now = Clock::now();
    if (logged_once_ && now - last_logged_ < interval) return;
    events.error("accept failed: " + error + " (" + std::to_string(unlogged_) +
                 (unlogged_ == 1 ? " time" : " times") + " since the last report)");
    unlogged_ = 0;
    last_logged_ = now;
    logged_once_ = true;
  }

 private:
  std::uint64_t unlogged_ = 0;
  Clock::time_point last_logged_{};
  bool logged_once_ = false;
};

// Raises the soft limit on open files to the hard one (a container's default soft limit can be
// as low as 1024) and returns the limit in force.
rlim_t RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return raised.rlim_cur;
  }
  return limit.rlim_cur;
}

// One per connection; lives in its session's coroutine frame and is listed in its shard so a
// shutdown can close the connections that are only waiting for a next request.
struct SessionEntry {
  beast::tcp_stream* stream = nullptr;
  bool idle = true;
};

// Everything one I/O thread owns. Only that thread touches it (shutdown posts to it).
struct Shard {
  asio::io_context context{1};
  std::list<SessionEntry*> sessions;
  bool draining = false;
};

}  // namespace

class Server::Impl {
 public:
  explicit Impl(ServerSettings settings) : settings_(std::move(settings)) {
    for (int i = 0; i < std::max(1, settings_.threads); ++i) {
      shards_.push_back(std::make_unique<Shard>());
    }
  }

  std::vector<asio::any_io_executor> Executors() const {
    std::vector<asio::any_io_executor> executors;
    for (const auto& shard : shards_) executors.push_back(shard->context.get_executor());
    return executors;
  }

  base::Result<ShutdownOutcome> Run(const core::Pipeline& pipeline, const ServerEvents& events) {
    pipeline_ = &pipeline;
    events_ = &events;
    // sendfile(2) has no MSG_NOSIGNAL: a client gone mid-send must be an EPIPE error, not a
    // SIGPIPE that kills the process.
    std::signal(SIGPIPE, SIG_IGN);
    const rlim_t open_files = RaiseOpenFileLimit();
    Shard& main = *shards_.front();
    tcp::acceptor acceptor(main.context);
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(settings_.host, ec);
    if (ec) {
      return base::MakeError(base::ErrorCode::kInvalidArgument,
                             "HOST='" + settings_.host + "' is not an IP address");
    }
    const tcp::endpoint endpoint(address, settings_.port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return base::MakeError(base::ErrorCode::kUnavailable,
                             "cannot listen on " + settings_.host + ":" +
                                 std::to_string(settings_.port) + ": " + ec.message());
    }

    asio::signal_set signals(main.context, SIGINT, SIGTERM);
    signals.async_wait([this, &acceptor](const boost::system::error_code& error, int signal) {
      if (error) return;
      events_->info("received signal " + std::to_string(signal) + ", draining");
      acceptor.close();
      BeginDrain();
    });
    asio::co_spawn(main.context, Accept(acceptor), [this](const std::exception_ptr& failure) {
      if (failure) Report(failure, "accept loop");
    });
    events_->info("listening on http://" + settings_.host + ":" + std::to_string(settings_.port) +
                  " with " + std::to_string(shards_.size()) + " I/O threads, at most " +
                  std::to_string(settings_.max_connections) + " connections, open files limit " +
                  std::to_string(open_files));

    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < shards_.size(); ++i) {
      threads.emplace_back([shard = shards_[i].get()] {
        auto guard = asio::make_work_guard(shard->context);  // idle threads wait for sessions
        shard->context.run();
      });
    }
    main.context.run();
    for (auto& shard : shards_) shard->context.stop();
    for (auto& thread : threads) thread.join();
    return forced_ ? ShutdownOutcome::kForced : ShutdownOutcome::kClean;
  }

 private:
  awaitable<void> Accept(tcp::acceptor& acceptor) {
    std::size_t next = 0;
    asio::steady_timer pause(co_await asio::this_coro::executor);
    AcceptErrors errors;
    while (acceptor.is_open()) {
      // At the cap, leave new connections in the backlog until a session ends.
      while (active_sessions_.load() >= settings_.max_connections && acceptor.is_open()) {
        pause.expires_after(std::chrono::milliseconds(10));
        (void)co_await pause.async_wait(kTuple);
      }
      Shard& shard = *shards_[next];
      next = (next + 1) % shards_.size();
      auto [ec, socket] = co_await acceptor.async_accept(shard.context, kTuple);
      if (ec) {
        if (!acceptor.is_open()) co_return;
        // Out of descriptors the failure repeats at once until one is freed: retrying at full
        // speed would only burn a core (and, logged, the disk). Told apart by the errno value
        // (accept's errors are the system's), and logged without asking the category for a
        // message, which may need a descriptor there is none of.
        const int value = ec.value();
        if (value == EMFILE || value == ENFILE) {
          errors.Count(value == EMFILE ? "Too many open files" : "Too many open files in system",
                       *events_, settings_.accept_error_log_interval);
          pause.expires_after(settings_.accept_backoff);
          (void)co_await pause.async_wait(kTuple);
          continue;
        }
        if (ec == asio::error::operation_aborted) co_return;
        errors.Count(ec.message(), *events_, settings_.accept_error_log_interval);
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      active_sessions_.fetch_add(1);
      asio::co_spawn(shard.context, Session(shard, beast::tcp_stream(std::move(socket))),
                     [this](const std::exception_ptr& failure) {
                       active_sessions_.fetch_sub(1);
                       if (failure) Report(failure, "session");
                     });
    }
  }

  awaitable<void> Session(Shard& shard, beast::tcp_stream stream) {
    SessionEntry entry{&stream, true};
    shard.sessions.push_front(&entry);
    const auto listed = shard.sessions.begin();
    struct Unlist {
      Shard& shard;
      std::list<SessionEntry*>::iterator position;
      ~Unlist() { shard.sessions.erase(position); }
    } unlist{shard, listed};

    const std::string peer_address = PeerAddress(stream.socket());
    beast::flat_buffer buffer;
    std::string head_buffer;  // each response's status line and header fields, reused
    head_buffer.reserve(1024);
    while (!shard.draining) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(kHeaderLimit);
      parser.body_limit(settings_.body_limit);
      entry.idle = buffer.size() == 0;
      stream.expires_after(settings_.request_timeout);
      // The header first: a message that cannot be framed without ambiguity is refused before
      // any of its body is read (request smuggling behind a proxy).
      auto [read_error, read_bytes] =
          co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
      entry.idle = false;
      if (!read_error) {
        if (auto refusal = core::CheckFraming(FramingOf(parser.get()))) {
          co_await RefuseAndClose(stream, parser, *refusal);
          break;
        }
        if (!parser.is_done()) {
          std::tie(read_error, read_bytes) =
              co_await bhttp::async_read(stream, buffer, parser, kTuple);
        }
      }
      if (read_error) {
        if (read_error == bhttp::error::body_limit) {
          co_await RefuseAndClose(
              stream, parser,
              base::MakeError(base::ErrorCode::kPayloadTooLarge,
                              "the request body is larger than " +
                                  std::to_string(settings_.body_limit) + " bytes"));
        } else if (read_error.category() ==
                       bhttp::make_error_code(bhttp::error::end_of_stream).category() &&
                   read_error != bhttp::error::end_of_stream &&
                   read_error != bhttp::error::partial_message) {
          co_await RefuseAndClose(
              stream, parser,
              base::MakeError(base::ErrorCode::kInvalidArgument, "malformed HTTP request"));
        }
        break;  // closed by the client, timed out, or cancelled by a shutdown
      }
      auto message = parser.release();
      const unsigned version = message.version();
      const bool keep_alive = message.keep_alive();
      core::Request request = ToRequest(std::move(message));
      request.peer_address = peer_address;
      core::Response response = co_await pipeline_->Handle(request);
      // A draining server answers what it has and then closes the connection.
      const bool keep = keep_alive && !shard.draining;
      const bool head = request.method == core::Method::kHead;
      const bool from_file =
          response.body_file && !head && response.body_file->size() == response.Body().size();
      // Not a conditional expression: g++ 12 miscompiles nested co_awaits inside one.
      boost::system::error_code write_error;
      if (response.body_stream) {
        // HTTP/1.0 has no chunked coding: the end of the body is the end of the connection.
        const bool keep_streaming = keep && version >= 11;
        if (head) {
          write_error = co_await WriteStreamHead(stream, response, version, keep_streaming);
        } else {
          write_error = co_await WriteStream(stream, response, version, keep_streaming);
        }
        response.body_stream.reset();  // releases what the producer holds before the next read
        if (write_error || !keep_streaming) break;
        continue;
      }
      if (head) {
        write_error = co_await WriteHead(stream, head_buffer, response, version, keep);
      } else if (from_file) {
        write_error = co_await WriteFromFile(stream, head_buffer, response, version, keep);
      } else {
        write_error = co_await Write(stream, head_buffer, response, version, keep);
      }
      if (write_error || !keep) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // The head and the body in memory, in one sendmsg when the socket's buffer takes them (a
  // cached answer's usual case: no asynchronous operation, no timer); the rest, if any, as the
  // socket drains. The head is written into the session's buffer, reused from one response to
  // the next.
  awaitable<boost::system::error_code> Write(beast::tcp_stream& stream, std::string& head,
                                             const core::Response& response, unsigned version,
                                             bool keep) {
    // 1xx, 204 and 304 have no body (RFC 9110 section 6.4.1), whatever the handler produced.
    const bool bodiless = response.status < 200 || response.status == 204 || response.status == 304;
    const std::string_view body = bodiless ? std::string_view() : response.Body();
    WriteSizedHead(head, response, body.size(), version, keep);
    co_return co_await SendGathered(stream.socket(), head, body);
  }

  // A HEAD answer: the header a GET would have sent, Content-Length included, and no body
  // (RFC 9110 section 9.3.2), whatever the handler produced; a body here would be read by the
  // client, or a proxy reusing the connection, as the start of the next response.
  awaitable<boost::system::error_code> WriteHead(beast::tcp_stream& stream, std::string& head,
                                                 const core::Response& response, unsigned version,
                                                 bool keep) {
    WriteSizedHead(head, response, response.Body().size(), version, keep);
    co_return co_await SendGathered(stream.socket(), head, {});
  }

  // `head` then `body`, gathered, with non-blocking sendmsg calls (SendNonBlocking waits when
  // the socket's buffer is full).
  awaitable<boost::system::error_code> SendGathered(tcp::socket& socket, std::string_view head,
                                                    std::string_view body) {
    boost::system::error_code error;
    if (!socket.native_non_blocking()) socket.native_non_blocking(true, error);
    if (error) co_return error;
    const int fd = socket.native_handle();
    std::size_t sent_total = 0;
    const std::size_t total = head.size() + body.size();
    co_return co_await SendNonBlocking(socket, [&]() -> ssize_t {
      if (sent_total == total) return 0;
      std::array<iovec, 2> parts{};
      std::size_t count = 0;
      if (sent_total < head.size()) {
        parts[count++] = {const_cast<char*>(head.data() + sent_total), head.size() - sent_total};
      }
      const std::size_t body_sent = sent_total > head.size() ? sent_total - head.size() : 0;
      if (body_sent < body.size()) {
        parts[count++] = {const_cast<char*>(body.data() + body_sent), body.size() - body_sent};
      }
      msghdr message{};
      message.msg_iov = parts.data();
      message.msg_iovlen = count;
      const auto sent = ::sendmsg(fd, &message, MSG_NOSIGNAL);
      if (sent > 0) sent_total += static_cast<std::size_t>(sent);
      return sent;
    });
  }

  // The header of a streamed answer: no Content-Length (the length is not known before the end),
  // `Transfer-Encoding: chunked` on HTTP/1.1, and on HTTP/1.0 `Connection: close`.
  static std::string StreamHeaderText(const core::Response& response, unsigned version, bool keep) {
    std::string head;
    core::AppendResponseHead(head, response,
                             {.version = version,
                              .keep_alive = keep,
                              .content_length = std::nullopt,
                              .chunked = version >= 11});
    return head;
  }

  // HEAD of a streamed answer: the header a GET would have sent, and the producer is dropped
  // unasked (its destructor releases the query).
  awaitable<boost::system::error_code> WriteStreamHead(beast::tcp_stream& stream,
                                                       const core::Response& response,
                                                       unsigned version, bool keep) {
    const std::string header = StreamHeaderText(response, version, keep);
    co_return co_await SendGathered(stream.socket(), header, {});
  }

  // A streamed body: each piece is asked for only after the previous one was written (the
  // backpressure: a slow client slows the producer, nothing piles up here). The header leaves
  // with the first piece, so a producer that fails before producing anything still gets a
  // proper error answer. A failure after that cuts the body short and closes the connection (an
  // unterminated chunked body is how the client learns it). Each write is bounded by the request
  // timeout (a client that stopped reading); waiting for the producer is the producer's to bound.
  awaitable<boost::system::error_code> WriteStream(beast::tcp_stream& stream,
                                                   const core::Response& response, unsigned version,
                                                   bool keep) {
    const bool chunked = version >= 11;
    std::string header = StreamHeaderText(response, version, keep);
    core::BodyStream& body = *response.body_stream;
    for (;;) {
      auto piece = co_await body.Next();
      if (!piece.ok()) {
        if (!header.empty()) {
          auto failure = core::ErrorResponse(piece.error());
          failure.headers.emplace_back("X-Request-Id",
                                       std::string(HeaderOf(response, "X-Request-Id")));
          std::string failure_head;
          (void)co_await Write(stream, failure_head, failure, version, false);
        }
        co_return asio::error::make_error_code(asio::error::connection_aborted);
      }
      const bool last = piece->empty();
      std::string size_line;
      std::array<asio::const_buffer, 4> buffers{};
      std::size_t count = 0;
      if (!header.empty()) buffers[count++] = asio::buffer(header);
      if (!last) {
        if (chunked) {
          size_line = core::ChunkSizeLine(piece->size());
          buffers[count++] = asio::buffer(size_line);
        }
        buffers[count++] = asio::buffer(*piece);
        if (chunked) buffers[count++] = asio::buffer(core::kChunkEnd);
      } else if (chunked) {
        buffers[count++] = asio::buffer(core::kLastChunk);
      }
      stream.expires_after(settings_.request_timeout);
      // The unused entries are empty buffers, which write nothing.
      auto [error, written] = co_await asio::async_write(stream, buffers, kTuple);
      stream.expires_never();  // waiting for the producer is not the client's time
      if (error) co_return error;
      header.clear();
      if (last) co_return boost::system::error_code{};
    }
  }

  // The body with sendfile(2) straight from the response's file: the kernel reads the pages
  // itself instead of copying them out of this process at each send. The header goes first with
  // MSG_MORE, so it leaves in the same segment as the body's first bytes.
  awaitable<boost::system::error_code> WriteFromFile(beast::tcp_stream& stream, std::string& header,
                                                     const core::Response& response,
                                                     unsigned version, bool keep) {
    WriteSizedHead(header, response, response.body_file->size(), version, keep);
    auto& socket = stream.socket();
    boost::system::error_code error;
    if (!socket.native_non_blocking()) socket.native_non_blocking(true, error);
    if (error) co_return error;
    const int fd = socket.native_handle();
    std::size_t header_sent = 0;
    error = co_await SendNonBlocking(socket, [&]() -> ssize_t {
      if (header_sent == header.size()) return 0;
      const auto sent = ::send(fd, header.data() + header_sent, header.size() - header_sent,
                               MSG_MORE | MSG_NOSIGNAL);
      if (sent > 0) header_sent += static_cast<std::size_t>(sent);
      return sent;
    });
    if (error) co_return error;
    const core::BodyFile& file = *response.body_file;
    off_t offset = 0;
    const auto size = static_cast<off_t>(file.size());
    co_return co_await SendNonBlocking(socket, [&]() -> ssize_t {
      if (offset == size) return 0;
      const auto sent =
          ::sendfile(fd, file.descriptor(), &offset, static_cast<std::size_t>(size - offset));
      return sent == 0 ? -2 : sent;  // 0 before the end: the file is shorter than it said
    });
  }

  // Repeats `step` (one non-blocking send: bytes sent, 0 when everything is sent, -1 with errno,
  // -2 when the source ended early), waiting whenever the socket's buffer is full; gives up when
  // it stays full for a whole request timeout (a client that stopped reading).
  template <class Step>
  awaitable<boost::system::error_code> SendNonBlocking(tcp::socket& socket, Step step) {
    std::optional<asio::steady_timer> deadline;
    for (;;) {
      const auto sent = step();
      if (sent > 0) continue;
      if (sent == 0) co_return boost::system::error_code{};
      if (sent == -2) co_return asio::error::make_error_code(asio::error::eof);
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        co_return boost::system::error_code(errno, boost::system::system_category());
      }
      if (!deadline) deadline.emplace(socket.get_executor());
      deadline->expires_after(settings_.request_timeout);
      // If the timer fires just as the socket becomes writable, its handler is already queued and
      // cancel() cannot stop it: the flag keeps it from cancelling a later operation (or touching
      // the socket after the session ended).
      auto waiting = std::make_shared<bool>(true);
      deadline->async_wait([&socket, waiting](const boost::system::error_code& expired) {
        if (!expired && *waiting) socket.cancel();
      });
      auto [wait_error] = co_await socket.async_wait(tcp::socket::wait_write, kTuple);
      *waiting = false;
      deadline->cancel();
      if (wait_error) co_return wait_error;
    }
  }

  // Answers an unreadable request, then reads (and drops) what the client is still sending for a
  // moment before closing: closing with unread data makes the kernel send a reset that can
  // destroy the answer before the client reads it.
  awaitable<void> RefuseAndClose(beast::tcp_stream& stream,
                                 bhttp::request_parser<bhttp::string_body>& parser,
                                 const base::Error& error) {
    const unsigned version = parser.is_header_done() ? parser.get().version() : 11;
    const core::Response response = core::ErrorResponse(error);
    std::string head;
    (void)co_await Write(stream, head, response, version, false);
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    std::array<char, std::size_t{16} * 1024> sink{};
    stream.expires_after(std::chrono::seconds(1));
    std::size_t drained = 0;
    while (drained < 64 * settings_.body_limit + std::size_t{1024} * 1024) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kTuple);
      if (ec) break;
      drained += n;
    }
  }

  void BeginDrain() {
    const auto deadline = Clock::now() + settings_.shutdown_grace;
    for (auto& shard : shards_) {
      asio::post(shard->context, [shard = shard.get()] {
        shard->draining = true;
        for (auto* entry : shard->sessions) {
          if (entry->idle) entry->stream->cancel();  // waiting for a request that may never come
        }
      });
    }
    asio::co_spawn(shards_.front()->context, AwaitDrained(deadline), asio::detached);
  }

  awaitable<void> AwaitDrained(Clock::time_point deadline) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (active_sessions_.load() > 0 && Clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(20));
      (void)co_await timer.async_wait(kTuple);
    }
    forced_ = active_sessions_.load() > 0;
    events_->info(forced_ ? "shutdown grace period over with requests still running"
                          : "all connections closed");
    for (auto& shard : shards_) shard->context.stop();
  }

  void Report(std::exception_ptr failure, std::string_view where) {
    try {
      std::rethrow_exception(std::move(failure));
    } catch (const std::exception& error) {
      events_->error(std::string(where) + " failed: " + error.what());
    } catch (...) {
      events_->error(std::string(where) + " failed with an unknown exception");
    }
  }

  ServerSettings settings_;
  std::vector<std::unique_ptr<Shard>> shards_;
  const core::Pipeline* pipeline_ = nullptr;
  const ServerEvents* events_ = nullptr;
  std::atomic<int> active_sessions_{0};
  bool forced_ = false;
};

Server::Server(ServerSettings settings) : impl_(std::make_unique<Impl>(std::move(settings))) {}
Server::~Server() = default;

std::vector<asio::any_io_executor> Server::Executors() const { return impl_->Executors(); }

base::Result<ShutdownOutcome> Server::Run(const core::Pipeline& pipeline,
                                          const ServerEvents& events) {
  return impl_->Run(pipeline, events);
}

}  // namespace vitrina::http
