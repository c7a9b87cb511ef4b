#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "vitrina/base/access_token.hpp"
#include "vitrina/base/byte_stream.hpp"
#include "vitrina/base/result.hpp"
#include "vitrina/etl/core/azure_storage.hpp"

namespace vitrina::etl {

// Signs a request with the account key: "SharedKey account:base64(HMAC-SHA256(key, string))".
base::Result<std::string> SharedKeyAuthorization(const core::AzureStorageAccount& account,
                                                 const core::BlobRequest& request);

// How a BlobClient reaches the account besides its connection string; set by the composition root.
struct BlobClientOptions {
  // A managed identity's tokens for https://storage.azure.com/ (AZURE_STORAGE_AUTH=
  // managed-identity): every request carries "Authorization: Bearer <token>" instead of a SharedKey
  // signature or a SAS. Not owned; outlives the client.
  const base::AccessTokenSource* bearer = nullptr;
  // AZURE_STORAGE_CA_FILE: trusted CAs (PEM) for an https:// endpoint; empty: the system's store.
  std::string ca_file;
};

// The few Blob Storage REST operations the ETL needs, over plain HTTP with SharedKey, SAS or
// Microsoft Entra authentication: no Azure SDK exists for C++ on Debian 12, and Azurite speaks the
// same protocol.
class BlobClient {
 public:
  explicit BlobClient(core::AzureStorageAccount account, BlobClientOptions options = {})
      : account_(std::move(account)), options_(std::move(options)) {}

  // Create Container; an existing container is fine.
  base::Status CreateContainerIfMissing(const std::string& container);

  // Uploads a local file. Up to one block it is a single Put Blob; larger files go as Put Block
  // calls of `block_size` bytes and a Put Block List, so memory holds one block at a time.
  // `on_progress` gets the bytes sent so far and the total.
  base::Status UploadFile(const std::string& path, const std::string& container,
                          const std::string& blob,
                          const std::function<void(std::uint64_t, std::uint64_t)>& on_progress,
                          std::size_t block_size = std::size_t{8} * 1024 * 1024);

  // Get Blob, streamed. Each StreamTo signs a fresh request.
  std::unique_ptr<base::ByteSource> OpenBlob(const std::string& container, const std::string& blob);

  // GET/PUT one request (body may be empty). Non-2xx statuses become errors worded for `what`.
  base::Status Send(const std::string& method, const std::string& container,
                    const std::string& blob, const core::BlobRequest::Query& query,
                    const std::string& content_type, std::string_view body, base::ByteSink* sink,
                    const std::string& what);

 private:
  core::AzureStorageAccount account_;
  BlobClientOptions options_;
};

}  // namespace vitrina::etl
