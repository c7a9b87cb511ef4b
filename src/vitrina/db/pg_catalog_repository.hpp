#pragma once

#include "vitrina/core/catalog_sql.hpp"
#include "vitrina/core/dataset_spec.hpp"
#include "vitrina/db/async_pool.hpp"
#include "vitrina/db/catalog_repository.hpp"

namespace vitrina::db {

// The catalog over PostgreSQL through the pool's named statements (core/catalog_sql.hpp), which
// the pool must have been configured to prepare (see CatalogPreparedStatements).
class PgCatalogRepository final : public CatalogReader, public CatalogWriter {
 public:
  PgCatalogRepository(const core::DatasetSpec& spec, AsyncPool& pool) : spec_(spec), pool_(pool) {}

  boost::asio::awaitable<core::Result<CatalogPage>> List(
      const core::CatalogQuery& query, core::RequestTrace* trace = nullptr) override;
  boost::asio::awaitable<core::Result<std::string>> Get(
      std::int64_t id, core::RequestTrace* trace = nullptr) override;
  boost::asio::awaitable<core::Result<WriteOutcome>> Create(
      std::vector<core::FieldValue> values, core::RequestTrace* trace = nullptr) override;
  boost::asio::awaitable<core::Result<WriteOutcome>> Replace(
      std::int64_t id, std::vector<core::FieldValue> values,
      core::RequestTrace* trace = nullptr) override;
  boost::asio::awaitable<core::Result<WriteOutcome>> Delete(
      std::int64_t id, core::RequestTrace* trace = nullptr) override;

  // Deletes a write's cache_outbox row once its cache invalidation is confirmed.
  boost::asio::awaitable<core::Status> DeleteOutboxRow(std::int64_t outbox_id);

  // Readiness probe: PostgreSQL answers a trivial statement.
  boost::asio::awaitable<core::Status> Ping();

 private:
  core::Result<StoredItem> Decode(const std::string& json) const;

  const core::DatasetSpec& spec_;
  AsyncPool& pool_;
};

// The statements PgCatalogRepository uses, to put into PoolSettings::statements.
std::vector<PreparedStatement> CatalogPreparedStatements(const core::DatasetSpec& spec);

}  // namespace vitrina::db
