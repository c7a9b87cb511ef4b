#pragma once

#include <boost/asio/awaitable.hpp>

#include "vitrina/cache/catalog_cache.hpp"
#include "vitrina/catalog/catalog_repository.hpp"
#include "vitrina/catalog/core/dataset_spec.hpp"
#include "vitrina/catalog/pg_catalog_repository.hpp"

namespace vitrina::cache {

// Runs after a write committed and before its response: drops every cached answer the write
// affects (both versions of the item), then deletes the write's cache_outbox row. When Redis could
// not confirm, the row stays and the CatalogReloadListener of every instance flushes the cache
// once Redis answers (cache/invalidation_outbox.hpp). All three references must outlive it.
class WriteInvalidator final : public catalog::CatalogWriteListener {
 public:
  WriteInvalidator(const catalog::core::DatasetSpec& spec, CatalogCache& cache,
                   catalog::PgCatalogRepository& repository)
      : spec_(spec), cache_(cache), repository_(repository) {}

  boost::asio::awaitable<void> OnWriteCommitted(const catalog::WriteOutcome& outcome) override;

 private:
  const catalog::core::DatasetSpec& spec_;
  CatalogCache& cache_;
  catalog::PgCatalogRepository& repository_;
};

}  // namespace vitrina::cache
