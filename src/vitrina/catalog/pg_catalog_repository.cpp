#include "vitrina/catalog/pg_catalog_repository.hpp"

#include <charconv>

#include "vitrina/catalog/core/item_json.hpp"

namespace vitrina::catalog {

namespace asio = boost::asio;
using base::ErrorCode;
using base::MakeError;

namespace {

std::optional<std::int64_t> ToInt(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return value;
}

base::Error NotFound(std::int64_t id) {
  return MakeError(ErrorCode::kNotFound, "no catalog item with id " + std::to_string(id));
}

base::Error Unexpected(std::string_view statement) {
  return MakeError(ErrorCode::kInternal, "database error",
                   std::string(statement) + ": unexpected result shape");
}

}  // namespace

std::vector<db::PreparedStatement> CatalogPreparedStatements(const core::DatasetSpec& spec) {
  std::vector<db::PreparedStatement> statements;
  for (auto& statement : core::BuildCatalogStatements(spec).All()) {
    statements.push_back(
        db::PreparedStatement{std::string(statement.name), std::move(statement.sql)});
  }
  return statements;
}

base::Result<StoredItem> PgCatalogRepository::Decode(const std::string& json) const {
  auto item = core::DecodeStoredItem(spec_, json);
  if (!item) return item.error();
  return StoredItem{json, std::move(*item)};
}

asio::awaitable<base::Result<CatalogPage>> PgCatalogRepository::List(
    const core::CatalogQuery& query, base::RequestTrace* trace) {
  auto params = core::CatalogListParams(spec_, query);
  // The default shape is prepared; a sort or a field list runs its own text (CatalogListSql).
  // (Two statements, not a conditional expression: g++ 12 miscompiles co_await inside one.)
  base::Result<db::QueryResult> result = base::MakeError(ErrorCode::kInternal, "not run");
  if (core::HasDefaultListShape(query)) {
    result = co_await pool_.Execute(core::kCatalogListStatement, std::move(params), trace);
  } else {
    result = co_await pool_.ExecuteUnprepared(
        core::kCatalogListStatement, core::CatalogListSql(spec_, query), std::move(params), trace);
  }
  if (!result) co_return result.error();
  if (result->rows.size() != 1 || result->rows[0].size() != 5) {
    co_return Unexpected(core::kCatalogListStatement);
  }
  auto& row = result->rows[0];
  CatalogPage page;
  page.count = ToInt(row[0]).value_or(0);
  page.items_json = std::move(row[1]).value_or("[]");
  page.has_more = row[2].value_or("f") == "t";
  if (row[3]) {
    auto last = core::DecodeStoredItem(spec_, *row[3]);
    if (!last) co_return last.error();
    page.last_item = std::move(*last);
  }
  page.total = ToInt(row[4]);
  co_return page;
}

namespace {

class PgItemStream final : public ItemStream {
 public:
  explicit PgItemStream(std::unique_ptr<db::RowStream> rows) : rows_(std::move(rows)) {}

  asio::awaitable<base::Result<ItemBatch>> Next() override {
    auto batch = co_await rows_->Next();
    if (!batch) co_return batch.error();
    co_return ItemBatch{std::move(batch->text), batch->rows};
  }
  std::optional<std::int64_t> EstimatedItems() const override { return rows_->estimated_rows(); }

