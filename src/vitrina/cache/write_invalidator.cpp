#include "vitrina/cache/write_invalidator.hpp"

#include <vector>

#include <spdlog/spdlog.h>

namespace vitrina::cache {

boost::asio::awaitable<void> WriteInvalidator::OnWriteCommitted(
    const catalog::WriteOutcome& outcome) {
  std::vector<core::ItemValues> versions;
  for (const auto* stored : {&outcome.old_item, &outcome.new_item}) {
    if (!*stored) continue;
    core::ItemValues values;
    const auto& item = (*stored)->item;
    for (std::size_t i = 0; i < item.values.size() && i < spec_.columns.size(); ++i) {
      values.emplace(spec_.columns[i].name, item.values[i]);
    }
    versions.push_back(std::move(values));
  }
  const auto status = co_await cache_.InvalidateForWrite(std::move(versions));
  if (!status) {
    spdlog::warn("cache invalidation failed, outbox row {} kept: {}", outcome.outbox_id.value_or(0),
                 status.error().message);
    co_return;
  }
  if (!outcome.outbox_id) co_return;
  // Best effort: a row left behind costs one cache flush, never a stale answer.
  const auto deleted = co_await repository_.DeleteOutboxRow(*outcome.outbox_id);
  if (!deleted) {
    spdlog::warn("cache outbox row {} not deleted: {}", *outcome.outbox_id,
                 deleted.error().message);
  }
}

}  // namespace vitrina::cache
