#pragma once

#include "vitrina/catalog/catalog_repository.hpp"
#include "vitrina/catalog/core/catalog_sql.hpp"
#include "vitrina/catalog/core/dataset_spec.hpp"
#include "vitrina/db/async_pool.hpp"

namespace vitrina::catalog {

// The catalog over PostgreSQL through the pool's named statements (catalog/core/catalog_sql.hpp),
// which the pool must have been configured to prepare (see CatalogPreparedStatements).
class PgCatalogRepository final : public CatalogReader,
                                  public CatalogWriter,
                                  public CatalogStreamReader {
 public:
  PgCatalogRepository(const core::DatasetSpec& spec, db::AsyncPool& pool)
      : spec_(spec), pool_(pool) {}

  boost::asio::awaitable<base::Result<CatalogPage>> List(
      const core::CatalogQuery& query, base::RequestTrace* trace = nullptr) override;
  boost::asio::awaitable<base::Result<std::string>> Get(
      std::int64_t id, base::RequestTrace* trace = nullptr) override;
  boost::asio::awaitable<base::Result<std::string>> Facets(
      base::RequestTrace* trace = nullptr) override;
  boost::asio::awaitable<base::Result<WriteOutcome>> Create(
      std::vector<core::FieldValue> values, base::RequestTrace* trace = nullptr) override;
  boost::asio::awaitable<base::Result<WriteOutcome>> Replace(
      std::int64_t id, std::vector<core::FieldValue> values,
      base::RequestTrace* trace = nullptr) override;
  boost::asio::awaitable<base::Result<WriteOutcome>> Delete(
      std::int64_t id, base::RequestTrace* trace = nullptr) override;

  boost::asio::awaitable<base::Result<std::unique_ptr<ItemStream>>> OpenList(
      const core::CatalogQuery& query, std::size_t batch_items) override;

  // Deletes a write's cache_outbox row once its cache invalidation is confirmed.
  boost::asio::awaitable<base::Status> DeleteOutboxRow(std::int64_t outbox_id);

  // Readiness probe: PostgreSQL answers a trivial statement.
  boost::asio::awaitable<base::Status> Ping();

 private:
  base::Result<StoredItem> Decode(const std::string& json) const;

  const core::DatasetSpec& spec_;
  db::AsyncPool& pool_;
};

// The statements PgCatalogRepository uses, to put into PoolSettings::statements.
std::vector<db::PreparedStatement> CatalogPreparedStatements(const core::DatasetSpec& spec);

}  // namespace vitrina::catalog
