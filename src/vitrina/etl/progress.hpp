#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace vitrina::etl {

// Shows how far a run is. On a terminal: one redrawn line (bytes, rows/s, ETA when the size is
// known) at most ~10 times a second; otherwise (logs, CI) a plain line every few seconds.
class Progress {
 public:
  enum class Style { kNone, kBar, kLogLines };
  explicit Progress(Style style) : style_(style) {}
  // A bar when stderr is a terminal, log lines otherwise.
  static Style StyleForStderr();

  void SetTotal(std::uint64_t bytes) { total_ = bytes; }
  // Cheap to call per chunk: it redraws only when due.
  void Update(std::uint64_t bytes, std::int64_t rows);
  // Clears the bar.
  void Done();

 private:
  void Draw(std::uint64_t bytes, std::int64_t rows, std::chrono::steady_clock::time_point now);

  Style style_;
  std::optional<std::uint64_t> total_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
};

// "46.0 MB", "812 KB": sizes for people.
std::string HumanBytes(double bytes);

}  // namespace vitrina::etl
