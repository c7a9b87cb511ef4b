#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vitrina::etl::core {

// One CSV record as the parser delivers it. The views are valid only during the sink call.
struct CsvRecord {
  std::int64_t line = 0;                     // physical line where the record starts, 1-based
  std::string_view raw;                      // the record's bytes, without its line terminator
  std::span<const std::string_view> fields;  // unquoted, "" unescaped; empty when malformed
  std::string_view error;                    // empty, or why the record cannot be read
};

class CsvRecordSink {
 public:
  virtual ~CsvRecordSink() = default;
  virtual void OnRecord(const CsvRecord& record) = 0;
};

struct CsvParserOptions {
  char delimiter = ',';
  // A record (most often a quoted field whose closing quote is missing) longer than this is cut
  // short, so a stray quote cannot make the parser hold the rest of the file in memory. The limit
  // applies to the record's offset, never to chunk sizes, so results do not depend on chunking.
  std::size_t max_record_bytes = std::size_t{1} << 20;
};

// A streaming RFC 4180 parser: bytes arrive in chunks split anywhere (even inside a quote pair or
// a CRLF), complete records go to the sink. Pure and allocation-light: a record is copied only
// when it straddles two chunks.
//
// Accepted: quoted fields with "" escapes and embedded newlines, CRLF or LF line ends, spaces
// after a closing quote, a final record without a line end. Empty lines are skipped. Malformed
// records are delivered with `error` set instead of stopping the parse:
//  - text after a closing quote ("ab"c): the record up to its line end;
//  - a quoted field still open at the end of input or after max_record_bytes: the record from its
//    first line only (at most max_record_bytes of it), and parsing resumes on the next physical
//    line;
//  - any other record longer than max_record_bytes: its first max_record_bytes are rejected and
//    the rest of its line is skipped.
class CsvRecordParser {
 public:
  CsvRecordParser(CsvParserOptions options, CsvRecordSink& sink);

  void Feed(std::string_view chunk);
  // Flushes the last record (no trailing newline needed). Call once, at the end of input.
  void Finish();

  static constexpr std::string_view kUnterminatedQuote = "unterminated quoted field";
  static constexpr std::string_view kTextAfterQuote = "unexpected text after a closing quote";
  static constexpr std::string_view kRecordTooLong = "record is longer than the maximum size";

 private:
  enum class State {
    kFieldStart,   // nothing of the current field read yet
    kUnquoted,     // inside an unquoted field
    kQuoted,       // inside a quoted field
    kQuotedQuote,  // a quote inside a quoted field: an escape or the closing quote
    kAfterQuoted,  // after a closing quote, expecting a delimiter or the line end
    kMalformed,    // skipping the rest of a malformed record's line
    kSkipLine,     // skipping the rest of an over-long record
  };
  struct FieldSlice {
    std::int64_t begin;  // offsets from the record's first byte
    std::int64_t end;
    bool escaped;  // holds "" pairs to collapse
  };

  void ProcessWithRecovery(std::string_view chunk);
  // Parses one chunk. May stop early and leave bytes to parse again in replay_.
  void Process(std::string_view chunk);
  // Handles a record that reached max_record_bytes at chunk position i; returns false when
  // Process must stop because the rest of the chunk was moved to replay_.
  bool CutOverlongRecord(std::string_view chunk, std::size_t i);
  // The first chunk position at which the current record would exceed max_record_bytes.
  std::size_t LimitIn(std::size_t chunk_size) const;
  // The offset of chunk position i from the current record's first byte.
  std::int64_t Rel(std::size_t i) const { return static_cast<std::int64_t>(i) + base_; }
  void CloseField(std::int64_t end);
  void EndRecord(std::string_view chunk, std::size_t newline_at);
  void CompleteRecord(std::string_view raw, std::int64_t end);
  void Emit(std::string_view raw, std::string_view error);
  void StartRecord(std::size_t chunk_position);
  void KeepIncompleteRecord(std::string_view chunk);
  // Rejects the current record's first line and returns the bytes after it, to parse again.
  // At the end of input a first line without a newline is the whole rest; before it, an
  // over-long first line is skipped to its end.
  std::string RecoverFromOpenQuote(bool at_end);

  CsvParserOptions options_;
  CsvRecordSink& sink_;
  State state_ = State::kFieldStart;
  std::string carry_;             // bytes of the current record from earlier chunks
  std::size_t record_start_ = 0;  // where the record starts in the current chunk (no carry)
  std::int64_t base_ = 0;         // Rel(i) = i + base_
  std::int64_t field_begin_ = 0;
  bool field_escaped_ = false;
  std::int64_t line_ = 1;         // physical line at the parse position
  std::int64_t record_line_ = 1;  // physical line where the current record starts
  std::vector<FieldSlice> fields_;
  std::vector<std::string_view> views_;
  std::string unescaped_;
  // The first bytes of input, held until we know whether they are a UTF-8 byte order mark.
  std::string bom_probe_;
  std::string replay_;
  bool bom_checked_ = false;
};

}  // namespace vitrina::etl::core
