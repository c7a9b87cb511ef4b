#pragma once

#include <string_view>

// The durable half of write invalidation (migrations/0003_cache_outbox.sql). The protocol for a
// catalog write (POST, PUT, DELETE) in the server:
//   BEGIN; <the write>; id := kInsertCacheOutboxRow; COMMIT;
//   status := co_await cache.InvalidateForWrite({old, new});
//   if (status.ok()) kDeleteCacheOutboxRow(id)   // best effort: a leftover row costs one flush
//   send the response
// In the server the write and the row are one statement (catalog/core/catalog_sql.cpp: a
// data-modifying CTE inserts the row only when an item was written), so they commit atomically; its
// id reaches the invalidator as catalog::WriteOutcome::outbox_id, and the delete is the prepared
// statement catalog::core::kCacheOutboxDeleteStatement. The constants below are the same SQL for
// other callers. A row that outlives CatalogReloadListenerSettings::outbox_grace means an
// invalidation that may never have happened; every instance's CatalogReloadListener then flushes
// the catalog cache and deletes the rows it covered.
namespace vitrina::cache {

inline constexpr std::string_view kInsertCacheOutboxRow =
    "INSERT INTO cache_outbox DEFAULT VALUES RETURNING id";
inline constexpr std::string_view kDeleteCacheOutboxRow = "DELETE FROM cache_outbox WHERE id = $1";

}  // namespace vitrina::cache
