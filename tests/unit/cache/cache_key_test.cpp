#include "vitrina/cache/core/cache_key.hpp"

#include <algorithm>
#include <random>

#include <gtest/gtest.h>

#include "vitrina/base/text.hpp"
#include "vitrina/cache/core/stored_response.hpp"
#include "vitrina/catalog/core/field_value.hpp"

namespace vitrina::cache::core {
namespace {

std::string KeyOf(std::vector<CanonicalParam> params) {
  return CacheKey::ForCatalog(std::move(params)).str();
}

TEST(CacheKey, NoParametersIsCatalogAll) {
  EXPECT_EQ(KeyOf({}), "catalog:all");
  EXPECT_EQ(KeyOf({{"cut", {}}}), "catalog:all");
}

TEST(CacheKey, ContractExamples) {
  EXPECT_EQ(KeyOf({{"cut", {"Fair"}}}), "catalog:cut=Fair");
  EXPECT_EQ(KeyOf({{"cut", {"Ideal"}}, {"color", {"E"}}}), "catalog:color=E&cut=Ideal");
  EXPECT_EQ(KeyOf({{"cut", {"Very Good"}}}), "catalog:cut=Very%20Good");
  EXPECT_EQ(KeyOf({{"price_max", {base::FormatNumber(500.0)}}}), "catalog:price_max=500");
}

TEST(CacheKey, RepeatedValuesAreSortedDeduplicatedAndJoinedWithComma) {
  EXPECT_EQ(KeyOf({{"cut", {"Good", "Fair", "Good"}}}), "catalog:cut=Fair,Good");
  EXPECT_EQ(KeyOf({{"cut", {"Good"}}, {"cut", {"Fair"}}}), "catalog:cut=Fair,Good");
}

TEST(CacheKey, PaginationParametersArePartOfTheKey) {
  EXPECT_EQ(KeyOf({{"limit", {"50"}}, {"cursor", {"abc=="}}, {"cut", {"Fair"}}}),
            "catalog:cursor=abc%3D%3D&cut=Fair&limit=50");
}

TEST(CacheKey, SeparatorsAndBracesInValuesAreEncoded) {
  EXPECT_EQ(KeyOf({{"cut", {"a,b&c=d%{x}"}}}), "catalog:cut=a%2Cb%26c%3Dd%25%7Bx%7D");
  EXPECT_EQ(KeyOf({{"cut", {"é~-._"}}}), "catalog:cut=%C3%A9~-._");
}

TEST(ParseCatalogKey, ReadsBackNamesAndValues) {
  const auto params = ParseCatalogKey("catalog:color=E&cut=Fair,Very%20Good&price_max=1000");
  ASSERT_TRUE(params);
  EXPECT_EQ(params->size(), 3u);
  EXPECT_EQ(params->at("cut"), (std::vector<std::string>{"Fair", "Very Good"}));
  EXPECT_EQ(params->at("price_max"), (std::vector<std::string>{"1000"}));
  EXPECT_TRUE(ParseCatalogKey("catalog:all")->empty());
}

TEST(ParseCatalogKey, RefusesWhatIsNotACatalogKey) {
  for (const char* text :
       {"", "catalog", "other:cut=Fair", "catalog:cut", "catalog:=x", "catalog:cut=%4",
        "catalog:cut=%zz", "catalog:cut=a&cut=b", "{catalog:cut=Fair}:v"}) {
    EXPECT_FALSE(ParseCatalogKey(text)) << text;
    EXPECT_FALSE(CacheKey::FromString(text)) << text;
  }
}

TEST(CacheKey, RandomParametersRoundTripThroughTheKey) {
  std::mt19937 random(12345);
  const std::string alphabet = "abcXYZ09 ,&=%{}:~-._\xC3\xA9/+?#";
  const auto random_text = [&](std::size_t max_length) {
    std::string text(random() % (max_length + 1), ' ');
    for (auto& c : text) c = alphabet[random() % alphabet.size()];
    return text;
  };
  for (int round = 0; round < 2000; ++round) {
    std::vector<CanonicalParam> params;
    std::map<std::string, std::vector<std::string>> expected;
    const auto count = random() % 4;
    for (std::size_t i = 0; i < count; ++i) {
      CanonicalParam param{"p" + random_text(3), {}};
      const auto values = 1 + random() % 3;
      for (std::size_t v = 0; v < values; ++v) param.values.push_back(random_text(6));
      auto& merged = expected[param.name];
      merged.insert(merged.end(), param.values.begin(), param.values.end());
      params.push_back(std::move(param));
    }
    for (auto& [name, values] : expected) {
      std::sort(values.begin(), values.end());
      values.erase(std::unique(values.begin(), values.end()), values.end());
    }
    const auto key = CacheKey::ForCatalog(params);
    const auto parsed = ParseCatalogKey(key.str());
    ASSERT_TRUE(parsed) << key.str();
    const std::map<std::string, std::vector<std::string>> actual(parsed->begin(), parsed->end());
    EXPECT_EQ(actual, expected) << key.str();
    // No braces ever: the version key "{K}:v" hashes on the whole data key.
    EXPECT_EQ(key.str().find_first_of("{}"), std::string::npos);
    // Shuffling the input order does not change the key.
    std::shuffle(params.begin(), params.end(), random);
    EXPECT_EQ(CacheKey::ForCatalog(params), key);
  }
}

TEST(StoredResponse, EncodesEtagStampAndBodyAndDecodesThemBack) {
  const std::string body = "[{\"id\":1}]\nsecond line";
  const std::string stamp = "0123456789abcdef0123456789abcdef";
  const auto etag = BodyEtag(body);
  EXPECT_EQ(etag.size(), 18u);
  EXPECT_EQ(etag.front(), '"');
  const auto value = EncodeStoredResponse(etag, stamp, body);
  EXPECT_EQ(value.substr(0, kStoredHeaderSize), StoredHeader(etag, stamp));
  EXPECT_EQ(value.substr(kStoredHeaderSize), body);
  const auto decoded = DecodeStoredResponse(value);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->etag, etag);
  EXPECT_EQ(decoded->stamp, stamp);
  EXPECT_EQ(decoded->body, body);
  // An empty body is a valid entry.
  ASSERT_TRUE(DecodeStoredResponse(EncodeStoredResponse(etag, stamp, "")));
  EXPECT_EQ(DecodeStoredResponse(EncodeStoredResponse(etag, stamp, ""))->body, "");
}

TEST(StoredResponse, RejectsOtherFormatsAndBadSizes) {
  const std::string stamp(32, 'a');
  const auto etag = BodyEtag("x");
  EXPECT_FALSE(DecodeStoredResponse("garbage"));
  EXPECT_FALSE(DecodeStoredResponse(""));
  EXPECT_FALSE(DecodeStoredResponse("v1 " + etag + "\nbody"));  // an older release's entry
  auto value = EncodeStoredResponse(etag, stamp, "body");
  value[21] = 'x';  // the separator between etag and stamp
  EXPECT_FALSE(DecodeStoredResponse(value));
  EXPECT_FALSE(DecodeStoredResponse(EncodeStoredResponse(etag, stamp, "").substr(0, 54)));
  EXPECT_EQ(StoredHeader(etag, "short"), "");
  EXPECT_EQ(StoredHeader("\"tag\"", stamp), "");
  EXPECT_EQ(EncodeStoredResponse(etag, "short", "body"), "");
}

TEST(StoredResponse, VariantsCarryTheirOwnEtagAndTheEntrysStamp) {
  using http::core::ContentCoding;
  const std::string stamp(32, 'c');
  // Binary bytes, a NUL among them: the literal's own length (sv), not a counted one.
  using namespace std::string_view_literals;
  const std::string compressed("\x1f\x8b\x08\0binary\nbytes"sv);
  const auto etag = BodyEtag(compressed);
  const auto value = EncodeVariant(ContentCoding::kGzip, etag, stamp, compressed);
  EXPECT_EQ(value.substr(0, 3), "g2 ");
  EXPECT_EQ(value.size(), kStoredHeaderSize + compressed.size());
  const auto decoded = DecodeVariant(ContentCoding::kGzip, value);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->etag, etag);
  EXPECT_EQ(decoded->stamp, stamp);
  EXPECT_EQ(decoded->body, compressed);
  // Another coding, an entry, or identity never decode as this variant.
  EXPECT_FALSE(DecodeVariant(ContentCoding::kBrotli, value));
  EXPECT_FALSE(DecodeVariant(ContentCoding::kGzip, EncodeStoredResponse(etag, stamp, "x")));
  EXPECT_FALSE(DecodeStoredResponse(value));
  EXPECT_EQ(EncodeVariant(ContentCoding::kIdentity, etag, stamp, "x"), "");
  EXPECT_EQ(EncodeVariant(ContentCoding::kBrotli, etag, "short", "x"), "");
  const auto br = EncodeVariant(ContentCoding::kBrotli, etag, stamp, "x");
  EXPECT_EQ(br.substr(0, 3), "b2 ");
  ASSERT_TRUE(DecodeVariant(ContentCoding::kBrotli, br));
}

TEST(StoredResponse, VariantKeysShareTheEntrysHashSlot) {
  using http::core::ContentCoding;
  EXPECT_EQ(VariantKey("catalog:cut=Fair", ContentCoding::kGzip), "{catalog:cut=Fair}:gzip");
  EXPECT_EQ(VariantKey("staging:catalog:all", ContentCoding::kBrotli), "{staging:catalog:all}:br");
}

TEST(StoredResponse, EtagsDifferForDifferentBodies) {
  EXPECT_EQ(BodyEtag("abc"), BodyEtag("abc"));
  EXPECT_NE(BodyEtag("abc"), BodyEtag("abd"));
  EXPECT_NE(BodyEtag(""), BodyEtag(std::string(1, '\0')));
}

}  // namespace
}  // namespace vitrina::cache::core