 private:
  std::unique_ptr<db::RowStream> rows_;
};

}  // namespace

asio::awaitable<base::Result<std::unique_ptr<ItemStream>>> PgCatalogRepository::OpenList(
    const core::CatalogQuery& query, std::size_t batch_items) {
  if (query.limit) {
    co_return MakeError(ErrorCode::kInternal, "internal error",
                        "OpenList called with a paginated query");
  }
  auto rows = co_await pool_.OpenRowStream(
      core::kCatalogStreamStatement, core::CatalogStreamSql(spec_, query),
      core::CatalogStreamParams(spec_, query),
      db::RowStreamSettings{.batch_rows = batch_items, .separator = ',', .estimate_rows = true});
  if (!rows) co_return rows.error();
  co_return std::make_unique<PgItemStream>(std::move(*rows));
}

asio::awaitable<base::Result<std::string>> PgCatalogRepository::Get(std::int64_t id,
                                                                    base::RequestTrace* trace) {
  core::SqlParams params = {std::to_string(id)};
  auto result = co_await pool_.Execute(core::kCatalogGetStatement, std::move(params), trace);
  if (!result) co_return result.error();
  if (result->rows.empty() || !result->rows[0][0]) co_return NotFound(id);
  co_return std::move(*result->rows[0][0]);
}

asio::awaitable<base::Result<std::string>> PgCatalogRepository::Facets(base::RequestTrace* trace) {
  auto result = co_await pool_.Execute(core::kCatalogFacetsStatement, {}, trace);
  if (!result) co_return result.error();
  if (result->rows.size() != 1 || result->rows[0].size() != 1 || !result->rows[0][0]) {
    co_return Unexpected(core::kCatalogFacetsStatement);
  }
  co_return std::move(*result->rows[0][0]);
}

asio::awaitable<base::Result<WriteOutcome>> PgCatalogRepository::Create(
    std::vector<core::FieldValue> values, base::RequestTrace* trace) {
  auto result = co_await pool_.Execute(core::kCatalogInsertStatement,
                                       core::CatalogInsertParams(values), trace);
  if (!result) co_return result.error();
  if (result->rows.size() != 1 || result->rows[0].size() != 2 || !result->rows[0][0]) {
    co_return Unexpected(core::kCatalogInsertStatement);
  }
  auto stored = Decode(*result->rows[0][0]);
  if (!stored) co_return stored.error();
  co_return WriteOutcome{WriteOutcome::Kind::kCreated, std::nullopt, std::move(*stored),
                         ToInt(result->rows[0][1])};
}

asio::awaitable<base::Result<WriteOutcome>> PgCatalogRepository::Replace(
    std::int64_t id, std::vector<core::FieldValue> values, base::RequestTrace* trace) {
  auto result = co_await pool_.Execute(core::kCatalogReplaceStatement,
                                       core::CatalogReplaceParams(id, values), trace);
  if (!result) co_return result.error();
  if (result->rows.size() != 1 || result->rows[0].size() != 3) {
    co_return Unexpected(core::kCatalogReplaceStatement);
  }
  const auto& row = result->rows[0];
  if (!row[0] || !row[1]) co_return NotFound(id);
  auto old_item = Decode(*row[0]);
  if (!old_item) co_return old_item.error();
  auto new_item = Decode(*row[1]);
  if (!new_item) co_return new_item.error();
  co_return WriteOutcome{WriteOutcome::Kind::kReplaced, std::move(*old_item), std::move(*new_item),
                         ToInt(row[2])};
}

asio::awaitable<base::Result<WriteOutcome>> PgCatalogRepository::Delete(std::int64_t id,
                                                                        base::RequestTrace* trace) {
  core::SqlParams params = {std::to_string(id)};
  auto result = co_await pool_.Execute(core::kCatalogDeleteStatement, std::move(params), trace);
  if (!result) co_return result.error();
  if (result->rows.empty() || !result->rows[0][0]) co_return NotFound(id);
  if (result->rows[0].size() != 2) co_return Unexpected(core::kCatalogDeleteStatement);
  auto old_item = Decode(*result->rows[0][0]);
  if (!old_item) co_return old_item.error();
  co_return WriteOutcome{WriteOutcome::Kind::kDeleted, std::move(*old_item), std::nullopt,
                         ToInt(result->rows[0][1])};
}

asio::awaitable<base::Status> PgCatalogRepository::DeleteOutboxRow(std::int64_t outbox_id) {
  core::SqlParams params = {std::to_string(outbox_id)};
  auto result = co_await pool_.Execute(core::kCacheOutboxDeleteStatement, std::move(params));
  if (!result) co_return result.error();
  co_return base::OkStatus();
}

asio::awaitable<base::Status> PgCatalogRepository::Ping() {
  auto result = co_await pool_.Execute(core::kHealthPingStatement, {});
  if (!result) co_return result.error();
  co_return base::OkStatus();
}

}  // namespace vitrina::catalog
