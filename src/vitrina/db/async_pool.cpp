// At -O3 g++ 12 reports a false -Wnull-dereference inside Asio's scheduler (Boost's code, inlined
// here). The pragma must come before the first Asio include to cover it.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "vitrina/db/async_pool.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <libpq-fe.h>

#include "vitrina/db/pg_errors.hpp"

namespace vitrina::db {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using Clock = std::chrono::steady_clock;
using base::ErrorCode;
using base::MakeError;

namespace {

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

QueryResult ToQueryResult(const PGresult* result) {
  QueryResult out;
  const int columns = PQnfields(result);
  const int rows = PQntuples(result);
  for (int c = 0; c < columns; ++c) out.columns.emplace_back(PQfname(result, c));
  out.rows.reserve(static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    auto& row = out.rows.emplace_back();
    row.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(result, r, c) != 0) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(result, r, c),
                                     static_cast<std::size_t>(PQgetlength(result, r, c))));
      }
    }
  }
  const char* tuples = PQcmdTuples(const_cast<PGresult*>(result));
  out.affected_rows = (tuples != nullptr && *tuples != '\0') ? std::stoll(tuples) : rows;
  return out;
}

// One non-blocking libpq connection and the descriptor Asio waits on. It belongs to one shard,
// hence to one thread.
class PgConnection {
 public:
  explicit PgConnection(asio::any_io_executor executor) : executor_(std::move(executor)) {}
  ~PgConnection() { Close(); }

  bool IsOpen() const { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }

  void Close() {
    if (socket_) {
      socket_->release();  // libpq owns the file descriptor and closes it in PQfinish
      socket_.reset();
    }
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = nullptr;
  }

  awaitable<base::Status> Open(const PoolSettings& settings, Clock::time_point deadline) {
    Close();
    // TimeZone=UTC: PostgreSQL renders timestamptz in the session's zone, and the API promises
    // UTC whatever the server's default (docs/api.md).
    const std::string statement_timeout =
        "-c statement_timeout=" + std::to_string(settings.timeout.count()) + " -c TimeZone=UTC";
    std::string password;
    if (settings.password_token != nullptr) {
      auto token = settings.password_token->Current();
      if (!token.ok()) {
        co_return MakeError(ErrorCode::kUnavailable, "the database is unavailable",
                            "connect: no managed identity token (" + token.error().detail + ")");
      }
      password = std::move(token->value);
    }
    // A key given after the expanded URL overrides what the URL says.
    const char* keys[] = {"dbname", "application_name", "options",
                          settings.password_token != nullptr ? "password" : nullptr, nullptr};
    const char* values[] = {settings.url.c_str(), "vitrina-api", statement_timeout.c_str(),
                            password.c_str(), nullptr};
    conn_ = PQconnectStartParams(keys, values, /*expand_dbname=*/1);
    if (conn_ == nullptr || PQstatus(conn_) == CONNECTION_BAD) {
      auto error = Unavailable("connect");
      Close();
      co_return error;
    }
    PostgresPollingStatusType poll = PGRES_POLLING_WRITING;
    while (poll != PGRES_POLLING_OK) {
      if (poll == PGRES_POLLING_FAILED) {
        auto error = Unavailable("connect");
        Close();
        co_return error;
      }
      // The socket can change while libpq tries the addresses of a host one after another.
      AttachSocket();
      const auto wait = poll == PGRES_POLLING_READING ? asio::posix::descriptor_base::wait_read
                                                      : asio::posix::descriptor_base::wait_write;
      if (!co_await WaitFor(wait, deadline)) {
        Close();
        co_return MakeError(ErrorCode::kUnavailable, "the database is unavailable",
                            "connect: timed out");
      }
      poll = PQconnectPoll(conn_);
    }
    AttachSocket();
    if (PQsetnonblocking(conn_, 1) != 0) {
      auto error = Unavailable("connect");
      Close();
      co_return error;
    }
    for (const auto& statement : settings.statements) {
      if (PQsendPrepare(conn_, statement.name.c_str(), statement.sql.c_str(), 0, nullptr) != 1) {
        auto error = Unavailable("prepare " + statement.name);
        Close();
        co_return error;
      }
      auto prepared = co_await Collect(statement.name, deadline);
      if (!prepared) {
        Close();
        co_return prepared.error();
      }
    }
    co_return base::OkStatus();
  }

