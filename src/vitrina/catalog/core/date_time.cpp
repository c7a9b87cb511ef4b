#include "vitrina/catalog/core/date_time.hpp"

#include <cstdio>

namespace vitrina::catalog::core {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t DaysFromCivil(std::int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const std::int64_t year_of_era = year - era * 400;
  const std::int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const std::int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146'097 + day_of_era - 719'468;
}

struct Civil {
  std::int64_t year;
  int month;
  int day;
};

Civil CivilFromDays(std::int64_t days) {
  days += 719'468;
  const std::int64_t era = (days >= 0 ? days : days - 146'096) / 146'097;
  const std::int64_t day_of_era = days - era * 146'097;
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
  const std::int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t shifted_month = (5 * day_of_year + 2) / 153;
  const int day = static_cast<int>(day_of_year - (153 * shifted_month + 2) / 5 + 1);
  const int month = static_cast<int>(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
  return {year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `count` digits at `pos`.
std::optional<int> Digits(std::string_view text, std::size_t& pos, int count) {
  if (pos + static_cast<std::size_t>(count) > text.size()) return std::nullopt;
  int value = 0;
  for (int i = 0; i < count; ++i) {
    const char c = text[pos + static_cast<std::size_t>(i)];
    if (!IsDigit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(count);
  return value;
}

bool Expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

// YYYY-MM-DD at `pos`.
bool ReadIsoDate(std::string_view text, std::size_t& pos, CivilDateTime& civil) {
  const auto year = Digits(text, pos, 4);
  if (!year || !Expect(text, pos, '-')) return false;
  const auto month = Digits(text, pos, 2);
  if (!month || !Expect(text, pos, '-')) return false;
  const auto day = Digits(text, pos, 2);
  if (!day) return false;
  civil.year = *year;
  civil.month = *month;
  civil.day = *day;
  return true;
}

// The bounds every timestamp must fall in once it is in UTC: years 1 to 9999, which both the
// canonical text and PostgreSQL's input read back.
constexpr std::int64_t kFirstMicros = -62'135'596'800 * kMicrosPerSecond;  // 0001-01-01T00:00Z
constexpr std::int64_t kLastMicros =
    253'402'300'800 * kMicrosPerSecond - 1;  // 9999-12-31T23:59:59.999999Z

std::optional<Timestamp> InRange(const CivilDateTime& civil) {
  if (!IsValidCivil(civil)) return std::nullopt;
  const Timestamp timestamp = TimestampOf(civil);
  if (timestamp.micros < kFirstMicros || timestamp.micros > kLastMicros) return std::nullopt;
  return timestamp;
}

}  // namespace

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

bool IsValidCivil(const CivilDateTime& civil) {
  return civil.year >= kMinYear && civil.year <= kMaxYear && civil.month >= 1 &&
         civil.month <= 12 && civil.day >= 1 && civil.day <= DaysInMonth(civil.year, civil.month) &&
         civil.hour >= 0 && civil.hour <= 23 && civil.minute >= 0 && civil.minute <= 59 &&
         civil.second >= 0 && civil.second <= 59 && civil.micros >= 0 &&
         civil.micros < kMicrosPerSecond && civil.offset_minutes >= -(kMaxOffsetHours * 60) &&
         civil.offset_minutes <= kMaxOffsetHours * 60;
}

Date DateOf(const CivilDateTime& civil) {
  return Date{static_cast<std::int32_t>(DaysFromCivil(civil.year, civil.month, civil.day))};
}

Timestamp TimestampOf(const CivilDateTime& civil) {
  const std::int64_t seconds_of_day =
      (static_cast<std::int64_t>(civil.hour) * 60 + civil.minute) * 60 + civil.second;
  return Timestamp{DaysFromCivil(civil.year, civil.month, civil.day) * kMicrosPerDay +
                   seconds_of_day * kMicrosPerSecond + civil.micros -
                   static_cast<std::int64_t>(civil.offset_minutes) * 60 * kMicrosPerSecond};
}

std::optional<Date> ParseIsoDate(std::string_view text) {
  CivilDateTime civil;
  std::size_t pos = 0;
  if (!ReadIsoDate(text, pos, civil) || pos != text.size() || !IsValidCivil(civil)) {
    return std::nullopt;
  }
  return DateOf(civil);
}

std::optional<Timestamp> ParseIsoTimestamp(std::string_view text) {
  CivilDateTime civil;
  std::size_t pos = 0;
  if (!ReadIsoDate(text, pos, civil)) return std::nullopt;
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != ' ')) return std::nullopt;
  ++pos;
  const auto hour = Digits(text, pos, 2);
  if (!hour || !Expect(text, pos, ':')) return std::nullopt;
  const auto minute = Digits(text, pos, 2);
  if (!minute) return std::nullopt;
  civil.hour = *hour;
  civil.minute = *minute;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    const auto second = Digits(text, pos, 2);
    if (!second) return std::nullopt;
    civil.second = *second;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      int digits = 0;
      int fraction = 0;
      while (pos < text.size() && IsDigit(text[pos]) && digits < 7) {
        fraction = fraction * 10 + (text[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0 || digits > 6) return std::nullopt;
      for (int i = digits; i < 6; ++i) fraction *= 10;
      civil.micros = fraction;
    }
  }
  if (pos < text.size()) {
    if (text[pos] == 'Z') {
      ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
      const int sign = text[pos] == '-' ? -1 : 1;
      ++pos;
      const auto offset_hours = Digits(text, pos, 2);
      if (!offset_hours) return std::nullopt;
      int offset_minutes = 0;
      if (pos < text.size()) {
        Expect(text, pos, ':');
        const auto minutes = Digits(text, pos, 2);
        if (!minutes || *minutes > 59) return std::nullopt;
        offset_minutes = *minutes;
      }
      civil.offset_minutes = sign * (*offset_hours * 60 + offset_minutes);
    } else {
      return std::nullopt;
    }
  }
  if (pos != text.size()) return std::nullopt;
  return InRange(civil);
}

std::string FormatDate(Date date) {
  const Civil civil = CivilFromDays(date.days);
  char text[32];
  std::snprintf(text, sizeof(text), "%04lld-%02d-%02d", static_cast<long long>(civil.year),
                civil.month, civil.day);
  return text;
}

std::string FormatTimestamp(Timestamp timestamp) {
  std::int64_t days = timestamp.micros / kMicrosPerDay;
  std::int64_t rest = timestamp.micros % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  const Civil civil = CivilFromDays(days);
  const std::int64_t seconds = rest / kMicrosPerSecond;
  std::int64_t micros = rest % kMicrosPerSecond;
  char text[64];
  int length = std::snprintf(text, sizeof(text), "%04lld-%02d-%02dT%02lld:%02lld:%02lld",
                             static_cast<long long>(civil.year), civil.month, civil.day,
                             static_cast<long long>(seconds / 3600),
                             static_cast<long long>(seconds / 60 % 60),
                             static_cast<long long>(seconds % 60));
  std::string out(text, static_cast<std::size_t>(length));
  if (micros > 0) {
    int digits = 6;
    while (micros % 10 == 0) {
      micros /= 10;
      --digits;
    }
    length = std::snprintf(text, sizeof(text), ".%0*lld", digits, static_cast<long long>(micros));
    out.append(text, static_cast<std::size_t>(length));
  }
  out += 'Z';
  return out;
}

namespace {

bool IsLiteralCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == ' ' || c == '-' ||
         c == '/' || c == '.' || c == ':' || c == ',' || c == '_';
}

base::Error BadFormat(std::string_view pattern, const std::string& why) {
  return base::MakeError(base::ErrorCode::kInvalidArgument,
                         "format '" + std::string(pattern) + "' " + why);
}

}  // namespace

base::Result<DateFormat> DateFormat::Compile(std::string_view pattern, bool with_time) {
  using Kind = Token::Kind;
  DateFormat format;
  format.pattern_ = std::string(pattern);
  int seen[8] = {};
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c != '%') {
      if (!IsLiteralCharacter(c)) {
        return BadFormat(pattern, std::string("has a character that cannot be literal: '") + c +
                                      "' (use letters, digits, space or - / . : , _)");
      }
      if (format.tokens_.empty() || format.tokens_.back().kind != Kind::kLiteral) {
        format.tokens_.push_back({Kind::kLiteral, {}, 0, 0});
      }
      format.tokens_.back().literal += c;
      continue;
    }
    if (++i == pattern.size()) return BadFormat(pattern, "ends with a lone %");
    Token token;
    switch (pattern[i]) {
      case '%':
        if (format.tokens_.empty() || format.tokens_.back().kind != Kind::kLiteral) {
          format.tokens_.push_back({Kind::kLiteral, {}, 0, 0});
        }
        format.tokens_.back().literal += '%';
        continue;
      case 'Y':
        token = {Kind::kYear4, {}, 4, 4};
        break;
      case 'y':
        token = {Kind::kYear2, {}, 2, 2};
        break;
      case 'm':
        token = {Kind::kMonth, {}, 1, 2};
        break;
      case 'd':
        token = {Kind::kDay, {}, 1, 2};
        break;
      case 'H':
        token = {Kind::kHour, {}, 1, 2};
        break;
      case 'M':
        token = {Kind::kMinute, {}, 1, 2};
        break;
      case 'S':
        token = {Kind::kSecond, {}, 1, 2};
        break;
      default:
        return BadFormat(pattern, std::string("has an unknown directive %") + pattern[i] +
                                      " (known: %Y %y %m %d %H %M %S %%)");
    }
    if (!with_time &&
        (token.kind == Kind::kHour || token.kind == Kind::kMinute || token.kind == Kind::kSecond)) {
      return BadFormat(pattern, "has a time directive: use type timestamp for dates with times");
    }
    if (++seen[static_cast<int>(token.kind)] > 1) {
      return BadFormat(pattern, std::string("repeats %") + pattern[i]);
    }
    format.tokens_.push_back(token);
  }
  const bool year =
      seen[static_cast<int>(Kind::kYear4)] + seen[static_cast<int>(Kind::kYear2)] == 1;
  if (!year || seen[static_cast<int>(Kind::kMonth)] == 0 ||
      seen[static_cast<int>(Kind::kDay)] == 0) {
    return BadFormat(pattern, "needs a year (%Y or %y), a month (%m) and a day (%d)");
  }
  if (with_time &&
      (seen[static_cast<int>(Kind::kHour)] == 0 || seen[static_cast<int>(Kind::kMinute)] == 0)) {
    return BadFormat(pattern, "needs an hour (%H) and a minute (%M) for a timestamp");
  }
  // A number followed directly by a digit (another number, or a literal starting with a digit)
  // takes exactly two digits, so that reading is unambiguous.
  for (std::size_t t = 0; t + 1 < format.tokens_.size(); ++t) {
    auto& token = format.tokens_[t];
    if (token.kind == Kind::kLiteral) continue;
    const auto& next = format.tokens_[t + 1];
    if (next.kind != Kind::kLiteral || IsDigit(next.literal.front())) {
      token.min_digits = token.max_digits;
    }
  }
  return format;
}

std::optional<CivilDateTime> DateFormat::Read(std::string_view text) const {
  using Kind = Token::Kind;
  CivilDateTime civil;
  std::size_t pos = 0;
  for (const auto& token : tokens_) {
    if (token.kind == Kind::kLiteral) {
      if (text.substr(pos, token.literal.size()) != token.literal) return std::nullopt;
      pos += token.literal.size();
      continue;
    }
    int value = 0;
    int digits = 0;
    while (digits < token.max_digits && pos < text.size() && IsDigit(text[pos])) {
      value = value * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits < token.min_digits) return std::nullopt;
    switch (token.kind) {
      case Kind::kYear4:
        civil.year = value;
        break;
      case Kind::kYear2:
        civil.year = value < 69 ? 2000 + value : 1900 + value;
        break;
      case Kind::kMonth:
        civil.month = value;
        break;
      case Kind::kDay:
        civil.day = value;
        break;
      case Kind::kHour:
        civil.hour = value;
        break;
      case Kind::kMinute:
        civil.minute = value;
        break;
      case Kind::kSecond:
        civil.second = value;
        break;
      case Kind::kLiteral:
        break;
    }
  }
  if (pos != text.size()) return std::nullopt;
  return civil;
}

}  // namespace vitrina::catalog::core
