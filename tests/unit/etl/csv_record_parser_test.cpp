#include "vitrina/etl/core/csv_record_parser.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace vitrina::etl::core {
namespace {

struct Parsed {
  std::int64_t line;
  std::string raw;
  std::vector<std::string> fields;
  std::string error;
  bool operator==(const Parsed&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Parsed& p) {
  out << "{line " << p.line << ", raw '" << p.raw << "', error '" << p.error << "', fields [";
  for (const auto& f : p.fields) out << "'" << f << "' ";
  return out << "]}";
}

class CollectingSink : public CsvRecordSink {
 public:
  void OnRecord(const CsvRecord& record) override {
    Parsed parsed{record.line, std::string(record.raw), {}, std::string(record.error)};
    for (const auto field : record.fields) parsed.fields.emplace_back(field);
    records.push_back(std::move(parsed));
  }
  std::vector<Parsed> records;
};

std::vector<Parsed> ParseInChunks(std::string_view input, std::size_t chunk_size,
                                  CsvParserOptions options = {}) {
  CollectingSink sink;
  CsvRecordParser parser(options, sink);
  for (std::size_t at = 0; at < input.size(); at += chunk_size) {
    parser.Feed(input.substr(at, chunk_size));
  }
  parser.Finish();
  return sink.records;
}

std::vector<Parsed> Parse(std::string_view input, CsvParserOptions options = {}) {
  return ParseInChunks(input, input.size() + 1, options);
}

// Splitting the input into two chunks at every offset, and into chunks of every small size, must
// give exactly the records of a single Feed.
void ExpectChunkingDoesNotMatter(std::string_view input, CsvParserOptions options = {}) {
  const auto whole = Parse(input, options);
  for (std::size_t split = 0; split <= input.size(); ++split) {
    CollectingSink sink;
    CsvRecordParser parser(options, sink);
    parser.Feed(input.substr(0, split));
    parser.Feed(input.substr(split));
    parser.Finish();
    ASSERT_EQ(sink.records, whole) << "split at " << split;
  }
  for (std::size_t size = 1; size <= 7; ++size) {
    ASSERT_EQ(ParseInChunks(input, size, options), whole) << "chunks of " << size;
  }
}

TEST(CsvRecordParser, SplitsPlainRecords) {
  const auto records = Parse("a,b,c\n1,2,3\n");
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0], (Parsed{1, "a,b,c", {"a", "b", "c"}, ""}));
  EXPECT_EQ(records[1], (Parsed{2, "1,2,3", {"1", "2", "3"}, ""}));
}

TEST(CsvRecordParser, UnquotesAndUnescapesQuotedFields) {
  const auto records = Parse("\"a\",\"say \"\"hi\"\"\",\"\"\n");
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"a", "say \"hi\"", ""}));
}

TEST(CsvRecordParser, QuotedFieldsMayHoldDelimitersAndNewlines) {
  const auto records = Parse("id,text\n1,\"one, two\nthree\"\n2,x\n");
  ASSERT_EQ(records.size(), 3U);
  EXPECT_EQ(records[1], (Parsed{2, "1,\"one, two\nthree\"", {"1", "one, two\nthree"}, ""}));
  EXPECT_EQ(records[2].line, 4) << "line numbers are physical lines";
}

TEST(CsvRecordParser, AcceptsCrlfAndAMissingFinalNewline) {
  const auto records = Parse("a,\"b\"\r\n1,2\r\n3,\"4\"");
  ASSERT_EQ(records.size(), 3U);
  EXPECT_EQ(records[0], (Parsed{1, "a,\"b\"", {"a", "b"}, ""}));
  EXPECT_EQ(records[1], (Parsed{2, "1,2", {"1", "2"}, ""}));
  EXPECT_EQ(records[2], (Parsed{3, "3,\"4\"", {"3", "4"}, ""}));
}

TEST(CsvRecordParser, KeepsEmptyFieldsAndSkipsEmptyLines) {
  const auto records = Parse("a,,c,\n\n\r\n,\n");
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"a", "", "c", ""}));
  EXPECT_EQ(records[1], (Parsed{4, ",", {"", ""}, ""}));
}

