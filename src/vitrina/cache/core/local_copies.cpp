#include "vitrina/cache/core/local_copies.hpp"

namespace vitrina::cache::core {

std::size_t LocalCopies::Cost(const Entry& entry) {
  const auto& [key, copy] = entry;
  return key.size() + copy->header.size() + copy->etag.size() +
         (copy->body ? copy->body->size() : 0) + (copy->file ? copy->file->size() : 0);
}

void LocalCopies::EraseLocked(std::list<Entry>::iterator it) {
  bytes_ -= Cost(*it);
  if (it->second->file) --files_;
  index_.erase(it->first);
  order_.erase(it);
}

std::shared_ptr<const LocalCopy> LocalCopies::Find(const std::string& key) {
  const std::lock_guard lock(mutex_);
  const auto found = index_.find(key);
  if (found == index_.end()) return nullptr;
  order_.splice(order_.begin(), order_, found->second);
  return found->second->second;
}

void LocalCopies::Put(const std::string& key, LocalCopy copy) {
  const std::lock_guard lock(mutex_);
  if (const auto found = index_.find(key); found != index_.end()) EraseLocked(found->second);
  Entry entry{key, std::make_shared<const LocalCopy>(std::move(copy))};
  const auto cost = Cost(entry);
  if (cost > max_bytes_) return;
  while (bytes_ + cost > max_bytes_ && !order_.empty()) {
    EraseLocked(std::prev(order_.end()));
    ++evictions_;
  }
  if (entry.second->file) ++files_;
  order_.push_front(std::move(entry));
  index_.emplace(key, order_.begin());
  bytes_ += cost;
}

void LocalCopies::Erase(const std::string& key) {
  const std::lock_guard lock(mutex_);
  if (const auto found = index_.find(key); found != index_.end()) EraseLocked(found->second);
}

std::size_t LocalCopies::bytes() const {
  const std::lock_guard lock(mutex_);
  return bytes_;
}

std::size_t LocalCopies::size() const {
  const std::lock_guard lock(mutex_);
  return index_.size();
}

std::size_t LocalCopies::files() const {
  const std::lock_guard lock(mutex_);
  return files_;
}

std::uint64_t LocalCopies::evictions() const {
  const std::lock_guard lock(mutex_);
  return evictions_;
}

}  // namespace vitrina::cache::core
