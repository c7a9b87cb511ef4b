// The only translation unit that sees hiredis: an Asio event adapter for redisAsyncContext plus
// the command/timeout plumbing (NOTES-cpp trap 7).
#include "vitrina/redis/connection.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <poll.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

namespace vitrina::redis {

namespace asio = boost::asio;
using Strand = asio::strand<asio::any_io_executor>;

namespace {

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

// hiredis asks for read/write interest through these hooks; each maps to one pending
// stream_descriptor::async_wait. hiredis re-arms reads itself after every read, so one-shot waits
// are enough. Handlers hold a shared_ptr: after cleanup (hiredis closed the socket and is freeing
// the context) they find `context` null and do nothing.
struct AsioEvents : std::enable_shared_from_this<AsioEvents> {
  AsioEvents(const Strand& strand, redisAsyncContext* ac)
      : descriptor(strand, ac->c.fd), context(ac) {}

  void Arm(bool read) {
    bool& wanted = read ? want_read : want_write;
    bool& pending = read ? read_pending : write_pending;
    wanted = true;
    if (pending || context == nullptr) return;
    pending = true;
    descriptor.async_wait(
        read ? asio::posix::stream_descriptor::wait_read
             : asio::posix::stream_descriptor::wait_write,
        [self = shared_from_this(), read](boost::system::error_code error) {
          (read ? self->read_pending : self->write_pending) = false;
          if (error || self->context == nullptr || !(read ? self->want_read : self->want_write)) {
            return;
          }
          // May free the context (peer closed): nothing may touch it afterwards.
          ++self->handled;
          if (read) {
            redisAsyncHandleRead(self->context);
          } else {
            redisAsyncHandleWrite(self->context);
          }
        });
  }

  bool Readable() const {
    if (context == nullptr || !descriptor.is_open()) return false;
    pollfd poll_fd{};
    poll_fd.fd = context->c.fd;
    poll_fd.events = POLLIN;
    return ::poll(&poll_fd, 1, 0) == 1 && (poll_fd.revents & POLLIN) != 0;
  }

  static void AddRead(void* data) { static_cast<AsioEvents*>(data)->Arm(true); }
  static void DelRead(void* data) { static_cast<AsioEvents*>(data)->want_read = false; }
  static void AddWrite(void* data) { static_cast<AsioEvents*>(data)->Arm(false); }
  static void DelWrite(void* data) { static_cast<AsioEvents*>(data)->want_write = false; }
  static void Cleanup(void* data) {
    auto* events = static_cast<AsioEvents*>(data);
    events->context = nullptr;
    // hiredis closes the socket itself; release() hands the fd back and cancels our waits.
    if (events->descriptor.is_open()) events->descriptor.release();
  }

  asio::posix::stream_descriptor descriptor;
  redisAsyncContext* context;
  bool want_read = false;
  bool read_pending = false;
  bool want_write = false;
  bool write_pending = false;
  // Socket events handled so far: a call whose idle timeout expires while this still moves is
  // sending a large command or receiving a large reply, not waiting on a silent server.
  std::uint64_t handled = 0;
};

// The replies of one Pipeline call. Kept alive by each outstanding hiredis callback, so a call that
// timed out and returned leaves nothing dangling.
struct Batch {
  Batch(const Strand& strand, std::size_t count)
      : timer(strand), replies(count), remaining(count) {}
  asio::steady_timer timer;
  std::vector<RedisReply> replies;
  std::size_t remaining;
  bool failed = false;
  std::string failure;
};

struct PendingReply {
  std::shared_ptr<Batch> batch;
  std::size_t index;
};

void OnReply(redisAsyncContext* ac, void* reply, void* privdata) {
  std::unique_ptr<PendingReply> pending(static_cast<PendingReply*>(privdata));
  Batch& batch = *pending->batch;
  if (reply == nullptr) {
    // Connection lost or context freed: hiredis flushes every pending callback with NULL.
    batch.failed = true;
    if (batch.failure.empty()) {
      batch.failure = ac->errstr != nullptr && ac->err != 0 ? ac->errstr : "connection closed";
    }
  } else {
    batch.replies[pending->index] = ConvertReply(*static_cast<redisReply*>(reply));
  }
  if (--batch.remaining == 0) batch.timer.cancel();
}

}  // namespace

class RedisConnection::Impl {
 public:
  Impl(const asio::any_io_executor& executor, RedisConnectionSettings settings)
      : strand_(asio::make_strand(executor)),
        settings_(std::move(settings)),
        backoff_(settings_.reconnect_backoff) {}

  ~Impl() { Drop(); }

  const core::RedisAddress& address() const { return settings_.address; }

