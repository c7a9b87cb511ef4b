#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "vitrina/base/result.hpp"
#include "vitrina/catalog/core/dataset_spec.hpp"
#include "vitrina/catalog/core/field_value.hpp"
#include "vitrina/etl/core/csv_record_parser.hpp"

namespace vitrina::etl::core {

// A spec proposed from a CSV's header and a sample of its records (`vitrina spec infer`). Each
// column gets:
// - a name: the header in snake_case ("Cost Total $" -> cost_total), a valid SQL identifier of at
//   most 63 bytes, never a SQL reserved word nor a name the API keeps (id, limit, cursor), unique
//   (_2, _3 ...); an empty header becomes column_<n>;
// - a type: the first of integer, number, boolean, date, timestamp that accepts every value seen,
//   tried with the ETL's own parser (catalog::core::ParseTextField), so the spec loads what was
//   seen; dates and timestamps in ISO 8601 or one of kDateLayouts / kTimestampLayouts (`format`).
//   Integers written with a leading zero (zip codes, "007") stay strings; else string;
// - null_values: the missing-value markers seen (kNullMarkers always; "-", "?" and "." only when
//   the other values are not strings, where they may be data); `required: true` when the sample
//   had no missing value;
// - `category: true` for a string column of at most kMaxCategoryValues distinct values that
//   repeat (fewer distinct values than half the values seen); `max_length` for strings (twice the
//   longest seen, at least 64: a sample is a sample);
// - a comment with what was seen: counts, distinct values, min and max, examples.
// The proposal is a valid spec (catalog::core::ValidateSpec), which loads the file with zero
// rejects when the sample was representative.
class SpecInferrer final : public CsvRecordSink {
 public:
  static constexpr std::size_t kMaxCategoryValues = 50;
  static constexpr std::size_t kDistinctTracked = 1000;  // beyond, "more than 1000 distinct"

  // `sample`: data records to read after the header (0: all). `delimiter` is the one the records
  // were parsed with, written into the spec when it is not a comma.
  SpecInferrer(std::string dataset_name, std::size_t sample, char delimiter);

  void OnRecord(const CsvRecord& record) override;
  // True once the sample is complete: the caller may stop reading.
  bool Done() const;

  // The proposed spec as YAML with comments, or an error (no header; a record error in the
  // header itself).
  base::Result<std::string> Yaml() const;
  // The same proposal, parsed: what Yaml() describes.
  base::Result<catalog::core::DatasetSpec> Spec() const;

  std::int64_t records_seen() const { return records_; }

 private:
  struct Candidate {
    catalog::core::ColumnSpec column;  // type (and format) tried on every value
    bool fits = true;
    std::optional<catalog::core::FieldValue> low;  // the smallest and largest value read so far
    std::optional<catalog::core::FieldValue> high;
  };
  struct Observed {
    std::string header;
    std::int64_t values = 0;                                   // not missing
    std::map<std::string, std::int64_t, std::less<>> markers;  // missing-value markers seen
    std::set<std::string, std::less<>> distinct;               // up to kDistinctTracked
    bool distinct_overflow = false;
    std::size_t longest = 0;
    bool leading_zero = false;
    std::vector<Candidate> candidates;
  };
  struct Proposal {
    catalog::core::ColumnSpec column;
    std::string comment;
  };

  void Observe(Observed& column, std::string_view field);
  std::vector<Proposal> Propose() const;

  std::string dataset_name_;
  std::size_t sample_;
  char delimiter_;
  bool have_header_ = false;
  std::string header_error_;
  std::int64_t records_ = 0;
  std::int64_t malformed_ = 0;
  std::vector<Observed> columns_;
};

// The column name proposed for a CSV header (before de-duplication): snake_case, a valid
// identifier, not reserved; "" for a header with no letter or digit.
std::string ProposeColumnName(std::string_view header);

// The layouts tried for dates and timestamps that are not ISO 8601, in order (the US month-first
// layout before the day-first one: a file whose days never exceed 12 cannot tell them apart, and
// the comment then says so).
inline constexpr std::string_view kDateLayouts[] = {"%m/%d/%Y", "%d/%m/%Y", "%Y/%m/%d",
                                                    "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y"};
inline constexpr std::string_view kTimestampLayouts[] = {
    "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
    "%Y/%m/%d %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M"};
// Fields that mean "no value" in any column, and those that do only beside non-string values.
inline constexpr std::string_view kNullMarkers[] = {"NA",   "N/A",  "n/a",  "NaN", "nan",
                                                    "null", "NULL", "None", "#N/A"};
inline constexpr std::string_view kWeakNullMarkers[] = {"-", "?", "."};

}  // namespace vitrina::etl::core
