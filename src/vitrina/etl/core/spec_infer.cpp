#include "vitrina/etl/core/spec_infer.hpp"

#include <algorithm>
#include <iterator>
#include <optional>
#include <set>
#include <span>
#include <variant>

#include "vitrina/base/text.hpp"
#include "vitrina/catalog/core/catalog_query.hpp"
#include "vitrina/catalog/core/field_value.hpp"

namespace vitrina::etl::core {

using catalog::core::ColumnSpec;
using catalog::core::ColumnType;
using catalog::core::DateFormat;
using catalog::core::FieldValue;

namespace {

// PostgreSQL's reserved key words and those it allows only as function or type names (SQL Key
// Words, appendix C): a column named so would need quoting in every hand-written query.
constexpr std::string_view kSqlReserved[] = {
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "cursor",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "having",
    "id",
    "ilike",
    "in",
    "initially",
    "inner",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "nullif",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "similar",
    "smallint",
    "some",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
};

bool IsReserved(std::string_view name) {
  return std::find(std::begin(kSqlReserved), std::end(kSqlReserved), name) !=
         std::end(kSqlReserved);
}

bool IsMarker(std::string_view text, std::span<const std::string_view> markers) {
  return std::find(markers.begin(), markers.end(), text) != markers.end();
}

bool HasLeadingZero(std::string_view text) {
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) text.remove_prefix(1);
  return text.size() > 1 && text.front() == '0' && text[1] >= '0' && text[1] <= '9';
}

std::vector<ColumnSpec> TypeCandidates() {
  std::vector<ColumnSpec> candidates;
  const auto add = [&candidates](ColumnType type, std::optional<DateFormat> format) {
    ColumnSpec column;
    column.name = "c";
    column.type = type;
    column.format = std::move(format);
    candidates.push_back(std::move(column));
  };
  add(ColumnType::kInteger, std::nullopt);
  add(ColumnType::kNumber, std::nullopt);
  add(ColumnType::kBoolean, std::nullopt);
  add(ColumnType::kDate, std::nullopt);
  for (const auto layout : kDateLayouts) {
    add(ColumnType::kDate, *DateFormat::Compile(layout, false));
  }
  add(ColumnType::kTimestamp, std::nullopt);
  for (const auto layout : kTimestampLayouts) {
    add(ColumnType::kTimestamp, *DateFormat::Compile(layout, true));
  }
  return candidates;
}

// YAML double-quoted scalar.
std::string Quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[(c >> 4) & 0xF];
      out += kHex[c & 0xF];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// A comment-safe excerpt of a value: one line, at most 24 bytes (cut on a UTF-8 boundary).
std::string Excerpt(std::string_view text) {
  std::string out;
  for (const char c : text) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (out.size() > 24) {
    std::size_t cut = 24;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out = out.substr(0, cut) + "…";
  }
  return out;
}

std::string ValueText(const FieldValue& value) { return catalog::core::FieldValueText(value); }

}  // namespace

std::string ProposeColumnName(std::string_view header) {
  std::string name;
  bool gap = false;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const char c = header[i];
    const bool lower = c >= 'a' && c <= 'z';
    const bool upper = c >= 'A' && c <= 'Z';
    const bool digit = c >= '0' && c <= '9';
    if (!(lower || upper || digit)) {
      gap = true;
      continue;
    }
    // camelCase and PascalCase words: "InPrint" -> in_print, but "ID" or "GDP" stay one word.
    const bool word_start = upper && i > 0 && header[i - 1] >= 'a' && header[i - 1] <= 'z';
    if (!name.empty() && (gap || word_start)) name += '_';
    gap = false;
    name += upper ? static_cast<char>(c - 'A' + 'a') : c;
  }
  if (name.empty()) return name;
  if (name.front() >= '0' && name.front() <= '9') name = "c_" + name;
  if (name.size() > 55) name.resize(55);  // room for "_value" or "_99"
  while (!name.empty() && name.back() == '_') name.pop_back();
  if (IsReserved(name)) name += "_value";
  return name;
}

SpecInferrer::SpecInferrer(std::string dataset_name, std::size_t sample, char delimiter)
    : dataset_name_(std::move(dataset_name)), sample_(sample), delimiter_(delimiter) {}

bool SpecInferrer::Done() const {
  return sample_ != 0 && records_ >= static_cast<std::int64_t>(sample_);
}

