// A blocking db::Connection on a dedicated thread, woken by poll() on its socket (notifications),
// a timeout (outbox checks) or an eventfd (Stop).
#include "vitrina/cache/catalog_reload_listener.hpp"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include "vitrina/catalog/core/reload_notice.hpp"
#include "vitrina/db/connection.hpp"

namespace vitrina::cache {

namespace asio = boost::asio;

namespace {

// Rows of this table, or of no table in particular (written before rows named one).
constexpr std::string_view kSelectStaleOutboxRows =
    "SELECT id FROM cache_outbox WHERE created_at < now() - make_interval(secs => $1::float8) "
    "AND (catalog_table IS NULL OR catalog_table = $2) ORDER BY id LIMIT 1000";
constexpr std::string_view kDeleteOutboxRows =
    "DELETE FROM cache_outbox WHERE id = ANY($1::bigint[])";
constexpr std::string_view kCountEtlRuns = "SELECT status, count(*) FROM etl_runs GROUP BY status";

// Reads etl_runs' totals and hands them to `report`. Fails while the table does not exist yet
// (`vitrina migrate` creates it).
base::Status ReportEtlRuns(db::Connection& connection,
                           const std::function<void(const EtlRunCounts&)>& report) {
  auto result = connection.Execute(kCountEtlRuns);
  if (!result) return result.error();
  EtlRunCounts counts;
  for (const auto& row : result->rows) {
    if (!row[0] || !row[1]) continue;
    const std::int64_t count = std::strtoll(row[1]->c_str(), nullptr, 10);
    if (*row[0] == "running") counts.running = count;
    if (*row[0] == "succeeded") counts.succeeded = count;
    if (*row[0] == "failed") counts.failed = count;
  }
  report(counts);
  return base::OkStatus();
}

std::string Reason(const base::Error& error) {
  return error.detail.empty() ? error.message : error.message + ": " + error.detail;
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

// Waits until the socket has input, `timeout` passed, or Stop() was called.
void CatalogReloadListener::Wait(int socket, std::chrono::milliseconds timeout) const {
  pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {socket, POLLIN, 0}};
  poll(fds, socket >= 0 ? 2 : 1, static_cast<int>(timeout.count()));
}

void CatalogReloadListener::Run() {
  while (!stopping_) {
    auto connection = db::Connection::Open(settings_.database_url, std::chrono::seconds(5),
                                           "vitrina-cache-listener", settings_.database_token);
    base::Status listening = connection ? base::Status(base::OkStatus()) : connection.error();
    if (connection) {
      auto listen =
          connection->Execute("LISTEN " + std::string(catalog::core::kCatalogReloadedChannel));
      if (!listen) listening = listen.error();
    }
    if (!listening) {
      SetError("listener connect: " + Reason(listening.error()));
      connected_ = false;
      Wait(-1, settings_.reconnect_backoff);
      continue;
    }
    connected_ = true;
    // Reloads NOTIFYed while we were not listening are lost: assume there was one.
    (void)InvalidateAll();
    Listen(*connection);
    connected_ = false;
  }
}

void CatalogReloadListener::Listen(db::Connection& connection) {
  std::chrono::steady_clock::time_point etl_runs_due{};  // now: report on connect
  while (!stopping_) {
    Wait(connection.Socket(), settings_.poll_interval);
    if (stopping_) return;
    auto notifications = connection.ReceiveNotifications();
    if (!notifications) {
      SetError("listener connection lost: " + Reason(notifications.error()));
      return;
    }
    // Every dataset's loads are announced on the one channel; only ours flush our answers.
    const bool reloaded = std::any_of(
        notifications->begin(), notifications->end(), [this](const db::Notification& notice) {
          return catalog::core::ReloadConcernsTable(notice.payload, settings_.table);
        });
    if (reloaded) (void)InvalidateAll();
    notices_handled_ += notifications->size();
    if (settings_.on_etl_runs && (reloaded || std::chrono::steady_clock::now() >= etl_runs_due)) {
      if (auto reported = ReportEtlRuns(connection, settings_.on_etl_runs); !reported) {
        SetError("etl_runs: " + Reason(reported.error()));
      }
      etl_runs_due = std::chrono::steady_clock::now() + settings_.etl_runs_interval;
    }
    if (settings_.drain_outbox && !DrainOutbox(connection) && !connection.IsAlive()) return;
  }
}

// Invalidations that may never have reached Redis: flush, then forget exactly those rows (a row
// committed after our SELECT is not covered by this flush and stays). False on a database error.
bool CatalogReloadListener::DrainOutbox(db::Connection& connection) {
  const auto grace = std::to_string(std::chrono::duration<double>(settings_.outbox_grace).count());
  auto stale = connection.Execute(kSelectStaleOutboxRows, {grace, settings_.table});
  if (!stale) {
    SetError("outbox: " + Reason(stale.error()));
    return false;
  }
  ++outbox_checks_;
  if (stale->rows.empty() || !InvalidateAll().ok()) return true;
  std::string ids = "{";
  for (std::size_t row = 0; row < stale->rows.size(); ++row) {
    ids += (row > 0 ? "," : "") + stale->rows[row][0].value_or("0");
  }
  ids += "}";
  if (auto deleted = connection.Execute(kDeleteOutboxRows, {ids}); !deleted) {
    SetError("outbox: " + Reason(deleted.error()));
    return false;
  }
  return true;
}

}  // namespace vitrina::cache
