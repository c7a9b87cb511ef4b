#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace vitrina::telemetry::core {

// How the exporter reacts to what the ingestion endpoint answers, kept pure so every branch is
// unit-tested without a server.

// Whole-batch statuses worth retrying: throttling, timeouts and server errors. Status 0 stands
// for a network error (no HTTP answer). Everything else that is not 200/206 (400, 401, 403, 413,
// 439 daily quota) will not get better by resending and the batch is dropped.
bool IsRetriableBatchStatus(long status);

// Per-item statuses in a 206 answer that are worth resending (as the official SDKs do).
bool IsRetriableItemStatus(long status);

// What to do with each item of a batch answered with 206.
struct PartialAcceptance {
  std::vector<std::size_t> retry;  // indices into the batch, ascending
  std::size_t rejected = 0;        // errored items that must not be resent
  std::size_t accepted = 0;
};

// Parses {"itemsReceived":n,"itemsAccepted":m,"errors":[{"index":i,"statusCode":s,...}]}.
// Indices outside the batch are ignored. Returns nothing if the body is not that shape.
std::optional<PartialAcceptance> ParsePartialAcceptance(std::string_view body,
                                                        std::size_t batch_size);

// Retry-After as delta-seconds ("120"). HTTP-date forms are not worth parsing for ingestion:
// nothing is returned and the exponential backoff applies.
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value);

struct BackoffPolicy {
  std::chrono::milliseconds base{500};
  std::chrono::milliseconds max{30'000};
};

// Delay before retry number `attempt` (1 for the first retry): base * 2^(attempt-1) capped at
// max, then "equal jitter" (half fixed, half random, jitter in [0,1)) so that many replicas
// throttled together do not retry in lockstep. A Retry-After from the server wins, capped at
// five minutes.
std::chrono::milliseconds RetryDelay(const BackoffPolicy& policy, int attempt, double jitter,
                                     std::optional<std::chrono::seconds> retry_after);

}  // namespace vitrina::telemetry::core
