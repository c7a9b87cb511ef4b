// The only translation unit that sees hiredis and OpenSSL. The socket (plain TCP, or TLS through
// Asio's SSL stream, since hiredis 0.14 has no TLS) is driven by Asio; hiredis's reader only
// parses the replies. Commands are written in RESP (core/resp.hpp) and pipelined: concurrent calls
// share the connection, and replies are matched to calls in the order the calls were sent.
#include "vitrina/redis/connection.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <hiredis/hiredis.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "vitrina/redis/core/resp.hpp"

namespace vitrina::redis {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using Strand = asio::strand<asio::any_io_executor>;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kReadBufferBytes = std::size_t{64} * 1024;

RedisReply ConvertReply(const redisReply& reply) {
  RedisReply out;
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = reply.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(reply.elements);
      for (std::size_t i = 0; i < reply.elements; ++i) {
        out.elements.push_back(ConvertReply(*reply.element[i]));
      }
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
struct ReaderDeleter {
  void operator()(redisReader* reader) const { redisReaderFree(reader); }
};

// The replies of one Pipeline call, or of the connection's own AUTH.
struct Batch {
  Batch(const Strand& strand, std::size_t count) : timer(strand), replies(count) {}
  bool Complete() const { return received == replies.size(); }

  asio::steady_timer timer;  // the caller waits on it; cancelled when the batch settles
  std::vector<RedisReply> replies;
  std::size_t received = 0;
  bool failed = false;
  std::string failure;
  bool is_login = false;  // an error reply to it fails the connection
};

base::Result<std::shared_ptr<ssl::context>> MakeTlsContext(const RedisTlsSettings& tls) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code error;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1,
                       error);
  if (tls.ca_file.empty()) {
    context->set_default_verify_paths(error);
  } else {
    context->load_verify_file(tls.ca_file, error);
  }
  if (error) {
    return base::MakeError(base::ErrorCode::kUnavailable, "cache unavailable",
                           "TLS trust store " +
                               (tls.ca_file.empty() ? std::string("(system)") : tls.ca_file) +
                               ": " + error.message());
  }
  if (!tls.cert_file.empty()) {
    context->use_certificate_chain_file(tls.cert_file, error);
    if (!error) {
      context->use_private_key_file(tls.key_file.empty() ? tls.cert_file : tls.key_file,
                                    ssl::context::pem, error);
    }
    if (error) {
      return base::MakeError(base::ErrorCode::kUnavailable, "cache unavailable",
                             "TLS client certificate " + tls.cert_file + ": " + error.message());
    }
  }
  context->set_verify_mode(ssl::verify_peer);
  return context;
}

