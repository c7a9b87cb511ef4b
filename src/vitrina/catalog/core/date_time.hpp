#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vitrina/base/result.hpp"

namespace vitrina::catalog::core {

// A calendar date (a `date` column): days since 1970-01-01, proleptic Gregorian, years 1 to 9999.
struct Date {
  std::int32_t days = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy misreads the defaulted <=>'s 0
  auto operator<=>(const Date&) const = default;
};

// An instant (a `timestamp` column, timestamptz in PostgreSQL): microseconds since
// 1970-01-01T00:00:00Z. Offsets are applied on parsing; the value itself has no time zone.
struct Timestamp {
  std::int64_t micros = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy misreads the defaulted <=>'s 0
  auto operator<=>(const Timestamp&) const = default;
};

// The civil fields a date or timestamp is made of, before they are checked.
struct CivilDateTime {
  int year = 1;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int micros = 0;
  int offset_minutes = 0;  // east of UTC: +02:00 is 120
};

inline constexpr int kMinYear = 1;
inline constexpr int kMaxYear = 9999;
// The largest UTC offset accepted (+14:00 is the easternmost zone in use). PostgreSQL accepts up
// to 15:59; the tighter bound keeps every accepted value inside what both sides convert.
inline constexpr int kMaxOffsetHours = 14;

int DaysInMonth(int year, int month);
// True when the fields name a real date and time (Feb 29 only in leap years; no leap seconds).
bool IsValidCivil(const CivilDateTime& civil);
Date DateOf(const CivilDateTime& civil);            // only for IsValidCivil fields
Timestamp TimestampOf(const CivilDateTime& civil);  // only for IsValidCivil fields

// ISO 8601 calendar date, exactly YYYY-MM-DD.
std::optional<Date> ParseIsoDate(std::string_view text);
// ISO 8601 date and time: YYYY-MM-DD, 'T' or a space, HH:MM, optional :SS and .f (1 to 6
// digits), optional Z, ±HH, ±HHMM or ±HH:MM. Without an offset the time is UTC.
std::optional<Timestamp> ParseIsoTimestamp(std::string_view text);

// "2024-01-31".
std::string FormatDate(Date date);
// "2024-01-31T12:00:00Z", with ".5" or ".123456" when there is a fraction: the canonical text of
// an instant (cache keys, SQL parameters, COPY).
std::string FormatTimestamp(Timestamp timestamp);

// A strftime-like layout for dates or timestamps that are not ISO 8601 (`format: "%m/%d/%Y"` in a
// spec). Directives: %Y (4-digit year), %y (2 digits: 69-99 are 19xx, 00-68 are 20xx, as POSIX
// strptime), %m, %d, %H, %M, %S (1 or 2 digits; exactly 2 when another number follows with
// nothing between, so "%Y%m%d" is unambiguous), %% (a percent sign). Other characters are
// literal: letters, digits, space and - / . : , _. A date layout needs a year, a month and a day;
// a timestamp layout also an hour and a minute. Timestamps read through a layout are UTC.
class DateFormat {
 public:
  struct Token {
    enum class Kind { kLiteral, kYear4, kYear2, kMonth, kDay, kHour, kMinute, kSecond };
    Kind kind = Kind::kLiteral;
    std::string literal;  // kLiteral
    int min_digits = 1;   // numbers: how many digits it takes
    int max_digits = 2;
  };

  static base::Result<DateFormat> Compile(std::string_view pattern, bool with_time);

  // The fields read from `text`, or nullopt when it does not follow the layout (the fields are
  // not checked: see IsValidCivil).
  std::optional<CivilDateTime> Read(std::string_view text) const;

  const std::string& pattern() const { return pattern_; }
  const std::vector<Token>& tokens() const { return tokens_; }

 private:
  std::string pattern_;
  std::vector<Token> tokens_;
};

}  // namespace vitrina::catalog::core
