#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vitrina::catalog::core {

// The channel a committed catalog load is announced on (NOTIFY), and its payload: the table that
// was reloaded and the run, "<table>:<run id>" ("diamonds:42"). Every server of every dataset
// listens on the one channel; the table tells each one whether the reload is its own, so that a
// load of dataset B does not flush the cached answers of dataset A (docs/cache.md).
inline constexpr std::string_view kCatalogReloadedChannel = "vitrina_catalog_reloaded";

std::string ReloadPayload(std::string_view table, std::int64_t run_id);

// Whether a reload announced with `payload` concerns `table`. A payload that names no table (the
// bare run id an older release sent, or anything unreadable) concerns every table: flushing too
// much is safe, too little is not.
bool ReloadConcernsTable(std::string_view payload, std::string_view table);

}  // namespace vitrina::catalog::core