// One TCP connection (and its TLS session, when there is one): opened once, failed once, never
// reused. Everything here runs on the connection's strand. Handlers hold a shared_ptr, so a
// connection that failed stays alive until its last pending operation completed.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(const Strand& strand, std::shared_ptr<ssl::context> tls_context)
      : strand_(strand),
        tls_context_(std::move(tls_context)),
        reader_(redisReaderCreate()),
        buffer_(kReadBufferBytes) {
    if (tls_context_) {
      tls_.emplace(strand_, *tls_context_);
    } else {
      plain_.emplace(strand_);
    }
  }

  // Connects (resolving the host if it is a name), shakes hands when TLS, then starts reading
  // and writing what callers queued meanwhile.
  static asio::awaitable<void> Open(std::shared_ptr<Session> self, std::string host, int port,
                                    std::string server_name) {
    auto endpoints = co_await self->Resolve(host, port);
    if (self->closed_ || endpoints.empty()) co_return;
    ++self->progress_;
    auto [connect_error, ignored_endpoint] = co_await asio::async_connect(
        self->Socket(), endpoints, asio::as_tuple(asio::use_awaitable));
    if (self->closed_) co_return;
    if (connect_error) {
      self->Fail("connect: " + connect_error.message());
      co_return;
    }
    ++self->progress_;
    boost::system::error_code ignored;
    self->Socket().set_option(tcp::no_delay(true), ignored);
    if (self->tls_) {
      const bool shook_hands = co_await self->Handshake(server_name);
      if (!shook_hands) co_return;
    }
    self->ready_ = true;
    self->StartRead();
    self->StartWrite();
  }

  // Queues a batch of commands; they are written as soon as the connection is ready.
  void Queue(const std::vector<RedisArgs>& commands, std::shared_ptr<Batch> batch) {
    for (const auto& command : commands) core::AppendCommand(out_, command);
    pending_.push_back(std::move(batch));
    StartWrite();
  }

  // Fails every batch waiting on this connection and closes it. Idempotent.
  void Fail(const std::string& reason) {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    Socket().close(ignored);  // pending reads and writes complete with operation_aborted
    for (auto& batch : pending_) {
      batch->failed = true;
      batch->failure = reason;
      batch->timer.cancel();
    }
    pending_.clear();
  }

  bool closed() const { return closed_; }
  bool was_ready() const { return ready_; }
  // Socket events handled so far: a call whose idle timeout expires while this still moves is
  // sending a large command or receiving a large reply, not waiting on a silent server.
  std::uint64_t progress() const { return progress_; }

  // Bytes already waiting in the socket count as progress too: on a busy machine the timer may
  // run before the read handler that was ready at the same time.
  bool Readable() {
    boost::system::error_code error;
    return !closed_ && Socket().available(error) > 0 && !error;
  }

 private:
  tcp::socket& Socket() { return tls_ ? tls_->next_layer() : *plain_; }

  asio::awaitable<std::vector<tcp::endpoint>> Resolve(const std::string& host, int port) {
    std::vector<tcp::endpoint> endpoints;
    boost::system::error_code error;
    const auto literal = asio::ip::make_address(host, error);
    if (!error) {
      endpoints.emplace_back(literal, static_cast<unsigned short>(port));
      co_return endpoints;
    }
    tcp::resolver resolver(strand_);
    auto [resolve_error, results] = co_await resolver.async_resolve(
        host, std::to_string(port), asio::as_tuple(asio::use_awaitable));
    if (closed_) co_return endpoints;
    if (resolve_error) {
      Fail("cannot resolve " + host + ": " + resolve_error.message());
      co_return endpoints;
    }
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    co_return endpoints;
  }

  // SNI and the name the certificate must carry: OpenSSL checks a host name against the
  // certificate's DNS names and an IP literal against its IP addresses (no SNI for IPs, RFC 6066).
  asio::awaitable<bool> Handshake(const std::string& server_name) {
    SSL* handle = tls_->native_handle();
    boost::system::error_code not_ip;
    asio::ip::make_address(server_name, not_ip);
    // SSL_set_tlsext_host_name is a macro over SSL_ctrl with a C cast; this is what it expands to.
    char* sni = const_cast<char*>(server_name.c_str());
    const bool named =
        not_ip
            ? SSL_ctrl(handle, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, sni) == 1 &&
                  SSL_set1_host(handle, server_name.c_str()) == 1
            : X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), server_name.c_str()) == 1;
    if (!named) {
      Fail("TLS: cannot verify the name '" + server_name + "'");
      co_return false;
    }
    auto [error] = co_await tls_->async_handshake(ssl::stream_base::client,
                                                  asio::as_tuple(asio::use_awaitable));
    if (closed_) co_return false;
    if (error) {
      const long verified = SSL_get_verify_result(handle);
      Fail("TLS handshake with " + server_name + " failed: " +
           (verified != X509_V_OK ? std::string("certificate not trusted (") +
                                        X509_verify_cert_error_string(verified) + ")"
                                  : error.message()));
      co_return false;
    }
    ++progress_;
    co_return true;
  }

  void StartRead() {
    auto on_read = [self = shared_from_this()](boost::system::error_code error, std::size_t bytes) {
      self->OnRead(error, bytes);
    };
    auto buffer = asio::buffer(buffer_);
    if (tls_) {
      tls_->async_read_some(buffer, std::move(on_read));
    } else {
      plain_->async_read_some(buffer, std::move(on_read));
    }
  }

  void OnRead(boost::system::error_code error, std::size_t bytes) {
    if (closed_) return;
    if (error) {
      const bool closed_by_peer =
          error == asio::error::eof || error == ssl::error::stream_truncated;
      Fail(closed_by_peer ? "connection closed by the server" : "read: " + error.message());
      return;
    }
    ++progress_;
    if (redisReaderFeed(reader_.get(), buffer_.data(), bytes) != REDIS_OK) {
      Fail("out of memory reading a reply");
      return;
    }
    for (;;) {
      void* raw = nullptr;
      if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK) {
        Fail(std::string("protocol error: ") + reader_->errstr);
        return;
      }
      if (raw == nullptr) break;
      const std::unique_ptr<redisReply, ReplyDeleter> reply(static_cast<redisReply*>(raw));
      if (!Deliver(*reply)) return;
    }
    StartRead();
  }

  // Hands a reply to the oldest batch still waiting; false when the connection failed.
  bool Deliver(const redisReply& reply) {
    if (pending_.empty()) {
      Fail("protocol error: a reply nobody asked for");
      return false;
    }
    Batch& batch = *pending_.front();
    batch.replies[batch.received++] = ConvertReply(reply);
    if (!batch.Complete()) return true;
    const std::shared_ptr<Batch> done = std::move(pending_.front());
    pending_.pop_front();
    if (done->is_login && done->replies.front().IsError()) {
      Fail("AUTH refused: " + done->replies.front().text);
      return false;
    }
    done->timer.cancel();
    return true;
  }

  void StartWrite() {
    if (!ready_ || writing_ || closed_ || out_.empty()) return;
    writing_ = true;
    sending_.swap(out_);
    out_.clear();
    auto on_written = [self = shared_from_this()](boost::system::error_code error, std::size_t) {
      self->writing_ = false;
      if (self->closed_) return;
      if (error) {
        self->Fail("write: " + error.message());
        return;
      }
      self->StartWrite();
    };
    // Counts each partial write as progress, so a large command is not mistaken for silence.
    auto counting = [this](boost::system::error_code error, std::size_t) -> std::size_t {
      ++progress_;
      return error ? 0 : kReadBufferBytes;
    };
    if (tls_) {
      asio::async_write(*tls_, asio::buffer(sending_), counting, std::move(on_written));
    } else {
      asio::async_write(*plain_, asio::buffer(sending_), counting, std::move(on_written));
    }
  }

  Strand strand_;
  std::shared_ptr<ssl::context> tls_context_;  // outlives tls_, which uses it
  std::optional<tcp::socket> plain_;
  std::optional<ssl::stream<tcp::socket>> tls_;
  std::unique_ptr<redisReader, ReaderDeleter> reader_;
  std::vector<char> buffer_;
  std::deque<std::shared_ptr<Batch>> pending_;  // in the order their commands were queued
  std::string out_;                             // queued, not yet handed to the socket
  std::string sending_;                         // being written
  bool writing_ = false;
  bool ready_ = false;
  bool closed_ = false;
  std::uint64_t progress_ = 0;
};

}  // namespace

