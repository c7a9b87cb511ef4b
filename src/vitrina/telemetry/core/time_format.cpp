#include "vitrina/telemetry/core/time_format.hpp"

#include <cstdint>

namespace vitrina::telemetry::core {
namespace {

// Fixed-width decimal digits by hand: both formats run for every envelope, and snprintf was a
// sixth of the cost of building one.
char* WriteDigits(char* out, std::uint64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

char* WriteUnpadded(char* out, std::uint64_t value) {
  char digits[20];
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0);
  while (count > 0) *out++ = digits[--count];
  return out;
}

}  // namespace

std::string FormatTelemetryDuration(std::chrono::microseconds duration) {
  const auto total = static_cast<std::uint64_t>(duration.count() < 0 ? 0 : duration.count());
  const std::uint64_t seconds = total / 1'000'000;
  char text[40];
  char* out = WriteUnpadded(text, seconds / 86400);
  *out++ = '.';
  out = WriteDigits(out, seconds / 3600 % 24, 2);
  *out++ = ':';
  out = WriteDigits(out, seconds / 60 % 60, 2);
  *out++ = ':';
  out = WriteDigits(out, seconds % 60, 2);
  *out++ = '.';
  out = WriteDigits(out, total % 1'000'000, 6);
  return std::string(text, out);
}

std::string FormatTelemetryTime(std::chrono::system_clock::time_point time) {
  // Calendar arithmetic instead of gmtime_r: glibc's gmtime_r takes the process-wide timezone
  // lock, and this runs for every envelope on every request thread.
  using namespace std::chrono;
  const auto micros = floor<microseconds>(time);
  const auto day = floor<days>(micros);
  const year_month_day date{day};
  const hh_mm_ss clock{micros - day};
  char text[32];
  char* out = WriteDigits(text, static_cast<std::uint64_t>(static_cast<int>(date.year())), 4);
  *out++ = '-';
  out = WriteDigits(out, static_cast<unsigned>(date.month()), 2);
  *out++ = '-';
  out = WriteDigits(out, static_cast<unsigned>(date.day()), 2);
  *out++ = 'T';
  out = WriteDigits(out, static_cast<std::uint64_t>(clock.hours().count()), 2);
  *out++ = ':';
  out = WriteDigits(out, static_cast<std::uint64_t>(clock.minutes().count()), 2);
  *out++ = ':';
  out = WriteDigits(out, static_cast<std::uint64_t>(clock.seconds().count()), 2);
  *out++ = '.';
  out = WriteDigits(out, static_cast<std::uint64_t>(clock.subseconds().count()), 6);
  *out++ = 'Z';
  return std::string(text, out);
}

}  // namespace vitrina::telemetry::core
