#include "vitrina/etl/core/csv_record_parser.hpp"

#include <cstring>

namespace vitrina::etl::core {

namespace {
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
}  // namespace

CsvRecordParser::CsvRecordParser(CsvParserOptions options, CsvRecordSink& sink)
    : options_(options), sink_(sink) {
  fields_.reserve(64);
  views_.reserve(64);
}

void CsvRecordParser::Feed(std::string_view chunk) {
  if (!bom_checked_) {
    // Spreadsheet exports often start with a byte order mark; it is not part of the header.
    const std::size_t take = std::min(kUtf8Bom.size() - bom_probe_.size(), chunk.size());
    bom_probe_.append(chunk.substr(0, take));
    chunk.remove_prefix(take);
    if (bom_probe_.size() < kUtf8Bom.size()) return;
    bom_checked_ = true;
    if (bom_probe_ != kUtf8Bom) ProcessWithRecovery(bom_probe_);
  }
  ProcessWithRecovery(chunk);
}

void CsvRecordParser::ProcessWithRecovery(std::string_view chunk) {
  Process(chunk);
  while (!replay_.empty()) {
    const std::string bytes = std::move(replay_);
    replay_.clear();
    Process(bytes);
  }
}

void CsvRecordParser::Finish() {
  if (!bom_checked_) {
    bom_checked_ = true;
    ProcessWithRecovery(bom_probe_);
  }
  while (state_ == State::kQuoted) {
    const std::string rest = RecoverFromOpenQuote(/*at_end=*/true);
    ProcessWithRecovery(rest);
  }
  if (state_ == State::kSkipLine) {
    StartRecord(0);
    return;
  }
  if (state_ == State::kFieldStart && fields_.empty() && carry_.empty()) return;
  // The last record has no line end: its bytes are all in carry_.
  CompleteRecord(carry_, static_cast<std::int64_t>(carry_.size()));
  StartRecord(0);
}

void CsvRecordParser::StartRecord(std::size_t chunk_position) {
  carry_.clear();
  fields_.clear();
  state_ = State::kFieldStart;
  record_start_ = chunk_position;
  base_ = -static_cast<std::int64_t>(chunk_position);
  record_line_ = line_;
}

void CsvRecordParser::Process(std::string_view chunk) {
  const char* data = chunk.data();
  const std::size_t n = chunk.size();
  const char delimiter = options_.delimiter;
  // The record in progress, if any, is entirely in carry_.
  record_start_ = 0;
  base_ = static_cast<std::int64_t>(carry_.size());
  std::size_t i = 0;
  const auto max_bytes = static_cast<std::int64_t>(options_.max_record_bytes);
  while (i < n) {
    if (state_ != State::kSkipLine && Rel(i) >= max_bytes) {
      if (!CutOverlongRecord(chunk, i)) return;
      continue;
    }
    switch (state_) {
      case State::kFieldStart: {
        const char c = data[i];
        if (c == '"') {
          state_ = State::kQuoted;
          field_begin_ = Rel(i) + 1;
          field_escaped_ = false;
        } else if (c == delimiter) {
          fields_.push_back({Rel(i), Rel(i), false});
        } else if (c == '\n') {
          EndRecord(chunk, i);
        } else {
          state_ = State::kUnquoted;
          field_begin_ = Rel(i);
        }
        ++i;
        break;
      }
      case State::kUnquoted: {
        const std::size_t stop = LimitIn(n);
        while (i < stop && data[i] != delimiter && data[i] != '\n') ++i;
        if (i == stop) break;
        if (data[i] == delimiter) {
          fields_.push_back({field_begin_, Rel(i), false});
          state_ = State::kFieldStart;
        } else {
          EndRecord(chunk, i);
        }
        ++i;
        break;
      }
      case State::kQuoted: {
        const std::size_t stop = LimitIn(n);
        while (i < stop && data[i] != '"') {
          if (data[i] == '\n') ++line_;
          ++i;
        }
        if (i == stop) break;
        state_ = State::kQuotedQuote;
        ++i;
        break;
      }
      case State::kQuotedQuote: {
        if (data[i] == '"') {
          field_escaped_ = true;
          state_ = State::kQuoted;
          ++i;
        } else {
          // The previous quote closed the field; this byte is read again after it.
          fields_.push_back({field_begin_, Rel(i) - 1, field_escaped_});
          state_ = State::kAfterQuoted;
        }
        break;
      }
      case State::kAfterQuoted: {
        const char c = data[i];
        if (c == delimiter) {
          state_ = State::kFieldStart;
        } else if (c == '\n') {
          EndRecord(chunk, i);
        } else if (c != ' ' && c != '\t' && c != '\r') {
          state_ = State::kMalformed;
        }
        ++i;
        break;
      }
      case State::kMalformed:
      case State::kSkipLine: {
        // A malformed record is kept (for the reject) only up to the limit.
        const std::size_t stop = state_ == State::kSkipLine ? n : LimitIn(n);
        const void* newline = std::memchr(data + i, '\n', stop - i);
        if (newline == nullptr) {
          i = stop;
          break;
        }
        i = static_cast<std::size_t>(static_cast<const char*>(newline) - data);
        if (state_ == State::kMalformed) {
          EndRecord(chunk, i);
        } else {
          ++line_;
          StartRecord(i + 1);
        }
        ++i;
        break;
      }
    }
  }
  KeepIncompleteRecord(chunk);
}

void CsvRecordParser::KeepIncompleteRecord(std::string_view chunk) {
  if (state_ == State::kSkipLine) {
    carry_.clear();
    return;
  }
  if (record_start_ < chunk.size()) carry_.append(chunk.substr(record_start_));
}

std::size_t CsvRecordParser::LimitIn(std::size_t chunk_size) const {
  const std::int64_t limit = static_cast<std::int64_t>(options_.max_record_bytes) - base_;
  if (limit <= 0) return 0;
  return std::min(chunk_size, static_cast<std::size_t>(limit));
}

bool CsvRecordParser::CutOverlongRecord(std::string_view chunk, std::size_t i) {
  // The record's first max_record_bytes bytes, wherever the chunks were split.
  carry_.append(chunk.substr(record_start_, i - record_start_));
  if (state_ == State::kQuoted || state_ == State::kQuotedQuote) {
    std::string rest = RecoverFromOpenQuote(/*at_end=*/false);
    if (state_ == State::kSkipLine) {
      record_start_ = i;
      return true;
    }
    // Parse again from the line after the record's first line.
    rest.append(chunk.substr(i));
    replay_ = std::move(rest);
    return false;
  }
  Emit(carry_, kRecordTooLong);
  carry_.clear();
  fields_.clear();
  state_ = State::kSkipLine;
  record_start_ = i;
  return true;
}

void CsvRecordParser::EndRecord(std::string_view chunk, std::size_t newline_at) {
  std::string_view raw;
  if (carry_.empty()) {
    raw = chunk.substr(record_start_, newline_at - record_start_);
  } else {
    carry_.append(chunk.substr(0, newline_at));
    raw = carry_;
  }
  CompleteRecord(raw, Rel(newline_at));
  ++line_;
  StartRecord(newline_at + 1);
}

void CsvRecordParser::CompleteRecord(std::string_view raw, std::int64_t end) {
  const bool crlf = !raw.empty() && raw.back() == '\r';
  if (crlf) raw.remove_suffix(1);
  switch (state_) {
    case State::kFieldStart:
      fields_.push_back({end, end, false});
      break;
    case State::kUnquoted:
      fields_.push_back({field_begin_, end - (crlf ? 1 : 0), false});
      break;
    case State::kQuotedQuote:
      fields_.push_back({field_begin_, end - 1, field_escaped_});
      break;
    case State::kAfterQuoted:
    case State::kMalformed:
    case State::kQuoted:
    case State::kSkipLine:
      break;
  }
  Emit(raw, state_ == State::kMalformed ? kTextAfterQuote : std::string_view());
}

void CsvRecordParser::Emit(std::string_view raw, std::string_view error) {
  CsvRecord record;
  record.line = record_line_;
  record.raw = raw;
  record.error = error;
  views_.clear();
  if (error.empty()) {
    if (raw.empty()) return;  // an empty line is not a record
    // Collapse "" pairs first: unescaped_ must not grow while views into it exist.
    unescaped_.clear();
    for (const auto& field : fields_) {
      if (!field.escaped) continue;
      const auto text = raw.substr(static_cast<std::size_t>(field.begin),
                                   static_cast<std::size_t>(field.end - field.begin));
      for (std::size_t k = 0; k < text.size(); ++k) {
        unescaped_ += text[k];
        if (text[k] == '"') ++k;  // the second quote of the pair
      }
    }
    std::size_t unescaped_at = 0;
    for (const auto& field : fields_) {
      const auto begin = static_cast<std::size_t>(field.begin);
      const auto length = static_cast<std::size_t>(field.end - field.begin);
      if (!field.escaped) {
        views_.push_back(raw.substr(begin, length));
        continue;
      }
      std::size_t unescaped_length = length;
      for (std::size_t k = 0; k + 1 < length; ++k) {
        if (raw[begin + k] == '"') {
          --unescaped_length;
          ++k;
        }
      }
      views_.emplace_back(unescaped_.data() + unescaped_at, unescaped_length);
      unescaped_at += unescaped_length;
    }
  }
  record.fields = views_;
  sink_.OnRecord(record);
}

std::string CsvRecordParser::RecoverFromOpenQuote(bool at_end) {
  const auto newline = carry_.find('\n');
  std::string_view first_line = carry_;
  std::string rest;
  if (newline != std::string::npos) {
    first_line = first_line.substr(0, newline);
    rest = carry_.substr(newline + 1);
  }
  if (!first_line.empty() && first_line.back() == '\r') first_line.remove_suffix(1);
  Emit(first_line, kUnterminatedQuote);
  if (newline == std::string::npos) {
    // The first line itself is the problem: nothing to parse again.
    line_ = record_line_;
    StartRecord(0);
    if (!at_end) state_ = State::kSkipLine;
    return rest;
  }
  line_ = record_line_ + 1;
  StartRecord(0);
  return rest;
}

}  // namespace vitrina::etl::core
