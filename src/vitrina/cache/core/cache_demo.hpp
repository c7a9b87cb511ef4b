#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vitrina::cache::core {

// The pure half of `vitrina demo cache` (cli/demo_command.cpp does the requests): what each step
// must show, the verdict and the table.

// One row of the demo's table.
struct DemoStep {
  std::string name;                   // "GET (miss)"
  std::string request;                // "GET /catalog?cut=Fair", "EXISTS catalog:cut=Fair"
  std::optional<int> status;          // HTTP status; none for a Redis step or no answer
  std::string x_cache;                // the X-Cache header ("" when absent)
  std::optional<double> time_ms;      // round trip as the client saw it
  std::optional<std::int64_t> rows;   // "count" of a list, EXISTS's answer for a Redis step
  std::string note;                   // what the step shows
  std::vector<std::string> failures;  // unmet expectations; empty: as expected
};

// What a step must show; unset members are not checked.
struct DemoExpectation {
  std::optional<int> status;
  std::vector<std::string> x_cache;  // accepted values; empty: any
  std::optional<std::int64_t> rows;
};

// Appends one failure text per unmet expectation to step.failures.
void CheckDemoStep(DemoStep& step, const DemoExpectation& expected);

// "count" of a GET /catalog body and "id" of an item body; nullopt when absent or not JSON.
std::optional<std::int64_t> CatalogBodyCount(std::string_view body);
std::optional<std::int64_t> ItemBodyId(std::string_view body);

// "12.3x faster than the miss", or "" when either time is missing or not positive.
std::string SpeedupNote(std::optional<double> miss_ms, std::optional<double> hit_ms);

// Columns step | request | status | X-Cache | time ms | rows | note, padded to their widest
// cell; a failed step's note ends with "FAIL: ..." so the table alone tells what went wrong.
std::string FormatDemoTable(const std::vector<DemoStep>& steps);

// "<step name>: <failure>" for every failure, in step order.
std::vector<std::string> DemoFailures(const std::vector<DemoStep>& steps);

// The item the demo creates and deletes again: a valid cut=Fair diamond (datasets/diamonds.yaml).
std::string DemoDiamondJson();

}  // namespace vitrina::cache::core
