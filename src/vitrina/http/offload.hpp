#pragma once

#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "vitrina/base/request_trace.hpp"

namespace vitrina::http {

// Runs a blocking call (libpq, libcurl, hiredis) on `pool` and resumes the calling coroutine on
// its own executor (the I/O thread) with the result, so I/O threads never block. An exception
// thrown by `call` is rethrown in the caller.
template <typename Call>
boost::asio::awaitable<std::invoke_result_t<Call&>> Offload(boost::asio::thread_pool& pool,
                                                            Call call) {
  std::optional<std::invoke_result_t<Call&>> result;
  co_await boost::asio::co_spawn(
      pool,
      [&]() -> boost::asio::awaitable<void> {
        result.emplace(call());
        co_return;
      },
      boost::asio::use_awaitable);
  co_return std::move(*result);
}

// The same, for a call made on behalf of a request: its dependencies (outbound HTTP, PostgreSQL
// through blocking adapters) are recorded in `trace` (see base::BlockingTraceScope).
template <typename Call>
boost::asio::awaitable<std::invoke_result_t<Call&>> Offload(boost::asio::thread_pool& pool,
                                                            base::RequestTrace* trace, Call call) {
  co_return co_await Offload(pool, [trace, &call] {
    const base::BlockingTraceScope scope(trace);
    return call();
  });
}

}  // namespace vitrina::http
