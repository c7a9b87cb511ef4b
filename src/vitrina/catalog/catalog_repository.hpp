#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "vitrina/base/request_trace.hpp"
#include "vitrina/base/result.hpp"
#include "vitrina/catalog/core/catalog_query.hpp"
#include "vitrina/catalog/core/field_value.hpp"

namespace vitrina::catalog {

// One page of GET /catalog as PostgreSQL serialised it: the server forwards `items_json`.
struct CatalogPage {
  std::int64_t count = 0;  // items in this page
  std::string items_json;  // a JSON array of items in the query's order, with its fields
  bool has_more = false;   // more items match after this page
  // The page's last item, its id and sort values only (for the next cursor); none when empty.
  std::optional<core::CatalogItem> last_item;
  std::optional<std::int64_t> total;  // items matching the filters, when the query has a limit
};

// An item as stored: the JSON the API returns and the same values typed.
struct StoredItem {
  std::string json;
  core::CatalogItem item;
};

// The result of a committed write, with both versions so a cache can find every entry it
// affects: Create has only `new_item`, Delete only `old_item`, Replace both.
struct WriteOutcome {
  enum class Kind { kCreated, kReplaced, kDeleted };
  Kind kind = Kind::kCreated;
  std::optional<StoredItem> old_item;
  std::optional<StoredItem> new_item;
  // The cache_outbox row committed with the write (cache/invalidation_outbox.hpp): whoever
  // confirms the cache invalidation deletes it; a leftover row makes every instance flush.
  std::optional<std::int64_t> outbox_id;
};

// Read side of the catalog. The repository implements it over PostgreSQL; a cache implements it
// too, wrapping the repository (read-through), and the handlers cannot tell them apart. `trace`
// (optional, on both sides) attributes the statements to the request that made them.
class CatalogReader {
 public:
  virtual ~CatalogReader() = default;
  virtual boost::asio::awaitable<base::Result<CatalogPage>> List(
      const core::CatalogQuery& query, base::RequestTrace* trace = nullptr) = 0;
  // The item's JSON; kNotFound when there is no such id.
  virtual boost::asio::awaitable<base::Result<std::string>> Get(
      std::int64_t id, base::RequestTrace* trace = nullptr) = 0;
  // The values each category column holds, as JSON (see core::CatalogStatements::facets): what
  // a client offers as choices for the category filters.
  virtual boost::asio::awaitable<base::Result<std::string>> Facets(
      base::RequestTrace* trace = nullptr) = 0;
};

// Items of an unpaginated list as PostgreSQL produces them, a batch at a time, in the query's
// order: `json` is the batch's item objects joined with ",". `count` is 0 at the end.
struct ItemBatch {
  std::string json;
  std::size_t count = 0;
};

// An open list query (a cursor on a leased connection). Destroying it before the end cancels
// the query at once.
class ItemStream {
 public:
  virtual ~ItemStream() = default;
  virtual boost::asio::awaitable<base::Result<ItemBatch>> Next() = 0;
  // The planner's estimate of the items in all, when it gave one (wrong in either direction).
  virtual std::optional<std::int64_t> EstimatedItems() const { return std::nullopt; }
};

// Unpaginated lists of any size: the items are read as they are produced, with bounded memory.
class CatalogStreamReader {
 public:
  virtual ~CatalogStreamReader() = default;
  // The query must have no limit (and so no cursor). `batch_items` per read. The statement's
  // name for telemetry is core::kCatalogStreamStatement; the caller traces it (a stream outlives
  // the request's handler).
  virtual boost::asio::awaitable<base::Result<std::unique_ptr<ItemStream>>> OpenList(
      const core::CatalogQuery& query, std::size_t batch_items) = 0;
};

// Write side. Values are already validated against the spec (core::ParseItemBody). Replace and
// Delete answer kNotFound for an absent id.
class CatalogWriter {
 public:
  virtual ~CatalogWriter() = default;
  virtual boost::asio::awaitable<base::Result<WriteOutcome>> Create(
      std::vector<core::FieldValue> values, base::RequestTrace* trace = nullptr) = 0;
  virtual boost::asio::awaitable<base::Result<WriteOutcome>> Replace(
      std::int64_t id, std::vector<core::FieldValue> values,
      base::RequestTrace* trace = nullptr) = 0;
  virtual boost::asio::awaitable<base::Result<WriteOutcome>> Delete(
      std::int64_t id, base::RequestTrace* trace = nullptr) = 0;
};

// Called by the write handlers after a write committed and before the response is sent (e.g.
// cache invalidation), so a client that got its response never reads stale data afterwards.
class CatalogWriteListener {
 public:
  virtual ~CatalogWriteListener() = default;
  virtual boost::asio::awaitable<void> OnWriteCommitted(const WriteOutcome& outcome) = 0;
};

}  // namespace vitrina::catalog
