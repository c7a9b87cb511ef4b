#include "vitrina/etl/progress.hpp"

#include <cstdio>
#include <unistd.h>

#include <spdlog/spdlog.h>

namespace vitrina::etl {

namespace {
constexpr auto kBarInterval = std::chrono::milliseconds(100);
constexpr auto kLogInterval = std::chrono::seconds(5);
}  // namespace

std::string HumanBytes(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int unit = 0;
  while (bytes >= 1000 && unit < 4) {
    bytes /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof(text), unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return text;
}

Progress::Style Progress::StyleForStderr() {
  return ::isatty(STDERR_FILENO) != 0 ? Style::kBar : Style::kLogLines;
}

void Progress::Update(std::uint64_t bytes, std::int64_t rows) {
  if (style_ == Style::kNone) return;
  const auto now = std::chrono::steady_clock::now();
  const auto interval = style_ == Style::kBar ? std::chrono::steady_clock::duration(kBarInterval)
                                              : std::chrono::steady_clock::duration(kLogInterval);
  if (drawn_ ? now - last_draw_ < interval : now - start_ < interval) return;
  last_draw_ = now;
  drawn_ = true;
  Draw(bytes, rows, now);
}

void Progress::Draw(std::uint64_t bytes, std::int64_t rows,
                    std::chrono::steady_clock::time_point now) {
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(rows) / seconds : 0;
  std::string line;
  if (total_ && *total_ > 0) {
    const double fraction =
        std::min(1.0, static_cast<double>(bytes) / static_cast<double>(*total_));
    const double bytes_rate = seconds > 0 ? static_cast<double>(bytes) / seconds : 0;
    const double eta =
        bytes_rate > 0 ? static_cast<double>(*total_ - std::min(bytes, *total_)) / bytes_rate : 0;
    char text[160];
    if (style_ == Style::kBar) {
      constexpr int kWidth = 24;
      const int filled = static_cast<int>(fraction * kWidth);
      std::string bar(static_cast<std::size_t>(filled), '#');
      bar.append(static_cast<std::size_t>(kWidth - filled), '-');
      std::snprintf(text, sizeof(text), "[%s] %5.1f%% %s/%s  %lld rows  %.0f rows/s  ETA %.0fs",
                    bar.c_str(), fraction * 100, HumanBytes(static_cast<double>(bytes)).c_str(),
                    HumanBytes(static_cast<double>(*total_)).c_str(), static_cast<long long>(rows),
                    rate, eta);
    } else {
      std::snprintf(text, sizeof(text), "read %s of %s (%.0f%%), %lld rows, %.0f rows/s, ETA %.0fs",
                    HumanBytes(static_cast<double>(bytes)).c_str(),
                    HumanBytes(static_cast<double>(*total_)).c_str(), fraction * 100,
                    static_cast<long long>(rows), rate, eta);
    }
    line = text;
  } else {
    char text[120];
    std::snprintf(text, sizeof(text), "read %s, %lld rows, %.0f rows/s",
                  HumanBytes(static_cast<double>(bytes)).c_str(), static_cast<long long>(rows),
                  rate);
    line = text;
  }
  if (style_ == Style::kBar) {
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
  } else {
    spdlog::info("{}", line);
  }
}

void Progress::Done() {
  if (style_ == Style::kBar && drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
}

}  // namespace vitrina::etl
