#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vitrina/base/result.hpp"

namespace vitrina::etl::core {

// The parts of an AZURE_STORAGE_CONNECTION_STRING that Blob Storage needs. Either an account key
// (requests are signed with SharedKey) or a SAS token (appended to every URL) authenticates.
struct AzureStorageAccount {
  std::string account_name;
  std::string account_key;    // base64, as printed by the portal; empty when using a SAS
  std::string sas_token;      // without the leading '?'; empty when using a key
  std::string blob_endpoint;  // e.g. https://acct.blob.core.windows.net, no trailing '/'
};

// Parses "Key=Value;Key=Value;..." (keys case-insensitive). Supports AccountName, AccountKey,
// BlobEndpoint, DefaultEndpointsProtocol + EndpointSuffix, SharedAccessSignature and
// UseDevelopmentStorage=true (Azurite's default address). Errors name what is missing, never
// echo the key. With `bearer_auth` (a managed identity's token authenticates instead,
// AZURE_STORAGE_AUTH=managed-identity) neither AccountKey nor SharedAccessSignature is needed:
// "BlobEndpoint=https://acct.blob.core.windows.net" or "AccountName=acct" is enough.
base::Result<AzureStorageAccount> ParseAzureConnectionString(std::string_view text,
                                                             bool bearer_auth = false);

// Percent-encodes a blob name for a URL path: unreserved characters and '/' are kept.
std::string EncodeBlobPath(std::string_view blob_name);

// One HTTP request to Blob Storage as SharedKey sees it. Header names are as sent; the signer
// lowercases the x-ms-* ones.
struct BlobRequest {
  using Query = std::vector<std::pair<std::string, std::string>>;
  std::string method;  // GET, PUT, ...
  std::string path;    // URL path as sent, percent-encoded
  Query query;         // decoded names and values
  std::vector<std::pair<std::string, std::string>> headers;
  std::uint64_t content_length = 0;
};

// The SharedKey string-to-sign (service version 2015-02-21 and later): verb, the standard headers
// in their fixed order (Content-Length empty when zero), the canonicalized x-ms-* headers and the
// canonicalized resource "/<account><path>" plus the sorted query parameters. With Azurite's
// path-style URLs the path already starts with the account, so the account appears twice.
std::string SharedKeyStringToSign(const BlobRequest& request, std::string_view account_name);

// The <Code> of a Blob Storage XML error body (e.g. "AuthenticationFailed"), or "".
std::string AzureErrorCode(std::string_view body);

// The <AuthenticationErrorDetail> of an AuthenticationFailed body: why a bearer token or a
// signature was refused ("Lifetime validation failed. The token is expired."), or "".
std::string AzureAuthenticationErrorDetail(std::string_view body);

// Hides secrets in a source before it is logged or stored: the SAS signature (sig=...) and any
// password in the URL's user information.
std::string RedactSourceUrl(std::string_view source);

}  // namespace vitrina::etl::core
