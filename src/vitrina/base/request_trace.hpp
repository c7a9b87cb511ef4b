#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "vitrina/base/trace_context.hpp"

namespace vitrina::base {

// One call to PostgreSQL, Redis or an HTTP service made on behalf of a request.
struct DependencyRecord {
  std::string_view type;         // "postgresql", "redis", "HTTP"
  std::string_view name;         // the statement's constant name, the Redis command, "POST /v1/x"
  std::string_view data;         // for HTTP the URL without its query; "" means `name`
  std::string_view target;       // for HTTP the host; PostgreSQL and Redis: the observer knows
  std::string_view result_code;  // SQLSTATE, "OK"/"ERROR", the HTTP status; "" from success
  std::chrono::microseconds duration{0};
  bool success = true;
};

class RequestTrace;

// Receives every dependency call of every request: the composition root's implementation
// updates /metrics and sends telemetry. Called from any I/O thread, so it must be thread-safe.
class DependencyObserver {
 public:
  virtual ~DependencyObserver() = default;
  virtual void OnDependency(const RequestTrace& trace, const DependencyRecord& record) = 0;
};

// What one request collects about itself: its trace ids, and the time spent per phase for the
// Server-Timing header. The outermost middleware owns it; http::core::Request::trace points at it
// and handlers pass that pointer down to repository, cache and HTTP-client calls as an optional
// argument (null outside a request). It is carried explicitly, not in a thread_local, because
// the coroutines of many requests interleave on one I/O thread. A request's coroutine chain
// uses it one step at a time, so it needs no lock.
class RequestTrace {
 public:
  explicit RequestTrace(DependencyObserver* observer = nullptr) : observer_(observer) {}

  // Adds the call to its phase (postgresql → db, redis → cache, HTTP → http) and hands it to
  // the observer.
  void Record(const DependencyRecord& record);
  void AddAuthTime(std::chrono::microseconds duration) { auth_ += duration; }

  TraceContext& context() { return context_; }
  const TraceContext& context() const { return context_; }
  std::chrono::microseconds auth_time() const { return auth_; }
  std::chrono::microseconds cache_time() const { return cache_; }
  std::chrono::microseconds db_time() const { return db_; }
  std::chrono::microseconds http_time() const { return http_; }

 private:
  DependencyObserver* observer_;
  TraceContext context_;
  std::chrono::microseconds auth_{0};
  std::chrono::microseconds cache_{0};
  std::chrono::microseconds db_{0};
  std::chrono::microseconds http_{0};
};

// Times one dependency call for a trace; with no trace it reads no clock and records nothing:
//   DependencyTimer timer(trace);  auto reply = co_await ...;  timer.Finish({.type = ...});
class DependencyTimer {
 public:
  explicit DependencyTimer(RequestTrace* trace)
      : trace_(trace), started_(trace ? std::chrono::steady_clock::now() : Clock::time_point{}) {}

  bool active() const { return trace_ != nullptr; }
  void Finish(std::string_view type, std::string_view name, bool success,
              std::string_view result_code) const {
    if (trace_ == nullptr) return;
    DependencyRecord record;
    record.type = type;
    record.name = name;
    record.success = success;
    record.result_code = result_code;
    Finish(record);
  }
  // `record.duration` is filled in here.
  void Finish(DependencyRecord record) const {
    if (trace_ == nullptr) return;
    record.duration =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_);
    trace_->Record(record);
  }

 private:
  using Clock = std::chrono::steady_clock;
  RequestTrace* trace_;
  Clock::time_point started_;
};

// The trace of the request whose blocking call (libcurl, libpq; see http::Offload) runs on this
// thread, or null. A coroutine cannot use a thread-local (requests interleave on an I/O thread),
// but an offloaded call runs to completion on its worker thread while its request waits, so a
// scope around exactly that call is unambiguous, and the adapters below it (http::SendHttp,
// PgUserDirectory) need no trace parameter threaded through interfaces that know nothing of
// requests.
RequestTrace* CurrentBlockingTrace();

class BlockingTraceScope {
 public:
  explicit BlockingTraceScope(RequestTrace* trace);
  ~BlockingTraceScope();
  BlockingTraceScope(const BlockingTraceScope&) = delete;
  BlockingTraceScope& operator=(const BlockingTraceScope&) = delete;

 private:
  RequestTrace* previous_;
};

// What an outbound HTTP call is called in telemetry: `name` "POST /v1/accounts:signUp", `data`
// the URL without its query (Firebase's API key travels there), `target` the host[:port].
struct HttpCallNames {
  std::string name;
  std::string data;
  std::string target;
};
HttpCallNames DescribeHttpCall(std::string_view method, std::string_view url);

// Finds "SQLSTATE xxxxx" in an error detail (db::ErrorFromPg writes it there); "" without one.
std::string_view SqlStateIn(std::string_view detail);

}  // namespace vitrina::base
