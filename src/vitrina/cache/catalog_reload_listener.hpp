#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/any_io_executor.hpp>

#include "vitrina/base/access_token.hpp"
#include "vitrina/cache/catalog_cache.hpp"
#include "vitrina/db/connection.hpp"

namespace vitrina::cache {

// The totals of etl_runs by status.
struct EtlRunCounts {
  std::int64_t running = 0;
  std::int64_t succeeded = 0;
  std::int64_t failed = 0;
};

struct CatalogReloadListenerSettings {
  std::string database_url;
  // The catalog table this server serves: reloads and outbox rows of other tables (another
  // dataset in the same database) are not ours to act on.
  std::string table;
  const base::AccessTokenSource* database_token = nullptr;  // Entra: the password, per connection
  // How often the outbox is checked (and the longest Stop() waits for the thread).
  std::chrono::milliseconds poll_interval{1000};
  // Outbox rows younger than this belong to writes whose own invalidation is still in flight.
  std::chrono::milliseconds outbox_grace{2000};
  bool drain_outbox = true;
  std::chrono::milliseconds reconnect_backoff{1000};
  // Called on this listener's thread with etl_runs' totals: on connect, after a reload
  // notification, and at most every etl_runs_interval (failed runs send no notification).
  std::function<void(const EtlRunCounts&)> on_etl_runs;
  std::chrono::milliseconds etl_runs_interval{10000};
};

// Keeps the catalog cache in step with PostgreSQL, on its own db::Connection and thread:
// - LISTEN vitrina_catalog_reloaded (the ETL NOTIFYs in its swap transaction) -> InvalidateAll
//   when the payload names our table (catalog::core::ReloadConcernsTable);
// - on every (re)connect -> InvalidateAll, since a notification may have been missed meanwhile;
// - leftover rows of cache_outbox older than outbox_grace, of our table or of none ->
//   InvalidateAll, then delete them;
// - etl_runs' totals by status -> on_etl_runs (for /metrics).
// A failed InvalidateAll is not lost: the cache then refuses Redis until it has flushed.
class CatalogReloadListener {
 public:
  CatalogReloadListener(CatalogReloadListenerSettings settings, CatalogCache& cache,
                        boost::asio::any_io_executor executor);
  ~CatalogReloadListener();
  CatalogReloadListener(const CatalogReloadListener&) = delete;
  CatalogReloadListener& operator=(const CatalogReloadListener&) = delete;

  void Start();
  void Stop();

  std::uint64_t flushes() const { return flushes_; }
  // Completed reads of the outbox: lets a test wait for the listener to have looked.
  std::uint64_t outbox_checks() const { return outbox_checks_; }
  // Reload notices read and acted on (ours flushed, other tables' ignored): a test waits for it.
  std::uint64_t notices_handled() const { return notices_handled_; }
  bool connected() const { return connected_; }
  std::string last_error() const;

 private:
  void Run();
  void Listen(db::Connection& connection);
  bool DrainOutbox(db::Connection& connection);
  void Wait(int socket, std::chrono::milliseconds timeout) const;
  base::Status InvalidateAll();
  void SetError(std::string error);

  const CatalogReloadListenerSettings settings_;
  CatalogCache& cache_;
  boost::asio::any_io_executor executor_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> connected_{false};
  std::atomic<std::uint64_t> flushes_{0};
  std::atomic<std::uint64_t> outbox_checks_{0};
  std::atomic<std::uint64_t> notices_handled_{0};
  mutable std::mutex error_mutex_;
  std::string last_error_;
  int wake_fd_ = -1;  // eventfd: Stop() interrupts poll() at once
  std::thread thread_;
};

}  // namespace vitrina::cache