class RedisConnection::Impl {
 public:
  Impl(const asio::any_io_executor& executor, RedisConnectionSettings settings)
      : strand_(asio::make_strand(executor)),
        settings_(std::move(settings)),
        backoff_(settings_.reconnect_backoff) {}

  ~Impl() {
    if (session_) session_->Fail("connection closed");
  }

  const core::RedisAddress& address() const { return settings_.address; }

  // Runs on strand_.
  asio::awaitable<base::Result<std::vector<RedisReply>>> Run(std::vector<RedisArgs> commands) {
    if (commands.empty()) co_return std::vector<RedisReply>{};
    if (auto status = EnsureSession(); !status.ok()) co_return status.error();
    const std::shared_ptr<Session> session = session_;
    if (auto status = QueueLogin(*session, false); !status.ok()) co_return status.error();
    auto batch = std::make_shared<Batch>(strand_, commands.size());
    session->Queue(commands, batch);

    const auto started = std::chrono::steady_clock::now();
    std::uint64_t progress_seen = session->progress();
    while (!batch->failed && !batch->Complete()) {
      batch->timer.expires_after(settings_.command_timeout);
      boost::system::error_code ignored;
      co_await batch->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      if (batch->failed || batch->Complete()) break;
      const bool progressing = session->progress() != progress_seen || session->Readable();
      progress_seen = session->progress();
      if (!progressing ||
          std::chrono::steady_clock::now() - started >= settings_.transfer_timeout) {
        // A late reply must not answer a later command: the connection goes.
        session->Fail(progressing ? "reply still incomplete after " +
                                        std::to_string(settings_.transfer_timeout.count()) + " ms"
                                  : "no reply for " +
                                        std::to_string(settings_.command_timeout.count()) + " ms");
      }
    }
    if (batch->failed) co_return Unavailable(batch->failure);
    co_return std::move(batch->replies);
  }

  Strand strand_;

 private:
  base::Error Unavailable(const std::string& detail) const {
    return base::MakeError(base::ErrorCode::kUnavailable, "cache unavailable",
                           "redis " + settings_.address.HostPort() + ": " + detail);
  }

  bool Tls() const { return settings_.address.tls || settings_.tls.enabled; }