void SpecInferrer::OnRecord(const CsvRecord& record) {
  if (!have_header_) {
    have_header_ = true;
    if (!record.error.empty()) {
      header_error_ = "the header (line " + std::to_string(record.line) +
                      ") cannot be read: " + std::string(record.error);
      return;
    }
    const auto candidates = TypeCandidates();
    for (std::size_t i = 0; i < record.fields.size(); ++i) {
      Observed column;
      // The first header may carry a UTF-8 byte order mark, which the ETL drops too.
      std::string_view header = base::TrimAscii(record.fields[i]);
      if (i == 0 && header.substr(0, 3) == "\xEF\xBB\xBF") {
        header = base::TrimAscii(header.substr(3));
      }
      column.header = std::string(header);
      for (const auto& candidate : candidates)
        column.candidates.push_back({candidate, true, std::nullopt, std::nullopt});
      columns_.push_back(std::move(column));
    }
    return;
  }
  if (Done()) return;
  ++records_;
  if (!record.error.empty() || record.fields.size() != columns_.size()) {
    ++malformed_;  // rejected by the ETL whatever the spec says
    return;
  }
  for (std::size_t i = 0; i < columns_.size(); ++i) Observe(columns_[i], record.fields[i]);
}

void SpecInferrer::Observe(Observed& column, std::string_view field) {
  const std::string_view text = base::TrimAscii(field);
  if (text.empty() || IsMarker(text, kNullMarkers) || IsMarker(text, kWeakNullMarkers)) {
    ++column.markers[std::string(text)];
    return;
  }
  ++column.values;
  column.longest = std::max(column.longest, text.size());
  if (HasLeadingZero(text)) column.leading_zero = true;
  if (!column.distinct_overflow && column.distinct.count(text) == 0) {
    if (column.distinct.size() >= kDistinctTracked) {
      column.distinct_overflow = true;
    } else {
      column.distinct.emplace(text);
    }
  }
  for (auto& candidate : column.candidates) {
    if (!candidate.fits) continue;
    auto result = catalog::core::ParseTextField(candidate.column, text);
    candidate.fits = std::holds_alternative<FieldValue>(result);
    if (!candidate.fits) continue;
    auto& value = std::get<FieldValue>(result);
    if (!candidate.low || catalog::core::SatisfiesBound(*candidate.low, value, true)) {
      candidate.low = value;
    }
    if (!candidate.high || catalog::core::SatisfiesBound(*candidate.high, value, false)) {
      candidate.high = std::move(value);
    }
  }
}

std::vector<SpecInferrer::Proposal> SpecInferrer::Propose() const {
  std::vector<Proposal> proposals;
  std::set<std::string> names;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    const Observed& seen = columns_[i];
    Proposal proposal;
    ColumnSpec& column = proposal.column;
    column.source = seen.header;

    std::string name = ProposeColumnName(seen.header);
    if (name.empty()) name = "column_" + std::to_string(i + 1);
    const std::string base_name = name;
    for (int n = 2; names.count(name) != 0 || names.count(name + "_min") != 0 ||
                    names.count(name + "_max") != 0;
         ++n) {
      name = base_name + "_" + std::to_string(n);
    }
    names.insert(name);
    column.name = name;

    // The first type that took every value; integers with leading zeros are identifiers.
    const Candidate* chosen = nullptr;
    if (seen.values > 0) {
      for (const auto& candidate : seen.candidates) {
        if (!candidate.fits) continue;
        if (candidate.column.type == ColumnType::kInteger && seen.leading_zero) continue;
        if (candidate.column.type == ColumnType::kNumber && seen.leading_zero) continue;
        chosen = &candidate;
        break;
      }
    }
    column.type = chosen != nullptr ? chosen->column.type : ColumnType::kString;
    if (chosen != nullptr) column.format = chosen->column.format;
    const bool is_string = column.type == ColumnType::kString;

    // Missing values: the empty field always; markers seen; the weak ones only beside non-strings
    // (in a string column "-" is a value, and the ETL then loads it as one).
    std::int64_t missing = 0;
    std::int64_t weak_as_values = 0;
    std::size_t longest = seen.longest;
    std::vector<std::string> markers;
    for (const auto& [marker, count] : seen.markers) {
      if (is_string && IsMarker(marker, kWeakNullMarkers)) {
        weak_as_values += count;
        longest = std::max(longest, marker.size());
        continue;
      }
      missing += count;
      if (!marker.empty()) markers.push_back(marker);
    }
    column.null_values = markers;
    column.required = missing == 0 && seen.values + weak_as_values > 0;

    const std::size_t distinct = seen.distinct.size();
    const std::int64_t values = seen.values + weak_as_values;
    if (is_string) {
      column.max_length = std::max<std::size_t>(64, 2 * longest);
      column.category = !seen.distinct_overflow && distinct > 0 && distinct <= kMaxCategoryValues &&
                        static_cast<std::int64_t>(2 * distinct) < values;
    }

    // What was seen, for the reader to judge the proposal.
    std::string& comment = proposal.comment;
    comment = std::to_string(values) + " values";
    comment += ", " +
               (seen.distinct_overflow ? "more than " + std::to_string(kDistinctTracked)
                                       : std::to_string(distinct)) +
               " distinct";
    if (missing > 0) {
      comment += ", " + std::to_string(missing) + " missing";
      if (!markers.empty()) {
        comment += " (";
        for (std::size_t m = 0; m < markers.size(); ++m) {
          comment += (m == 0 ? "" : ", ") + markers[m];
        }
        comment += ")";
      }
    }
    // Over the whole sample, not only the distinct values tracked.
    if (chosen != nullptr && column.type != ColumnType::kBoolean && chosen->low && chosen->high) {
      comment += ", min " + ValueText(*chosen->low) + ", max " + ValueText(*chosen->high);
    } else if (is_string && !seen.distinct.empty()) {
      comment += ", longest " + std::to_string(longest) + " bytes";
    }
    if (!seen.distinct.empty()) {
      comment += "; e.g. ";
      int shown = 0;
      for (const auto& text : seen.distinct) {
        if (shown == 3) break;
        comment += (shown++ == 0 ? "" : ", ") + Excerpt(text);
      }
    }
    if (seen.leading_zero && is_string && (seen.candidates[0].fits || seen.candidates[1].fits)) {
      comment += "; digits with leading zeros: kept as text";
    }
    if (column.format && column.format->pattern().rfind("%m/%d", 0) == 0) {
      // Day-first files whose days never passed 12 read month-first: say so.
      for (const auto& candidate : seen.candidates) {
        if (candidate.fits && candidate.column.type == column.type && candidate.column.format &&
            candidate.column.format->pattern().rfind("%d/%m", 0) == 0) {
          comment += "; also fits " + candidate.column.format->pattern() + ": check which";
          break;
        }
      }
    }
    if (seen.values == 0) comment += "; no value in the sample: typed string";
    proposals.push_back(std::move(proposal));
  }
  return proposals;
}

