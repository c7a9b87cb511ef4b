// At -O3 g++ 12 reports a false -Wnull-dereference inside Asio's scheduler (Boost's code, inlined
// here). The pragma must come before the first Asio include to cover it.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "vitrina/db/async_pool.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <deque>
#include <optional>
#include <thread>

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

  // Pipeline mode (a row stream's): statements are queued without waiting for the previous
  // one's result; the server flushes what it produced at each flush request or sync.
  bool EnterPipeline() { return PQenterPipelineMode(conn_) == 1; }
  bool ExitPipeline() { return PQexitPipelineMode(conn_) == 1; }
  bool SendFlushRequest() { return PQsendFlushRequest(conn_) == 1; }
  bool SendSync() { return PQpipelineSync(conn_) == 1; }

  // Sends what libpq still holds of the statements sent, waiting while the socket is full.
  awaitable<base::Status> FlushAll(const std::string& what, Clock::time_point deadline) {
    while (true) {
      const int flushed = PQflush(conn_);
      if (flushed == 0) co_return base::OkStatus();
      if (flushed < 0) co_return ErrorFromPg(nullptr, conn_, what);
      if (!co_await WaitFor(asio::posix::descriptor_base::wait_write, deadline)) {
        co_return TimedOut(what);
      }
    }
  }

  // Reads up to the pipeline's sync point, after the results of everything sent before it.
  awaitable<base::Status> CollectSync(const std::string& what, Clock::time_point deadline) {
    auto flushed = co_await FlushAll(what, deadline);
    if (!flushed.ok()) co_return flushed;
    while (true) {
      if (PQconsumeInput(conn_) != 1) co_return ErrorFromPg(nullptr, conn_, what);
      // A null result ends one statement's results; two in a row: nothing more is buffered.
      int nulls = 0;
      while (PQisBusy(conn_) == 0 && nulls < 2) {
        ResultPtr result(PQgetResult(conn_));
        if (!result) {
          ++nulls;
          continue;
        }
        nulls = 0;
        if (PQresultStatus(result.get()) == PGRES_PIPELINE_SYNC) co_return base::OkStatus();
      }
      if (!co_await WaitFor(asio::posix::descriptor_base::wait_read, deadline)) {
        co_return TimedOut(what);
      }
    }
  }

  // Sends `sql` with text parameters as an unnamed statement without waiting for its result.
  bool SendWithParams(const std::string& sql, const Params& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
    return PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, /*text results*/ 0) == 1;
  }

  base::Error SendFailed(const std::string& what) { return ErrorFromPg(nullptr, conn_, what); }

  // Asks PostgreSQL to stop the statement running on this connection. PQcancel connects to the
  // server and blocks until it answered, so it runs on a thread of its own, not on the I/O thread.
  void CancelRunning() {
    PGcancel* cancel = conn_ != nullptr ? PQgetCancel(conn_) : nullptr;
    if (cancel == nullptr) return;
    std::thread([cancel] {
      char error[256];
      (void)PQcancel(cancel, error, sizeof error);
      PQfreeCancel(cancel);
    }).detach();
  }

  // The result of what was sent: its first result, or its last error.
  awaitable<base::Result<ResultPtr>> CollectResult(const std::string& what,
                                                   Clock::time_point deadline) {
    auto flushed = co_await FlushAll(what, deadline);
    if (!flushed.ok()) co_return flushed.error();
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
          co_return std::move(kept);
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
    auto result = co_await CollectResult(what, deadline);
    if (!result) co_return result.error();
    co_return ToQueryResult(result->get());
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

  // A free connection, or nullptr when none came free before the deadline.
  awaitable<PgConnection*> Acquire(Clock::time_point deadline);
  void Release(PgConnection* connection);

 private:
  struct Waiter {
    asio::steady_timer timer;
    PgConnection* granted = nullptr;
  };

  awaitable<PgConnection*> AcquireImpl(Clock::time_point deadline) {
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

  void ReleaseImpl(PgConnection* connection) {
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

awaitable<PgConnection*> AsyncPool::Shard::Acquire(Clock::time_point deadline) {
  co_return co_await AcquireImpl(deadline);
}

void AsyncPool::Shard::Release(PgConnection* connection) { ReleaseImpl(connection); }

// The cursor's statements. The cursor's name is fixed: one stream per connection at a time.
constexpr std::string_view kBeginReadOnly = "BEGIN READ ONLY";
constexpr std::string_view kExplainPrefix = "EXPLAIN ";
constexpr std::string_view kDeclarePrefix = "DECLARE vitrina_stream NO SCROLL CURSOR FOR ";
constexpr std::string_view kCommit = "COMMIT";

// FETCHes queued on the connection at once (libpq pipeline mode): when PostgreSQL has sent a
// batch it finds the next FETCH already there instead of idling for a round trip until the
// server asked for it. With one FETCH at a time the stream ran at the pace of psql's own FETCH
// loop, 0.55x of a COPY to /dev/null (bench/catalog/stream.sh). Two: the one read and one ahead,
// ~260 KB of diamonds in the sockets, within their buffers (the slow reader's caveat, api.md).
constexpr int kFetchesInFlight = 2;

// The planner's row estimate from EXPLAIN's first line, "... (cost=0.42..5.44 rows=999630
// width=32)"; nullopt when it has none.
std::optional<std::int64_t> PlanRows(const PGresult* explained) {
  if (explained == nullptr || PQntuples(explained) < 1) return std::nullopt;
  const std::string_view line = PQgetvalue(explained, 0, 0);
  const auto at = line.find(" rows=");
  if (at == std::string_view::npos) return std::nullopt;
  std::int64_t rows = 0;
  const char* first = line.data() + at + 6;
  const auto [end, error] = std::from_chars(first, line.data() + line.size(), rows);
  if (error != std::errc() || end == first) return std::nullopt;
  return rows;
}

class RowStream::Impl {
 public:
  Impl(AsyncPool::Shard& shard, PgConnection* connection, std::string statement,
       RowStreamSettings settings, std::chrono::milliseconds timeout)
      : shard_(shard),
        connection_(connection),
        statement_(std::move(statement)),
        settings_(settings),
        timeout_(timeout),
        fetch_("FETCH " + std::to_string(settings_.batch_rows) + " FROM vitrina_stream") {}

  ~Impl() {
    if (state_ != State::kDone) {
      // Mid-stream: a statement may be running. Cancel it and drop the connection: closing it
      // ends the transaction (and the pipeline) at once, whatever PostgreSQL was doing.
      if (state_ == State::kFetching || state_ == State::kFinishing) {
        connection_->CancelRunning();
      }
      connection_->Close();
    }
    shard_.Release(connection_);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // BEGIN, (EXPLAIN,) DECLARE and the first FETCHes sent together in one pipeline: one round
  // trip before the first rows instead of three.
  awaitable<base::Status> Open(const std::string& sql, const Params& params) {
    const auto deadline = Clock::now() + timeout_;
    state_ = State::kFetching;  // from here on, a destruction cancels
    if (!connection_->EnterPipeline()) co_return Fail();
    if (!connection_->SendWithParams(std::string(kBeginReadOnly), {})) co_return Fail();
    if (settings_.estimate_rows &&
        !connection_->SendWithParams(std::string(kExplainPrefix) + sql, params)) {
      co_return Fail();
    }
    if (!connection_->SendWithParams(std::string(kDeclarePrefix) + sql, params)) co_return Fail();
    for (int i = 0; i < kFetchesInFlight; ++i) {
      if (!SendFetch()) co_return Fail();
    }
    if (!connection_->SendFlushRequest()) co_return Fail();
    if (auto begun = co_await connection_->CollectResult(statement_, deadline); !begun) {
      co_return Fail(begun.error());
    }
    if (settings_.estimate_rows) {
      auto explained = co_await connection_->CollectResult(statement_, deadline);
      if (!explained) co_return Fail(explained.error());
      estimated_rows_ = PlanRows(explained->get());
    }
    if (auto declared = co_await connection_->CollectResult(statement_, deadline); !declared) {
      co_return Fail(declared.error());
    }
    co_return base::OkStatus();
  }

  std::optional<std::int64_t> estimated_rows() const { return estimated_rows_; }

  awaitable<base::Result<RowBatch>> Next() {
    if (state_ == State::kDone) co_return RowBatch{};
    if (state_ == State::kFailed) {
      co_return MakeError(ErrorCode::kInternal, "database error",
                          statement_ + ": read after the stream failed");
    }
    const auto deadline = Clock::now() + timeout_;
    if (state_ == State::kFinishing) {
      if (auto finished = co_await Finish(deadline); !finished.ok()) co_return finished.error();
      co_return RowBatch{};
    }
    auto fetched = co_await connection_->CollectResult(statement_, deadline);
    if (!fetched) co_return Fail(fetched.error());
    --in_flight_;
    RowBatch batch = Joined(fetched->get());
    fetched->reset();
    // A short batch is the last one: the FETCHes still queued find nothing; COMMIT (which closes
    // the cursor) and the pipeline's end go behind them while the caller writes this batch.
    if (batch.rows == settings_.batch_rows) {
      if (!SendFetch() || !connection_->SendFlushRequest()) co_return Fail();
    } else {
      if (!connection_->SendWithParams(std::string(kCommit), {}) || !connection_->SendSync()) {
        co_return Fail();
      }
      state_ = State::kFinishing;
    }
    if (batch.rows == 0) {
      co_return co_await Next();
    }
    co_return batch;
  }

 private:
  enum class State { kOpening, kFetching, kFinishing, kDone, kFailed };

  bool SendFetch() {
    if (!connection_->SendWithParams(fetch_, {})) return false;
    ++in_flight_;
    return true;
  }

  // The first column of each row joined with the separator: one string per batch.
  RowBatch Joined(const PGresult* result) const {
    RowBatch batch;
    batch.rows = static_cast<std::size_t>(PQntuples(result));
    std::size_t bytes = 0;
    for (int row = 0; row < static_cast<int>(batch.rows); ++row) {
      bytes += static_cast<std::size_t>(PQgetlength(result, row, 0)) + 1;
    }
    batch.text.reserve(bytes);
    for (int row = 0; row < static_cast<int>(batch.rows); ++row) {
      if (row > 0) batch.text += settings_.separator;
      batch.text.append(PQgetvalue(result, row, 0),
                        static_cast<std::size_t>(PQgetlength(result, row, 0)));
    }
    return batch;
  }

  // The queued FETCHes' empty results, COMMIT's, the pipeline's end; then the connection is an
  // ordinary one again, handed back to the pool by the destructor.
  awaitable<base::Status> Finish(Clock::time_point deadline) {
    for (; in_flight_ > 0; --in_flight_) {
      if (auto empty = co_await connection_->CollectResult(statement_, deadline); !empty) {
        co_return Fail(empty.error());
      }
    }
    if (auto committed = co_await connection_->CollectResult(statement_, deadline); !committed) {
      co_return Fail(committed.error());
    }
    if (auto synced = co_await connection_->CollectSync(statement_, deadline); !synced.ok()) {
      co_return Fail(synced.error());
    }
    if (!connection_->ExitPipeline()) co_return Fail();
    state_ = State::kDone;
    co_return base::OkStatus();
  }

  base::Error Fail(base::Error error) {
    // After a failure the connection may be mid-statement, in an aborted transaction or pipeline:
    // only a new one is in a known state.
    state_ = State::kFailed;
    connection_->Close();
    return error;
  }
  base::Error Fail() { return Fail(connection_->SendFailed(statement_)); }

  AsyncPool::Shard& shard_;
  PgConnection* connection_;
  const std::string statement_;
  const RowStreamSettings settings_;
  const std::chrono::milliseconds timeout_;
  const std::string fetch_;
  State state_ = State::kOpening;
  int in_flight_ = 0;  // FETCHes sent whose results were not read
  std::optional<std::int64_t> estimated_rows_;
};

RowStream::RowStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RowStream::~RowStream() = default;

awaitable<base::Result<RowBatch>> RowStream::Next() { co_return co_await impl_->Next(); }

std::optional<std::int64_t> RowStream::estimated_rows() const { return impl_->estimated_rows(); }

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

awaitable<base::Result<std::unique_ptr<RowStream>>> AsyncPool::OpenRowStream(
    std::string_view statement, std::string sql, Params params, RowStreamSettings stream) {
  if (stream.batch_rows == 0) stream.batch_rows = 1;
  auto executor = co_await asio::this_coro::executor;
  Shard& shard = ShardFor(executor);
  const auto deadline = Clock::now() + settings_.timeout;
  base::Result<std::unique_ptr<RowStream>> opened =
      MakeError(ErrorCode::kUnavailable, "the database is busy",
                std::string(statement) + ": no free connection in time");
  PgConnection* connection = co_await shard.Acquire(deadline);
  if (connection != nullptr) {
    auto impl = std::make_unique<RowStream::Impl>(shard, connection, std::string(statement), stream,
                                                  settings_.timeout);
    base::Status ready = base::OkStatus();
    if (!connection->IsOpen()) {
      ready = co_await connection->Open(settings_, deadline);
    }
    if (ready.ok()) {
      ready = co_await impl->Open(sql, params);
    }
    if (ready.ok()) {
      opened = std::make_unique<RowStream>(std::move(impl));
    } else {
      opened = ready.error();
    }
  }
  co_return opened;
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