  // Runs on strand_.
  asio::awaitable<base::Result<std::vector<RedisReply>>> Run(std::vector<RedisArgs> commands) {
    if (commands.empty()) co_return std::vector<RedisReply>{};
    if (auto status = EnsureConnected(); !status.ok()) co_return status.error();

    auto batch = std::make_shared<Batch>(strand_, commands.size());
    for (std::size_t i = 0; i < commands.size(); ++i) {
      std::vector<const char*> argv;
      std::vector<std::size_t> lengths;
      for (const auto& arg : commands[i]) {
        argv.push_back(arg.data());
        lengths.push_back(arg.size());
      }
      auto pending = std::make_unique<PendingReply>(PendingReply{batch, i});
      if (redisAsyncCommandArgv(context_, &OnReply, pending.get(), static_cast<int>(argv.size()),
                                argv.data(), lengths.data()) != REDIS_OK) {
        // Commands queued before this one still hold the batch; dropping fails them too.
        Drop();
        co_return Unavailable("cannot queue command");
      }
      static_cast<void>(pending.release());  // owned by hiredis until OnReply
    }

    const auto started = std::chrono::steady_clock::now();
    const std::shared_ptr<AsioEvents> events = events_;
    std::uint64_t handled_seen = events->handled;
    for (;;) {
      batch->timer.expires_after(settings_.command_timeout);
      boost::system::error_code ignored;
      co_await batch->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      if (batch->remaining == 0) break;
      // Bytes already waiting in the socket count as progress too: on a busy machine this timer
      // may run before the read handler that was ready at the same time.
      const bool progressing = events->handled != handled_seen || events->Readable();
      handled_seen = events->handled;
      if (!progressing ||
          std::chrono::steady_clock::now() - started >= settings_.transfer_timeout) {
        Drop();  // fails the outstanding callbacks; a late reply must not answer a later command
        co_return Unavailable(progressing
                                  ? "reply still incomplete after " +
                                        std::to_string(settings_.transfer_timeout.count()) + " ms"
                                  : "no reply for " +
                                        std::to_string(settings_.command_timeout.count()) + " ms");
      }
    }
    if (batch->failed) {
      Drop();
      co_return Unavailable(batch->failure);
    }
    co_return std::move(batch->replies);
  }

  Strand strand_;

 private:
  base::Error Unavailable(const std::string& detail) const {
    return base::MakeError(base::ErrorCode::kUnavailable, "cache unavailable",
                           "redis " + settings_.address.HostPort() + ": " + detail);
  }

  base::Status EnsureConnected() {
    if (context_ != nullptr) return base::OkStatus();
    const auto now = std::chrono::steady_clock::now();
    if (now < next_attempt_) return Unavailable("reconnect backoff");
    next_attempt_ = now + backoff_;
    backoff_ = std::min(backoff_ * 2, settings_.max_reconnect_backoff);

    redisAsyncContext* ac =
        redisAsyncConnect(settings_.address.host.c_str(), settings_.address.port);
    if (ac == nullptr) return Unavailable("out of memory");
    if (ac->err != 0) {
      std::string message = ac->errstr;
      redisAsyncFree(ac);
      return Unavailable(message);
    }
    events_ = std::make_shared<AsioEvents>(strand_, ac);
    ac->ev.data = events_.get();
    ac->ev.addRead = &AsioEvents::AddRead;
    ac->ev.delRead = &AsioEvents::DelRead;
    ac->ev.addWrite = &AsioEvents::AddWrite;
    ac->ev.delWrite = &AsioEvents::DelWrite;
    ac->ev.cleanup = &AsioEvents::Cleanup;
    ac->data = this;
    redisAsyncSetConnectCallback(ac, &Impl::OnConnect);
    redisAsyncSetDisconnectCallback(ac, &Impl::OnDisconnect);
    context_ = ac;
    if (!settings_.address.password.empty()) {
      // Queued first, so it reaches the server before any command of this connection.
      const char* argv[] = {"AUTH", settings_.address.password.c_str()};
      const std::size_t lengths[] = {4, settings_.address.password.size()};
      redisAsyncCommandArgv(ac, nullptr, nullptr, 2, argv, lengths);
    }
    events_->Arm(true);
    events_->Arm(false);
    return base::OkStatus();
  }

  static void OnConnect(const redisAsyncContext* ac, int status) {
    auto* self = static_cast<Impl*>(ac->data);
    if (status != REDIS_OK) {
      self->context_ = nullptr;  // hiredis frees the context after this callback
    } else {
      self->backoff_ = self->settings_.reconnect_backoff;
    }
  }

  static void OnDisconnect(const redisAsyncContext* ac, int /*status*/) {
    static_cast<Impl*>(ac->data)->context_ = nullptr;
  }

  void Drop() {
    if (context_ == nullptr) return;
    redisAsyncContext* ac = context_;
    context_ = nullptr;
    redisAsyncFree(ac);  // runs pending callbacks with NULL replies, then Cleanup
  }

  RedisConnectionSettings settings_;
  redisAsyncContext* context_ = nullptr;
  std::shared_ptr<AsioEvents> events_;
  std::chrono::milliseconds backoff_;
  std::chrono::steady_clock::time_point next_attempt_{};
};

RedisConnection::RedisConnection(const asio::any_io_executor& executor,
                                 RedisConnectionSettings settings)
    : impl_(std::make_shared<Impl>(executor, std::move(settings))) {}

RedisConnection::~RedisConnection() = default;

const core::RedisAddress& RedisConnection::address() const { return impl_->address(); }

asio::awaitable<base::Result<std::vector<RedisReply>>> RedisConnection::Pipeline(
    std::vector<RedisArgs> commands) {
  auto impl = impl_;  // keeps the context alive while this call runs
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
