#pragma once

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
          // One allocation per waiter: the handler itself, resumed by a post to its own
          // executor (the handler's associated one). A std::function holding a shared_ptr to
          // the handler and a copy of its executor cost three, and the executor's copies more.
          using Handler = decltype(handler);
          struct Resume final : Waiter {
            explicit Resume(Handler waiting) : resume(std::move(waiting)) {}
            void Wake() override { boost::asio::post(std::move(resume)); }
            Handler resume;
          };
          auto waiter = std::make_unique<Resume>(std::move(handler));
          std::unique_lock lock(mutex_);
          if (!value_) {
            waiters_.push_back(std::move(waiter));
            return;
          }
          lock.unlock();
          waiter->Wake();
        },
        boost::asio::use_awaitable);
    std::lock_guard lock(mutex_);
    co_return *value_;
  }

  // Stores the value and wakes every waiter. Only the first call counts.
  void Set(T value) {
    std::vector<std::unique_ptr<Waiter>> to_wake;
    {
      std::lock_guard lock(mutex_);
      if (value_) return;
      value_.emplace(std::move(value));
      to_wake.swap(waiters_);
    }
    for (auto& waiter : to_wake) waiter->Wake();
  }

 private:
  struct Waiter {
    Waiter() = default;
    Waiter(const Waiter&) = delete;
    Waiter& operator=(const Waiter&) = delete;
    virtual ~Waiter() = default;
    virtual void Wake() = 0;  // resumes the waiting coroutine on its own executor
  };

  std::mutex mutex_;
  std::optional<T> value_;
  std::vector<std::unique_ptr<Waiter>> waiters_;
};

}  // namespace vitrina::cache
