// libpq stays in this file: a blocking connection on a dedicated thread, woken by poll() on its
// socket (notifications), a timeout (outbox checks) or an eventfd (Stop).
#include "vitrina/cache/catalog_reload_listener.hpp"

#include <cstdlib>
#include <memory>
#include <optional>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <libpq-fe.h>

namespace vitrina::cache {

namespace asio = boost::asio;

namespace {

using PgConn = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

constexpr std::string_view kSelectStaleOutboxRows =
    "SELECT id FROM cache_outbox WHERE created_at < now() - make_interval(secs => $1::float8) "
    "ORDER BY id LIMIT 1000";
constexpr std::string_view kDeleteOutboxRows =
    "DELETE FROM cache_outbox WHERE id = ANY($1::bigint[])";

PgResult Exec(PGconn* conn, std::string_view sql, const std::vector<std::string>& params = {}) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params) values.push_back(param.c_str());
  return PgResult(PQexecParams(conn, std::string(sql).c_str(), static_cast<int>(values.size()),
                               nullptr, values.data(), nullptr, nullptr, 0),
                  &PQclear);
}

bool Succeeded(const PgResult& result) {
  const auto status = PQresultStatus(result.get());
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

constexpr std::string_view kCountEtlRuns = "SELECT status, count(*) FROM etl_runs GROUP BY status";

// Reads etl_runs' totals and hands them to `report`; false when the query failed (the table may
// not exist yet: `vitrina migrate` creates it).
bool ReportEtlRuns(PGconn* conn, const std::function<void(const EtlRunCounts&)>& report) {
  auto result = Exec(conn, kCountEtlRuns);
  if (!Succeeded(result)) return false;
  EtlRunCounts counts;
  for (int row = 0; row < PQntuples(result.get()); ++row) {
    const std::string_view status = PQgetvalue(result.get(), row, 0);
    const std::int64_t count = std::strtoll(PQgetvalue(result.get(), row, 1), nullptr, 10);
    if (status == "running") counts.running = count;
    if (status == "succeeded") counts.succeeded = count;
    if (status == "failed") counts.failed = count;
  }
  report(counts);
  return true;
}

}  // namespace

CatalogReloadListener::CatalogReloadListener(CatalogReloadListenerSettings settings,
                                             CatalogCache& cache, asio::any_io_executor executor)
    : settings_(std::move(settings)), cache_(cache), executor_(std::move(executor)) {}

CatalogReloadListener::~CatalogReloadListener() { Stop(); }

void CatalogReloadListener::Start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  thread_ = std::thread([this] { Run(); });
}

void CatalogReloadListener::Stop() {
  stopping_ = true;
  if (wake_fd_ >= 0) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = write(wake_fd_, &one, sizeof(one));
  }
  if (thread_.joinable()) thread_.join();
  if (wake_fd_ >= 0) close(wake_fd_);
  wake_fd_ = -1;
}

std::string CatalogReloadListener::last_error() const {
  std::lock_guard lock(error_mutex_);
  return last_error_;
}

void CatalogReloadListener::SetError(std::string error) {
  std::lock_guard lock(error_mutex_);
  last_error_ = std::move(error);
}

base::Status CatalogReloadListener::InvalidateAll() {
  // The cache's coroutines run on the server's executor; this thread only waits for them.
  std::optional<base::Status> status;
  asio::co_spawn(
      executor_,
      [this, &status]() -> asio::awaitable<void> {
        status.emplace(co_await cache_.InvalidateAll());
      },
      asio::use_future)
      .get();
  ++flushes_;
  return std::move(*status);
}

void CatalogReloadListener::Run() {
  while (!stopping_) {
    const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
    const char* values[] = {settings_.database_url.c_str(), "5", "vitrina-cache-listener", nullptr};
    PgConn conn(PQconnectdbParams(keys, values, 1), &PQfinish);
    PgResult listen(nullptr, &PQclear);
    if (PQstatus(conn.get()) == CONNECTION_OK) {
      listen = Exec(conn.get(), "LISTEN " + std::string(kChannel));
    }
    if (!listen || !Succeeded(listen)) {
      SetError(std::string("listener connect: ") + PQerrorMessage(conn.get()));
      connected_ = false;
      pollfd wake{wake_fd_, POLLIN, 0};
      poll(&wake, 1, static_cast<int>(settings_.reconnect_backoff.count()));
      continue;
    }
    connected_ = true;
    // Reloads NOTIFYed while we were not listening are lost: assume there was one.
    (void)InvalidateAll();
    std::chrono::steady_clock::time_point etl_runs_due{};  // now: report on connect

    while (!stopping_) {
      pollfd fds[2] = {{PQsocket(conn.get()), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
      poll(fds, 2, static_cast<int>(settings_.poll_interval.count()));
      if (stopping_) break;
      if (PQconsumeInput(conn.get()) == 0) {
        SetError(std::string("listener connection lost: ") + PQerrorMessage(conn.get()));
        break;
      }
      bool reloaded = false;
      while (PGnotify* notify = PQnotifies(conn.get())) {
        reloaded = true;
        PQfreemem(notify);
      }
      if (reloaded) (void)InvalidateAll();
      if (settings_.on_etl_runs && (reloaded || std::chrono::steady_clock::now() >= etl_runs_due)) {
        if (!ReportEtlRuns(conn.get(), settings_.on_etl_runs)) {
          SetError("etl_runs: " + std::string(PQerrorMessage(conn.get())));
        }
        etl_runs_due = std::chrono::steady_clock::now() + settings_.etl_runs_interval;
      }
      if (!settings_.drain_outbox) continue;

      const auto grace =
          std::to_string(std::chrono::duration<double>(settings_.outbox_grace).count());
      auto stale = Exec(conn.get(), kSelectStaleOutboxRows, {grace});
      if (!Succeeded(stale)) {
        SetError(std::string("outbox: ") + PQresultErrorMessage(stale.get()));
        if (PQstatus(conn.get()) != CONNECTION_OK) break;
        continue;
      }
      if (PQntuples(stale.get()) == 0) continue;
      // Invalidations that may never have reached Redis: flush, then forget exactly those rows
      // (a row committed after our SELECT is not covered by this flush and stays).
      if (!InvalidateAll().ok()) continue;
      std::string ids = "{";
      for (int row = 0; row < PQntuples(stale.get()); ++row) {
        ids += (row > 0 ? "," : "") + std::string(PQgetvalue(stale.get(), row, 0));
      }
      ids += "}";
      auto deleted = Exec(conn.get(), kDeleteOutboxRows, {ids});
      if (!Succeeded(deleted)) {
        SetError(std::string("outbox: ") + PQresultErrorMessage(deleted.get()));
      }
    }
    connected_ = false;
  }
}

}  // namespace vitrina::cache
