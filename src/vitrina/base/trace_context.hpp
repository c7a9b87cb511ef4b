#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vitrina::base {

// W3C Trace Context ids as lowercase hex, held inline: starting a request allocates nothing.
struct TraceId {
  std::array<char, 32> hex{};
  std::string_view View() const { return {hex.data(), hex.size()}; }
  bool operator==(const TraceId&) const = default;
};

struct SpanId {
  std::array<char, 16> hex{};
  std::string_view View() const { return {hex.data(), hex.size()}; }
  bool operator==(const SpanId&) const = default;
};

// The fields of an incoming `traceparent: 00-<trace-id>-<parent-id>-<flags>` header.
struct TraceParent {
  TraceId trace_id;
  SpanId parent_id;
  std::uint8_t flags = 0;
};

inline constexpr std::uint8_t kTraceFlagSampled = 0x01;

// Returns nothing when the header is absent or invalid (wrong length or separators, upper-case
// or non-hex digits, version ff, all-zero ids); the caller then starts a new trace, as the W3C
// spec asks. Versions above 00 are accepted if their first four fields parse (forward compat).
std::optional<TraceParent> ParseTraceparent(std::string_view header);

// "00-<trace-id>-<span-id>-<flags>", for outbound calls made on behalf of a request.
std::string FormatTraceparent(const TraceId& trace_id, const SpanId& span_id, std::uint8_t flags);

// Random ids from a per-thread xoshiro256** seeded once from std::random_device: ids must be
// unique, not secret, and generating them must not take a lock or a syscall per request.
TraceId NewTraceId();
SpanId NewSpanId();

// The trace a request belongs to: from its `traceparent` header, or new.
struct TraceContext {
  TraceId trace_id;                 // ai.operation.id
  SpanId span_id;                   // the Request envelope's id; dependencies' parentId
  std::optional<SpanId> parent_id;  // the caller's span, when a valid traceparent came in
  // W3C trace flags. With telemetry on, the sampled bit is this process's sampling decision
  // for the trace (telemetry::Telemetry::StartRequest), so outgoing headers carry it on.
  std::uint8_t flags = kTraceFlagSampled;
  std::chrono::system_clock::time_point start;  // the Request envelope's time
  // The route template once the router knows it (points into the route table), so that
  // dependencies tracked during the request carry ai.operation.name.
  std::string_view operation_name;

  // The `traceparent` header for outbound HTTP calls made for this request (this request's
  // span is their parent).
  std::string OutgoingTraceparent() const;
};

}  // namespace vitrina::base