  base::Status EnsureSession() {
    if (session_ && !session_->closed()) return base::OkStatus();
    if (session_ && session_->was_ready()) {
      // A connection that worked and then failed may be replaced at once.
      backoff_ = settings_.reconnect_backoff;
      next_attempt_ = {};
    }
    session_.reset();
    const auto now = std::chrono::steady_clock::now();
    if (now < next_attempt_) return Unavailable("reconnect backoff");
    next_attempt_ = now + backoff_;
    backoff_ = std::min(backoff_ * 2, settings_.max_reconnect_backoff);

    if (Tls() && !tls_context_) {
      auto context = MakeTlsContext(settings_.tls);
      if (!context.ok()) return Unavailable(context.error().detail);
      tls_context_ = std::move(*context);
    }
    session_ = std::make_shared<Session>(strand_, Tls() ? tls_context_ : nullptr);
    if (auto status = QueueLogin(*session_, true); !status.ok()) {
      session_.reset();
      return status;
    }
    const auto& host = settings_.address.host;
    asio::co_spawn(
        strand_,
        Session::Open(session_, host, settings_.address.port,
                      settings_.tls.server_name.empty() ? host : settings_.tls.server_name),
        asio::detached);
    return base::OkStatus();
  }

  // AUTH goes first on a new connection (`fresh`), so it reaches the server before any command.
  // With a token source, an open connection logs in again once the source holds a newer token
  // than the one it used (checked at most once a second: the hit path does not pay for it).
  base::Status QueueLogin(Session& session, bool fresh) {
    const auto& address = settings_.address;
    RedisArgs auth = {"AUTH"};
    if (settings_.token != nullptr) {
      const auto now = std::chrono::steady_clock::now();
      if (!fresh && now < next_token_check_) return base::OkStatus();
      next_token_check_ = now + std::chrono::seconds(1);
      auto token = settings_.token->Current();
      if (!token.ok()) return Unavailable("no access token: " + token.error().detail);
      if (!fresh && token->expires_on == logged_in_until_) return base::OkStatus();
      logged_in_until_ = token->expires_on;
      // Azure Managed Redis names the identity by its object id; an explicit user wins.
      const auto& user = address.user.empty() ? token->object_id : address.user;
      if (!user.empty()) auth.push_back(user);
      auth.push_back(token->value);
    } else {
      if (!fresh || address.password.empty()) return base::OkStatus();
      if (!address.user.empty()) auth.push_back(address.user);
      auth.push_back(address.password);
    }
    auto batch = std::make_shared<Batch>(strand_, 1);
    batch->is_login = true;
    session.Queue({std::move(auth)}, std::move(batch));
    return base::OkStatus();
  }

  RedisConnectionSettings settings_;
  std::shared_ptr<ssl::context> tls_context_;  // loaded on the first TLS connect, then shared
  std::shared_ptr<Session> session_;
  std::chrono::milliseconds backoff_;
  std::chrono::steady_clock::time_point next_attempt_{};
  // Token logins: when the current connection's token expires, and when to look for a new one.
  std::chrono::system_clock::time_point logged_in_until_{};
  std::chrono::steady_clock::time_point next_token_check_{};
};

RedisConnection::RedisConnection(const asio::any_io_executor& executor,
                                 RedisConnectionSettings settings)
    : impl_(std::make_shared<Impl>(executor, std::move(settings))) {}

RedisConnection::~RedisConnection() = default;

const core::RedisAddress& RedisConnection::address() const { return impl_->address(); }

asio::awaitable<base::Result<std::vector<RedisReply>>> RedisConnection::Pipeline(
    std::vector<RedisArgs> commands) {
  auto impl = impl_;  // keeps the connection alive while this call runs
  // co_spawn needs a default-constructible result, which Result is not: hand it out by reference.
  std::optional<base::Result<std::vector<RedisReply>>> result;
  co_await asio::co_spawn(
      impl->strand_,
      [&result, &impl, &commands]() -> asio::awaitable<void> {
        result.emplace(co_await impl->Run(std::move(commands)));
      },
      asio::use_awaitable);
  co_return std::move(*result);
}

asio::awaitable<base::Result<RedisReply>> RedisConnection::Command(RedisArgs args) {
  std::vector<RedisArgs> commands;
  commands.push_back(std::move(args));
  auto replies = co_await Pipeline(std::move(commands));
  if (!replies.ok()) co_return replies.error();
  co_return std::move(replies->front());
}

}  // namespace vitrina::redis
