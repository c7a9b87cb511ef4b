#include "vitrina/cache/core/too_large_keys.hpp"

namespace vitrina::cache::core {

void TooLargeKeys::Add(const std::string& key, Clock::time_point now) {
  if (capacity_ == 0) return;
  const bool known = marked_.contains(key);
  marked_[key] = now + lifetime_;
  if (known) return;
  order_.push_back(key);
  while (marked_.size() > capacity_ && !order_.empty()) {
    marked_.erase(order_.front());
    order_.pop_front();
  }
  // Forgotten keys stay in `order_` until they reach its front: keep it from growing without end.
  if (order_.size() > 2 * capacity_) {
    std::deque<std::string> live;
    for (auto& entry : order_) {
      if (marked_.contains(entry)) live.push_back(std::move(entry));
    }
    order_ = std::move(live);
  }
}

bool TooLargeKeys::Contains(const std::string& key, Clock::time_point now) {
  const auto found = marked_.find(key);
  if (found == marked_.end()) return false;
  if (found->second <= now) {
    marked_.erase(found);
    return false;
  }
  return true;
}

}  // namespace vitrina::cache::core
