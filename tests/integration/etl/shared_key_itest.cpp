// SharedKey signing needs OpenSSL, so it is checked here rather than in the pure unit tests. It
// needs no server. The expected signature was computed independently (Python hmac + base64).

#include <gtest/gtest.h>

#include "vitrina/etl/blob_client.hpp"
#include "vitrina/etl/core/azure_storage.hpp"

namespace vitrina::etl {
namespace {

TEST(SharedKeyAuthorization, MatchesAnIndependentlyComputedSignature) {
  core::AzureStorageAccount account;
  account.account_name = "devstoreaccount1";
  account.account_key =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
  core::BlobRequest request;
  request.method = "GET";
  request.path = "/devstoreaccount1/datasets/diamonds.csv";
  request.headers = {{"x-ms-date", "Mon, 01 Jan 2024 00:00:00 GMT"},
                     {"x-ms-version", "2021-08-06"}};
  const auto authorization = SharedKeyAuthorization(account, request);
  ASSERT_TRUE(authorization.ok());
  EXPECT_EQ(*authorization,
            "SharedKey devstoreaccount1:3T5KeShUTjNVbffheZd0TR/i9aQaQJH5wIhTmcSDbTU=");
}

TEST(SharedKeyAuthorization, RefusesAKeyThatIsNotBase64) {
  core::AzureStorageAccount account;
  account.account_name = "a";
  account.account_key = "not base64!";
  EXPECT_FALSE(SharedKeyAuthorization(account, core::BlobRequest{}).ok());
}

}  // namespace
}  // namespace vitrina::etl