  // Runs the prepared statement `statement`, or, given `sql`, that text as an unnamed statement
  // (named `statement` in errors).
  awaitable<base::Result<QueryResult>> RunPrepared(std::string_view statement, const Params& params,
                                                   Clock::time_point deadline,
                                                   const std::string* sql) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
    const std::string name(statement);
    const int count = static_cast<int>(values.size());
    const int sent =
        sql != nullptr
            ? PQsendQueryParams(conn_, sql->c_str(), count, nullptr, values.data(), nullptr,
                                nullptr, /*text results*/ 0)
            : PQsendQueryPrepared(conn_, name.c_str(), count, values.data(), nullptr, nullptr,
                                  /*text results*/ 0);
    if (sent != 1) co_return ErrorFromPg(nullptr, conn_, name);
    co_return co_await Collect(name, deadline);
  }

 private:
  base::Error Unavailable(const std::string& what) const {
    std::string detail = conn_ != nullptr ? PQerrorMessage(conn_) : "out of memory";
    while (!detail.empty() && detail.back() == '\n') detail.pop_back();
    return MakeError(ErrorCode::kUnavailable, "the database is unavailable", what + ": " + detail);
  }

  void AttachSocket() {
    const int fd = PQsocket(conn_);
    if (socket_ && socket_->native_handle() == fd) return;
    if (socket_) socket_->release();
    socket_.emplace(executor_, fd);
  }

  // True when the socket is ready, false when the deadline passed first.
  awaitable<bool> WaitFor(asio::posix::descriptor_base::wait_type type,
                          Clock::time_point deadline) {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(executor_, deadline);
    auto ready = socket_->async_wait(type, asio::as_tuple(use_awaitable));
    auto expired = timer.async_wait(asio::as_tuple(use_awaitable));
    const auto outcome = co_await (std::move(ready) || std::move(expired));
    co_return outcome.index() == 0;
  }

  // Sends what libpq buffered and reads every result of the statement; the last error (or the
  // first result) is the outcome.
  awaitable<base::Result<QueryResult>> Collect(const std::string& what,
                                               Clock::time_point deadline) {
    while (true) {
      const int flushed = PQflush(conn_);
      if (flushed == 0) break;
      if (flushed < 0) co_return ErrorFromPg(nullptr, conn_, what);
      if (!co_await WaitFor(asio::posix::descriptor_base::wait_write, deadline)) {
        co_return TimedOut(what);
      }
    }
    ResultPtr kept;
    std::optional<base::Error> failure;
    while (true) {
      if (PQconsumeInput(conn_) != 1) co_return ErrorFromPg(nullptr, conn_, what);
      while (PQisBusy(conn_) == 0) {
        ResultPtr result(PQgetResult(conn_));
        if (!result) {
          if (failure) co_return *failure;
          if (!kept) {
            co_return MakeError(ErrorCode::kInternal, "database error", what + ": no result");
          }
          co_return ToQueryResult(kept.get());
        }
        const auto status = PQresultStatus(result.get());
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
          failure = ErrorFromPg(result.get(), conn_, what);
        } else if (!kept) {
          kept = std::move(result);
        }
      }
      if (!co_await WaitFor(asio::posix::descriptor_base::wait_read, deadline)) {
        co_return TimedOut(what);
      }
    }
  }

  base::Error TimedOut(const std::string& what) {
    Close();  // the connection is mid-statement: only a new one is in a known state
    return MakeError(ErrorCode::kUnavailable, "the database did not answer in time",
                     what + ": timed out");
  }

  asio::any_io_executor executor_;
  pg_conn* conn_ = nullptr;
  std::optional<asio::posix::stream_descriptor> socket_;
};

}  // namespace

// The connections of one executor. Everything here runs on that executor's single thread.
class AsyncPool::Shard {
 public:
  Shard(asio::any_io_executor executor, int size) : executor_(std::move(executor)) {
    for (int i = 0; i < size; ++i) {
      all_.push_back(std::make_unique<PgConnection>(executor_));
      idle_.push_back(all_.back().get());
    }
  }

  const asio::any_io_executor& executor() const { return executor_; }
  int size() const { return static_cast<int>(all_.size()); }
  int in_use() const { return in_use_.load(std::memory_order_relaxed); }
  int waiting() const { return waiting_.load(std::memory_order_relaxed); }

  awaitable<base::Result<QueryResult>> Execute(const PoolSettings& settings,
                                               std::string_view statement, Params params,
                                               const std::string* sql) {
    const auto deadline = Clock::now() + settings.timeout;
    PgConnection* connection = co_await Acquire(deadline);
    if (connection == nullptr) {
      co_return MakeError(ErrorCode::kUnavailable, "the database is busy",
                          std::string(statement) + ": no free connection in time");
    }
    // Hands the connection back even when the coroutine is destroyed mid-statement.
    struct Lease {
      Shard* shard = nullptr;
      PgConnection* connection = nullptr;
      bool settled = false;
      ~Lease() {
        if (!settled) connection->Close();  // abandoned mid-statement: its state is unknown
        shard->Release(connection);
      }
    } lease{this, connection};
    if (!connection->IsOpen()) {
      auto opened = co_await connection->Open(settings, deadline);
      lease.settled = true;
      if (!opened) co_return opened.error();
      lease.settled = false;
    }
    auto result = co_await connection->RunPrepared(statement, params, deadline, sql);
    lease.settled = true;
    if (!result && !connection->IsOpen()) connection->Close();
    co_return result;
  }

