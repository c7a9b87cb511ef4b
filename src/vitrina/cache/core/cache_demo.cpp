#include "vitrina/cache/core/cache_demo.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace vitrina::cache::core {
namespace {

std::optional<std::int64_t> IntegerField(std::string_view body, std::string_view field) {
  boost::system::error_code error;
  const auto value = boost::json::parse(body, error);
  if (error || !value.is_object()) {
    return std::nullopt;
  }
  const auto* member = value.as_object().if_contains(field);
  if (member == nullptr || !member->is_int64()) {
    return std::nullopt;
  }
  return member->as_int64();
}

std::string Milliseconds(double ms) {
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "%.1f", ms);
  return text.data();
}

std::string Joined(const std::vector<std::string>& parts, std::string_view separator) {
  std::string text;
  for (const auto& part : parts) {
    text += (text.empty() ? "" : std::string(separator)) + part;
  }
  return text;
}

}  // namespace

void CheckDemoStep(DemoStep& step, const DemoExpectation& expected) {
  if (expected.status && step.status != expected.status) {
    step.failures.push_back("expected status " + std::to_string(*expected.status) + ", got " +
                            (step.status ? std::to_string(*step.status) : "no answer"));
  }
  if (!expected.x_cache.empty() && std::find(expected.x_cache.begin(), expected.x_cache.end(),
                                             step.x_cache) == expected.x_cache.end()) {
    step.failures.push_back("expected X-Cache " + Joined(expected.x_cache, " or ") + ", got " +
                            (step.x_cache.empty() ? "none" : step.x_cache));
  }
  if (expected.rows && step.rows != expected.rows) {
    step.failures.push_back("expected " + std::to_string(*expected.rows) + " rows, got " +
                            (step.rows ? std::to_string(*step.rows) : "none"));
  }
}

std::optional<std::int64_t> CatalogBodyCount(std::string_view body) {
  return IntegerField(body, "count");
}

std::optional<std::int64_t> ItemBodyId(std::string_view body) { return IntegerField(body, "id"); }

std::string SpeedupNote(std::optional<double> miss_ms, std::optional<double> hit_ms) {
  if (!miss_ms || !hit_ms || *miss_ms <= 0 || *hit_ms <= 0) {
    return {};
  }
  std::array<char, 64> text{};
  std::snprintf(text.data(), text.size(), "%.1fx faster than the miss", *miss_ms / *hit_ms);
  return text.data();
}

std::string FormatDemoTable(const std::vector<DemoStep>& steps) {
  constexpr std::size_t kColumns = 7;
  using Row = std::array<std::string, kColumns>;
  std::vector<Row> rows = {{"step", "request", "status", "X-Cache", "time ms", "rows", "note"}};
  for (const auto& step : steps) {
    std::string note = step.note;
    if (!step.failures.empty()) {
      note += std::string(note.empty() ? "" : "; ") + "FAIL: " + Joined(step.failures, "; ");
    }
    rows.push_back({step.name, step.request, step.status ? std::to_string(*step.status) : "-",
                    step.x_cache.empty() ? "-" : step.x_cache,
                    step.time_ms ? Milliseconds(*step.time_ms) : "-",
                    step.rows ? std::to_string(*step.rows) : "-", note});
  }
  std::array<std::size_t, kColumns> widths{};
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < kColumns; ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  const auto line = [&](const Row& row) {
    std::string text;
    for (std::size_t i = 0; i < kColumns; ++i) {
      if (i > 0) {
        text += " | ";
      }
      // Numbers right-aligned, text left-aligned; the last column is not padded.
      const bool numeric = i == 2 || i == 4 || i == 5;
      const std::string padding(widths[i] - row[i].size(), ' ');
      if (i + 1 == kColumns) {
        text += row[i];
      } else {
        text += numeric ? padding + row[i] : row[i] + padding;
      }
    }
    while (!text.empty() && text.back() == ' ') {
      text.pop_back();
    }
    return text + "\n";
  };
  std::string table = line(rows[0]);
  std::string rule;
  for (std::size_t i = 0; i < kColumns; ++i) {
    if (i > 0) {
      rule += "-+-";
    }
    // The note column is ragged: its rule is as wide as its title.
    rule += std::string(i + 1 == kColumns ? rows[0][i].size() : widths[i], '-');
  }
  table += rule + "\n";
  for (std::size_t i = 1; i < rows.size(); ++i) {
    table += line(rows[i]);
  }
  return table;
}

std::vector<std::string> DemoFailures(const std::vector<DemoStep>& steps) {
  std::vector<std::string> failures;
  for (const auto& step : steps) {
    for (const auto& failure : step.failures) {
      failures.push_back(step.name + ": " + failure);
    }
  }
  return failures;
}

std::string DemoDiamondJson() {
  return R"({"carat":0.77,"cut":"Fair","color":"E","clarity":"VS2","depth":64.1,"table":58,)"
         R"("price":2468,"x":5.8,"y":5.75,"z":3.7})";
}

}  // namespace vitrina::cache::core
