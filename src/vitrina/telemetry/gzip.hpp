#pragma once

#include <string>
#include <string_view>

namespace vitrina::telemetry {

// `input` as one gzip member (RFC 1952), for `Content-Encoding: gzip` on ingestion batches.
// `level` is zlib's: 1 is fastest, 9 smallest, 6 its default. zlib fails only when it cannot
// allocate or the level is not 0-9 (the settings reader checks it): both are bugs here, thrown
// as std::runtime_error.
std::string Gzip(std::string_view input, int level);

}  // namespace vitrina::telemetry