  awaitable<void> OpenAll(const PoolSettings& settings) {
    for (std::size_t i = 0; i < all_.size(); ++i) {
      PgConnection* connection = co_await Acquire(Clock::now() + settings.timeout);
      if (connection == nullptr) co_return;
      if (!connection->IsOpen()) {
        (void)co_await connection->Open(settings, Clock::now() + settings.timeout);
      }
      Release(connection);
    }
  }

  void CloseAll() {
    for (auto& connection : all_) connection->Close();
  }

 private:
  struct Waiter {
    asio::steady_timer timer;
    PgConnection* granted = nullptr;
  };

  // A free connection, or nullptr when none came free before the deadline.
  awaitable<PgConnection*> Acquire(Clock::time_point deadline) {
    if (!idle_.empty()) {
      PgConnection* connection = idle_.back();
      idle_.pop_back();
      in_use_.fetch_add(1, std::memory_order_relaxed);
      co_return connection;
    }
    Waiter waiter{asio::steady_timer(executor_, deadline)};
    waiters_.push_back(&waiter);
    waiting_.fetch_add(1, std::memory_order_relaxed);
    (void)co_await waiter.timer.async_wait(asio::as_tuple(use_awaitable));
    waiting_.fetch_sub(1, std::memory_order_relaxed);
    if (waiter.granted == nullptr) {
      waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &waiter));
    }
    co_return waiter.granted;
  }

  void Release(PgConnection* connection) {
    if (!waiters_.empty()) {
      // Handed straight to a waiter: it stays in use.
      Waiter* next = waiters_.front();
      waiters_.pop_front();
      next->granted = connection;
      next->timer.cancel();
      return;
    }
    in_use_.fetch_sub(1, std::memory_order_relaxed);
    idle_.push_back(connection);
  }

  asio::any_io_executor executor_;
  std::vector<std::unique_ptr<PgConnection>> all_;
  std::vector<PgConnection*> idle_;
  std::deque<Waiter*> waiters_;
  // Written on this shard's thread, read by /metrics from any thread.
  std::atomic<int> in_use_{0};
  std::atomic<int> waiting_{0};
};

AsyncPool::AsyncPool(std::vector<asio::any_io_executor> executors, PoolSettings settings)
    : settings_(std::move(settings)) {
  const int count = static_cast<int>(executors.size());
  for (int i = 0; i < count; ++i) {
    const int size = std::max(1, settings_.size / count + (i < settings_.size % count ? 1 : 0));
    shards_.push_back(std::make_unique<Shard>(executors[static_cast<std::size_t>(i)], size));
  }
}

AsyncPool::~AsyncPool() = default;

AsyncPool::Shard& AsyncPool::ShardFor(const asio::any_io_executor& executor) {
  for (auto& shard : shards_) {
    if (shard->executor() == executor) return *shard;
  }
  // Every caller runs on one of the executors the pool was built with; anything else is a bug.
  throw std::logic_error("AsyncPool::Execute awaited outside the pool's executors");
}

awaitable<base::Result<QueryResult>> AsyncPool::Run(std::string_view statement,
                                                    const std::string* sql, Params params,
                                                    base::RequestTrace* trace) {
  auto executor = co_await asio::this_coro::executor;
  const base::DependencyTimer timer(trace);
  auto result = co_await ShardFor(executor).Execute(settings_, statement, std::move(params), sql);
  if (timer.active()) {
    const std::string_view sqlstate =
        result ? std::string_view() : base::SqlStateIn(result.error().detail);
    timer.Finish("postgresql", statement, result.ok(), result ? std::string_view("OK") : sqlstate);
  }
  co_return result;
}

awaitable<base::Result<QueryResult>> AsyncPool::Execute(std::string_view statement, Params params,
                                                        base::RequestTrace* trace) {
  co_return co_await Run(statement, nullptr, std::move(params), trace);
}

awaitable<base::Result<QueryResult>> AsyncPool::ExecuteUnprepared(std::string_view statement,
                                                                  std::string sql, Params params,
                                                                  base::RequestTrace* trace) {
  co_return co_await Run(statement, &sql, std::move(params), trace);
}

AsyncPool::Usage AsyncPool::CurrentUsage() const {
  Usage usage;
  for (const auto& shard : shards_) {
    usage.size += shard->size();
    usage.in_use += shard->in_use();
    usage.waiting += shard->waiting();
  }
  return usage;
}

void AsyncPool::Warm() {
  for (auto& shard : shards_) {
    asio::co_spawn(shard->executor(), shard->OpenAll(settings_), asio::detached);
  }
}

void AsyncPool::Close() {
  for (auto& shard : shards_) shard->CloseAll();
}

}  // namespace vitrina::db
