#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vitrina/base/access_token.hpp"

namespace vitrina::telemetry {

// What one POST to the ingestion endpoint came back with.
struct IngestionResponse {
  long status = 0;  // HTTP status; 0 when there was no answer (refused, timed out, given up)
  std::string body;
  std::optional<std::chrono::seconds> retry_after;
  std::string error;  // the transport's reason when status is 0
};

// Sends one batch body. An interface so the exporter's queue and retry logic can be tested and
// benchmarked without a network; the real one is http::HttpClient.
class IngestionTransport {
 public:
  virtual ~IngestionTransport() = default;

  // Blocks until answered, until `timeout`, or until `give_up()` turns true (checked at least
  // every 50 ms, so shutdown deadlines hold even while the endpoint hangs).
  virtual IngestionResponse Post(std::string_view body, std::chrono::milliseconds timeout,
                                 const std::function<bool()>& give_up) = 0;
};

// POSTs to `track_url` through one http::HttpClient, so the TLS connection is reused between
// batches. With `gzip_level` 1-9 each body is sent gzip-compressed (`Content-Encoding: gzip`,
// which the ingestion endpoint accepts; batches shrink ~10-15x); 0 sends it as is. With
// `bearer`, each batch carries its current token (Entra authentication); a batch sent while there
// is none fails like an unreachable endpoint (status 0) and is retried.
// Used from one thread at a time (the exporter's worker).
std::unique_ptr<IngestionTransport> MakeHttpIngestionTransport(
    std::string track_url, std::chrono::milliseconds connect_timeout, int gzip_level,
    const base::AccessTokenSource* bearer = nullptr);

}  // namespace vitrina::telemetry
