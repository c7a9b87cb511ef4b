#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vitrina/catalog/core/dataset_spec.hpp"

namespace vitrina::catalog::core {

// Double-quotes an identifier for SQL. Spec identifiers are already restricted to [a-z0-9_], the
// quoting is what keeps reserved words such as "table" usable as column names.
std::string QuoteIdent(std::string_view identifier);

std::string_view SqlTypeName(ColumnType type);

// CREATE TABLE for the catalog of a spec, named `table` (the live table or a staging copy): an
// identity "id" key followed by the spec's columns in order.
std::string CatalogTableDdl(const DatasetSpec& spec, std::string_view table);

// One CREATE INDEX per category column, so selective equality filters do not scan the table. The
// column alone, not (column, id): PostgreSQL deduplicates its few distinct values, so the index
// builds in about half the time and is a fraction of the size, and the filters the API runs are
// as fast (figures in docs/etl.md, "Which indexes").
std::vector<std::string> CatalogIndexDdl(const DatasetSpec& spec, std::string_view table);

}  // namespace vitrina::catalog::core