TEST(CsvRecordParser, DropsAByteOrderMark) {
  const auto records = Parse("\xEF\xBB\xBF\"\",x\n1,2\n");
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"", "x"}));
}

TEST(CsvRecordParser, TextAfterAClosingQuoteRejectsTheRecordOnly) {
  const auto records = Parse("1,\"ab\"c,3\n2,x,y\n");
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0],
            (Parsed{1, "1,\"ab\"c,3", {}, std::string(CsvRecordParser::kTextAfterQuote)}));
  EXPECT_EQ(records[1], (Parsed{2, "2,x,y", {"2", "x", "y"}, ""}));
}

TEST(CsvRecordParser, UnterminatedQuoteAtEndRejectsItsLineAndResumesOnTheNext) {
  const auto records = Parse("h1,h2\n1,\"oops\n2,b\n3,c\n");
  ASSERT_EQ(records.size(), 4U);
  EXPECT_EQ(records[1],
            (Parsed{2, "1,\"oops", {}, std::string(CsvRecordParser::kUnterminatedQuote)}));
  EXPECT_EQ(records[2], (Parsed{3, "2,b", {"2", "b"}, ""}));
  EXPECT_EQ(records[3], (Parsed{4, "3,c", {"3", "c"}, ""}));
}

TEST(CsvRecordParser, AStrayQuoteCannotSwallowMoreThanTheLimit) {
  CsvParserOptions options;
  options.max_record_bytes = 32;
  std::string input = "1,\"stray\n";
  for (int i = 2; i <= 20; ++i) input += std::to_string(i) + ",ok\n";
  const auto records = ParseInChunks(input, 8, options);
  ASSERT_EQ(records.size(), 20U);
  EXPECT_EQ(records[0],
            (Parsed{1, "1,\"stray", {}, std::string(CsvRecordParser::kUnterminatedQuote)}));
  for (int i = 2; i <= 20; ++i) {
    EXPECT_EQ(records[static_cast<std::size_t>(i - 1)],
              (Parsed{i, std::to_string(i) + ",ok", {std::to_string(i), "ok"}, ""}));
  }
}

TEST(CsvRecordParser, AnOverlongLineIsRejectedAndSkipped) {
  CsvParserOptions options;
  options.max_record_bytes = 16;
  const std::string input = "a,b\n" + std::string(100, 'x') + "\nc,d\n";
  const auto records = ParseInChunks(input, 10, options);
  ASSERT_EQ(records.size(), 3U);
  EXPECT_EQ(records[1].error, CsvRecordParser::kRecordTooLong);
  EXPECT_EQ(records[1].line, 2);
  EXPECT_EQ(records[2], (Parsed{3, "c,d", {"c", "d"}, ""}));
}

TEST(CsvRecordParser, ChunkBoundariesAnywhereGiveTheSameRecords) {
  ExpectChunkingDoesNotMatter(
      "\xEF\xBB\xBF\"\",\"name\",n\r\n\"1\",\"a \"\"quoted\"\", with comma\",1\r\n"
      "\"2\",\"multi\r\nline\",2\n\n3,plain,\n4,\"x\"y,5\n5,\"\",\"\"\"\"\n6,\"open\n7,z,9");
  CsvParserOptions small;
  small.max_record_bytes = 12;
  ExpectChunkingDoesNotMatter("a,b\n1,\"never closed\n2,x\n" + std::string(40, 'y') + "\n3,z\n",
                              small);
  ExpectChunkingDoesNotMatter(
      "a,b\n1,\"long\nquoted\nfield\"\n2,\"x\n" + std::string(30, 'q') + "\n3,\"z\"zz\n4,\"ok\"\n",
      small);
}

TEST(CsvRecordParser, OtherDelimiters) {
  CsvParserOptions options;
  options.delimiter = ';';
  const auto records = Parse("a;\"b;c\";d\n", options);
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"a", "b;c", "d"}));
}

}  // namespace
}  // namespace vitrina::etl::core