base::Result<catalog::core::DatasetSpec> SpecInferrer::Spec() const {
  if (!header_error_.empty()) {
    return base::MakeError(base::ErrorCode::kInvalidArgument, header_error_);
  }
  if (columns_.empty()) {
    return base::MakeError(base::ErrorCode::kInvalidArgument, "the source has no header line");
  }
  catalog::core::DatasetSpec spec;
  spec.name = ProposeColumnName(dataset_name_);
  if (spec.name.empty() || !catalog::core::IsValidIdentifier(spec.name)) spec.name = "dataset";
  spec.table = spec.name;
  spec.delimiter = delimiter_;
  for (auto& proposal : Propose()) spec.columns.push_back(std::move(proposal.column));
  if (auto valid = catalog::core::ValidateSpec(spec); !valid) return valid.error();
  return spec;
}

base::Result<std::string> SpecInferrer::Yaml() const {
  auto spec = Spec();
  if (!spec) return spec.error();
  const auto proposals = Propose();
  std::string yaml;
  yaml += "# Proposed by `vitrina spec infer` from the header and " + std::to_string(records_) +
          " records";
  if (malformed_ > 0) {
    yaml += " (" + std::to_string(malformed_) + " of them malformed: the ETL rejects those)";
  }
  yaml +=
      ".\n# Check the types, the names and what is required before loading; docs/etl.md has the "
      "rules.\n";
  yaml += "name: " + spec->name + "\ntable: " + spec->table + "\n";
  if (spec->delimiter != ',') {
    yaml += "delimiter: " + Quoted(std::string(1, spec->delimiter)) + "\n";
  }
  yaml += "columns:\n";
  for (const auto& proposal : proposals) {
    const ColumnSpec& column = proposal.column;
    yaml += "  # " + proposal.comment + "\n";
    yaml += "  - source: " + Quoted(column.source) + "\n";
    yaml += "    name: " + column.name + "\n";
    yaml += "    type: " + std::string(catalog::core::ColumnTypeName(column.type)) + "\n";
    if (column.format) yaml += "    format: " + Quoted(column.format->pattern()) + "\n";
    yaml += std::string("    required: ") + (column.required ? "true" : "false") + "\n";
    if (!column.null_values.empty()) {
      yaml += "    null_values: [";
      for (std::size_t m = 0; m < column.null_values.size(); ++m) {
        yaml += (m == 0 ? "" : ", ") + Quoted(column.null_values[m]);
      }
      yaml += "]\n";
    }
    if (column.category) yaml += "    category: true\n";
    if (column.max_length) yaml += "    max_length: " + std::to_string(*column.max_length) + "\n";
  }
  return yaml;
}

}  // namespace vitrina::etl::core
