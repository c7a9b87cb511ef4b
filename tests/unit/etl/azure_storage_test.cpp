#include "vitrina/etl/core/azure_storage.hpp"

#include <gtest/gtest.h>

#include "vitrina/base/base64.hpp"
#include "vitrina/etl/core/etl_source.hpp"

namespace vitrina::etl::core {
namespace {

constexpr const char* kAzuriteKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

TEST(ParseAzureConnectionString, ReadsAnAzuriteConnectionString) {
  const std::string text =
      std::string("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;") +
      "AccountKey=" + kAzuriteKey + ";BlobEndpoint=http://127.0.0.1:58002/devstoreaccount1/;";
  const auto account = ParseAzureConnectionString(text);
  ASSERT_TRUE(account.ok()) << account.error().message;
  EXPECT_EQ(account->account_name, "devstoreaccount1");
  EXPECT_EQ(account->account_key, kAzuriteKey) << "'=' inside the value is kept";
  EXPECT_EQ(account->blob_endpoint, "http://127.0.0.1:58002/devstoreaccount1");
  EXPECT_TRUE(account->sas_token.empty());
}

TEST(ParseAzureConnectionString, BuildsTheEndpointFromProtocolAndSuffix) {
  const auto account = ParseAzureConnectionString(
      "defaultendpointsprotocol=https;accountname=acme;accountkey=a2V5;EndpointSuffix=core."
      "chinacloudapi.cn");
  ASSERT_TRUE(account.ok()) << account.error().message;
  EXPECT_EQ(account->blob_endpoint, "https://acme.blob.core.chinacloudapi.cn");
}

TEST(ParseAzureConnectionString, AcceptsASharedAccessSignature) {
  const auto account = ParseAzureConnectionString(
      "BlobEndpoint=https://acme.blob.core.windows.net;SharedAccessSignature=?sv=2021&sig=abc%3D");
  ASSERT_TRUE(account.ok()) << account.error().message;
  EXPECT_EQ(account->sas_token, "sv=2021&sig=abc%3D");
}

TEST(ParseAzureConnectionString, DevelopmentStorageMeansAzuriteDefaults) {
  const auto account = ParseAzureConnectionString("UseDevelopmentStorage=true");
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(account->blob_endpoint, "http://127.0.0.1:10000/devstoreaccount1");
}

TEST(ParseAzureConnectionString, RefusesIncompleteStringsWithoutEchoingSecrets) {
  const auto no_credentials = ParseAzureConnectionString("AccountName=acme");
  ASSERT_FALSE(no_credentials.ok());
  EXPECT_EQ(no_credentials.error().message,
            "AZURE_STORAGE_CONNECTION_STRING is invalid: it has neither AccountKey nor "
            "SharedAccessSignature");
  EXPECT_FALSE(ParseAzureConnectionString("AccountKey=c2VjcmV0").ok());
  const auto garbage = ParseAzureConnectionString("not a connection string secret123");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().message.find("secret123"), std::string::npos);
}

// The expected text follows the SharedKey specification line by line: verb, Content-Encoding,
// Content-Language, Content-Length, Content-MD5, Content-Type, Date, If-Modified-Since, If-Match,
// If-None-Match, If-Unmodified-Since, Range, x-ms-* headers sorted, then the resource.
TEST(SharedKeyStringToSign, MatchesTheSpecificationForAPathStyleAzuriteUrl) {
  BlobRequest request;
  request.method = "PUT";
  request.path = "/devstoreaccount1/datasets/a%20b.csv";
  request.query = {{"comp", "block"}, {"blockid", "YmxvY2stMDAwMDAx"}};
  request.headers = {{"x-ms-version", "2021-08-06"},
                     {"X-MS-Date", "Mon, 01 Jan 2024 00:00:00 GMT"},
                     {"Content-Type", "application/octet-stream"},
                     {"x-ms-blob-type", " BlockBlob "}};
  request.content_length = 42;
  EXPECT_EQ(SharedKeyStringToSign(request, "devstoreaccount1"),
            "PUT\n\n\n42\n\napplication/octet-stream\n\n\n\n\n\n\n"
            "x-ms-blob-type:BlockBlob\n"
            "x-ms-date:Mon, 01 Jan 2024 00:00:00 GMT\n"
            "x-ms-version:2021-08-06\n"
            "/devstoreaccount1/devstoreaccount1/datasets/a%20b.csv\n"
            "blockid:YmxvY2stMDAwMDAx\n"
            "comp:block");
}

TEST(SharedKeyStringToSign, ZeroContentLengthIsEmpty) {
  BlobRequest request;
  request.method = "GET";
  request.path = "/acct/c/b";
  request.headers = {{"x-ms-date", "d"}};
  EXPECT_EQ(SharedKeyStringToSign(request, "acct"),
            "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:d\n/acct/acct/c/b");
}

TEST(EncodeBlobPath, KeepsSlashesAndEscapesTheRest) {
  EXPECT_EQ(EncodeBlobPath("dir/a b+c%.csv"), "dir/a%20b%2Bc%25.csv");
}

TEST(AzureErrorBody, NamesTheCodeAndWhyAuthenticationFailed) {
  // As Azure Storage (and Azurite) answer a bearer token they refuse.
  const std::string body =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthenticationFailed</Code>"
      "<Message>Server failed to authenticate the request.\nRequestId:1\nTime:2026</Message>"
      "<AuthenticationErrorDetail>Lifetime validation failed. The token is expired."
      "</AuthenticationErrorDetail></Error>";
  EXPECT_EQ(AzureErrorCode(body), "AuthenticationFailed");
  EXPECT_EQ(AzureAuthenticationErrorDetail(body),
            "Lifetime validation failed. The token is expired.");
  EXPECT_EQ(AzureAuthenticationErrorDetail("<Error><Code>BlobNotFound</Code></Error>"), "");
  EXPECT_EQ(AzureAuthenticationErrorDetail("<AuthenticationErrorDetail>" + std::string(400, 'x')),
            "");
}

TEST(RedactSourceUrl, HidesTheSasSignatureAndPasswords) {
  EXPECT_EQ(RedactSourceUrl("https://a.blob.core.windows.net/c/b.csv?sv=2021&sig=abc%2Bdef&se=x"),
            "https://a.blob.core.windows.net/c/b.csv?sv=2021&sig=REDACTED&se=x");
  EXPECT_EQ(RedactSourceUrl("https://a/b?SIG=zzz"), "https://a/b?SIG=REDACTED");
  EXPECT_EQ(RedactSourceUrl("https://user:pw@example.com/x.csv"),
            "https://user:***@example.com/x.csv");
  EXPECT_EQ(RedactSourceUrl("/data/x.csv"), "/data/x.csv");
}

TEST(ParseEtlSource, RecognisesEachKind) {
  const auto blob = ParseEtlSource("az://datasets/dir/d.csv");
  ASSERT_TRUE(blob.ok());
  EXPECT_EQ(blob->kind, EtlSourceKind::kAzureBlob);
  EXPECT_EQ(blob->container, "datasets");
  EXPECT_EQ(blob->blob, "dir/d.csv");
  const auto sas = ParseEtlSource("https://h/c/b?sig=secret");
  ASSERT_TRUE(sas.ok());
  EXPECT_EQ(sas->kind, EtlSourceKind::kHttp);
  EXPECT_EQ(sas->redacted, "https://h/c/b?sig=REDACTED");
  const auto file = ParseEtlSource("data/d.csv.gz");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->kind, EtlSourceKind::kLocalFile);
  EXPECT_FALSE(ParseEtlSource("az://datasets").ok());
  EXPECT_FALSE(ParseEtlSource("az://Bad_Container/x").ok());
  EXPECT_FALSE(ParseEtlSource("ftp://h/x").ok());
}

TEST(Base64, RoundTripsAndRefusesGarbage) {
  EXPECT_EQ(base::Base64Encode("block-000001"), "YmxvY2stMDAwMDAx");
  EXPECT_EQ(base::Base64Encode("ab"), "YWI=");
  EXPECT_EQ(base::Base64Encode("a"), "YQ==");
  EXPECT_EQ(base::Base64Decode("YWI="), "ab");
  EXPECT_EQ(base::Base64Decode(base::Base64Encode(std::string("\0\xff\x10", 3))),
            std::string("\0\xff\x10", 3));
  EXPECT_EQ(base::Base64Decode("YW=I"), std::nullopt);
  EXPECT_EQ(base::Base64Decode("abc"), std::nullopt);
  EXPECT_EQ(base::Base64Decode("a*bc"), std::nullopt);
}

}  // namespace
}  // namespace vitrina::etl::core
