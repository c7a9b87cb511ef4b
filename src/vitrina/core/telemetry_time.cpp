#include "vitrina/core/telemetry_time.hpp"

#include <cstdio>

namespace vitrina::core {

std::string FormatTelemetryDuration(std::chrono::microseconds duration) {
  const long long total = duration.count() < 0 ? 0 : static_cast<long long>(duration.count());
  const long long micros = total % 1'000'000;
  const long long seconds = total / 1'000'000;
  char text[48];
  const int size =
      std::snprintf(text, sizeof text, "%lld.%02lld:%02lld:%02lld.%06lld", seconds / 86400,
                    seconds / 3600 % 24, seconds / 60 % 60, seconds % 60, micros);
  return std::string(text, static_cast<std::size_t>(size));
}

std::string FormatTelemetryTime(std::chrono::system_clock::time_point time) {
  // Calendar arithmetic instead of gmtime_r: glibc's gmtime_r takes the process-wide timezone
  // lock, and this runs for every envelope on every request thread.
  using namespace std::chrono;
  const auto micros = floor<microseconds>(time);
  const auto day = floor<days>(micros);
  const year_month_day date{day};
  const hh_mm_ss clock{micros - day};
  char text[48];
  const int size = std::snprintf(
      text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ", static_cast<int>(date.year()),
      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
      static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
      static_cast<int>(clock.seconds().count()),
      static_cast<long long>(clock.subseconds().count()));
  return std::string(text, static_cast<std::size_t>(size));
}

}  // namespace vitrina::core
