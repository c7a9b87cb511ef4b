#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vitrina::cache {

// A value that one coroutine sets once and any number of coroutines, on any thread, await. A
// waiter resumes on its own executor (its session's), never inside Set(). Used for a load that
// concurrent requests share and for a Redis check that concurrent requests share.
template <typename T>
class SharedResult {
 public:
  // Returns once Set() was called (at once if it already was), with a copy of the value.
  boost::asio::awaitable<T> Wait() {
    co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void()>(
        [this](auto handler) {
          auto executor = boost::asio::get_associated_executor(handler);
          auto shared = std::make_shared<decltype(handler)>(std::move(handler));
          std::function<void()> wake = [executor, shared] {
            boost::asio::post(executor, [shared] { (*shared)(); });
          };
          std::unique_lock lock(mutex_);
          if (!value_) {
            waiters_.push_back(std::move(wake));
            return;
          }
          lock.unlock();
          wake();
        },
        boost::asio::use_awaitable);
    std::lock_guard lock(mutex_);
    co_return *value_;
  }

  // Stores the value and wakes every waiter. Only the first call counts.
  void Set(T value) {
    std::vector<std::function<void()>> to_wake;
    {
      std::lock_guard lock(mutex_);
      if (value_) return;
      value_.emplace(std::move(value));
      to_wake.swap(waiters_);
    }
    for (auto& wake : to_wake) wake();
  }

 private:
  std::mutex mutex_;
  std::optional<T> value_;
  std::vector<std::function<void()>> waiters_;
};

}  // namespace vitrina::cache
