#include "vitrina/etl/blob_client.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "vitrina/base/base64.hpp"
#include "vitrina/base/query_string.hpp"
#include "vitrina/etl/sha256.hpp"
#include "vitrina/http/client.hpp"

namespace vitrina::etl {

namespace {

// Any version from 2019 on has what we use; Azurite runs with --skipApiVersionCheck.
constexpr const char* kApiVersion = "2021-08-06";
// A stalled transfer (under 1 byte/s for a minute) fails instead of hanging the run.
constexpr auto kStallTimeout = std::chrono::seconds(60);

std::string HttpDate() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[64];
  std::strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return text;
}

// The URL path of the endpoint (empty for production, "/devstoreaccount1" for Azurite).
std::string EndpointPath(const std::string& endpoint) {
  const auto scheme_end = endpoint.find("://");
  const auto slash = endpoint.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  return slash == std::string::npos ? std::string() : endpoint.substr(slash);
}

std::string BlobLabel(const std::string& container, const std::string& blob) {
  std::string label = "az://" + container;
  if (!blob.empty()) label += '/';
  return label + blob;
}

class BlobSource : public base::ByteSource {
 public:
  BlobSource(BlobClient client, std::string container, std::string blob)
      : client_(std::move(client)), container_(std::move(container)), blob_(std::move(blob)) {}
  base::Status StreamTo(base::ByteSink& sink) override {
    return client_.Send("GET", container_, blob_, {}, "", {}, &sink, "read blob");
  }

 private:
  BlobClient client_;
  std::string container_;
  std::string blob_;
};

}  // namespace

base::Result<std::string> SharedKeyAuthorization(const core::AzureStorageAccount& account,
                                                 const core::BlobRequest& request) {
  const auto key = base::Base64Decode(account.account_key);
  if (!key) {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           "AZURE_STORAGE_CONNECTION_STRING is invalid: AccountKey is not base64");
  }
  const std::string string_to_sign = core::SharedKeyStringToSign(request, account.account_name);
  return "SharedKey " + account.account_name + ":" +
         base::Base64Encode(HmacSha256(*key, string_to_sign));
}

base::Status BlobClient::Send(const std::string& method, const std::string& container,
                              const std::string& blob, const core::BlobRequest::Query& query,
                              const std::string& content_type, std::string_view body,
                              base::ByteSink* sink, const std::string& what) {
  core::BlobRequest signed_request;
  signed_request.method = method;
  // Appended piece by piece: g++ 12 -O3 warns falsely (-Wrestrict) on "/" + std::string.
  signed_request.path = EndpointPath(account_.blob_endpoint);
  signed_request.path += '/';
  signed_request.path += container;
  if (!blob.empty()) {
    signed_request.path += '/';
    signed_request.path += core::EncodeBlobPath(blob);
  }
  signed_request.query = query;
  signed_request.content_length = body.size();
  signed_request.headers = {{"x-ms-date", HttpDate()}, {"x-ms-version", kApiVersion}};
  if (method == "PUT" && !blob.empty() && query.empty()) {
    signed_request.headers.emplace_back("x-ms-blob-type", "BlockBlob");
  }
  if (!content_type.empty()) signed_request.headers.emplace_back("Content-Type", content_type);

  http::ClientRequest request;
  request.method = method;
  request.body = body;
  request.sink = sink;
  request.stall_timeout = kStallTimeout;
  request.ca_file = options_.ca_file;
  const auto scheme_end = account_.blob_endpoint.find("://");
  const auto host_end = account_.blob_endpoint.find('/', scheme_end + 3);
  request.url = account_.blob_endpoint.substr(0, host_end) + signed_request.path;
  std::string query_text;
  for (const auto& [name, value] : query) {
    // Block ids are base64 ('+', '/', '='): they must be escaped in the URL.
    query_text += (query_text.empty() ? "" : "&") + name + "=" + base::PercentEncode(value);
  }
  if (!account_.sas_token.empty() && options_.bearer == nullptr) {
    query_text += (query_text.empty() ? "" : "&") + account_.sas_token;
  }
  if (!query_text.empty()) request.url += "?" + query_text;
  for (const auto& [name, value] : signed_request.headers) {
    request.headers.emplace_back(name, value);
  }
  // The client would otherwise add headers that are not signed.
  if (content_type.empty()) request.headers.emplace_back("Content-Type", "");
  request.headers.emplace_back("Expect", "");
  if (options_.bearer != nullptr) {
    auto token = options_.bearer->Current();
    if (!token) {
      return base::MakeError(base::ErrorCode::kUnavailable, "no managed identity token to " + what +
                                                                " " + BlobLabel(container, blob) +
                                                                ": " + token.error().detail);
    }
    request.headers.emplace_back("Authorization", "Bearer " + token->value);
  } else if (account_.sas_token.empty()) {
    auto authorization = SharedKeyAuthorization(account_, signed_request);
    if (!authorization) return authorization.error();
    request.headers.emplace_back("Authorization", *authorization);
  }

  const std::string label = BlobLabel(container, blob);
  auto response = http::SendHttp(request);
  if (!response) {
    auto error = response.error();
    if (error.code == base::ErrorCode::kUnavailable) {
      error.message = "cannot reach Azure Blob Storage at " + account_.blob_endpoint + " to " +
                      what + " " + label + ": " + error.message;
    }
    return error;
  }
  const long status = response->status;
  if (status / 100 == 2) return base::OkStatus();
  const std::string code = core::AzureErrorCode(response->body);
  const std::string http = "HTTP " + std::to_string(status) + (code.empty() ? "" : " " + code);
  if (status == 403 || status == 401) {
    const std::string detail = core::AzureAuthenticationErrorDetail(response->body);
    return base::MakeError(
        base::ErrorCode::kPermissionDenied,
        "Azure Blob Storage refused the credentials (" + http +
            (detail.empty() ? "" : ": " + detail) + ") to " + what + " " + label +
            (options_.bearer != nullptr
                 ? ": check the managed identity's token and its role on the storage account "
                   "(Storage Blob Data Reader to read, Contributor to upload)"
                 : ": check AZURE_STORAGE_CONNECTION_STRING"));
  }
  if (status == 404) {
    const bool no_container = code == "ContainerNotFound";
    return base::MakeError(base::ErrorCode::kNotFound,
                           (no_container ? "container az://" + container : "blob " + label) +
                               " does not exist (" + http + ")");
  }
  if (status == 409) {
    return base::MakeError(base::ErrorCode::kConflict,
                           "cannot " + what + " " + label + " (" + http + ")");
  }
  return base::MakeError(base::ErrorCode::kUnavailable,
                         "Azure Blob Storage failed to " + what + " " + label + " (" + http + ")");
}

base::Status BlobClient::CreateContainerIfMissing(const std::string& container) {
  auto status =
      Send("PUT", container, "", {{"restype", "container"}}, "", {}, nullptr, "create container");
  if (!status && status.error().code == base::ErrorCode::kConflict) return base::OkStatus();
  return status;
}

std::unique_ptr<base::ByteSource> BlobClient::OpenBlob(const std::string& container,
                                                       const std::string& blob) {
  return std::make_unique<BlobSource>(*this, container, blob);
}

base::Status BlobClient::UploadFile(
    const std::string& path, const std::string& container, const std::string& blob,
    const std::function<void(std::uint64_t, std::uint64_t)>& on_progress, std::size_t block_size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return base::MakeError(
        errno == ENOENT ? base::ErrorCode::kNotFound : base::ErrorCode::kInvalidArgument,
        "cannot open '" + path + "': " + std::strerror(errno));
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    return base::MakeError(base::ErrorCode::kInvalidArgument, "'" + path + "' is not a file");
  }
  const auto total = static_cast<std::uint64_t>(info.st_size);
  std::string block;
  const auto read_block = [&]() -> base::Status {
    block.resize(block_size);
    std::size_t filled = 0;
    while (filled < block_size) {
      const ssize_t got = ::read(fd, block.data() + filled, block_size - filled);
      if (got == 0) break;
      if (got < 0) {
        if (errno == EINTR) continue;
        return base::MakeError(base::ErrorCode::kInvalidArgument,
                               "cannot read '" + path + "': " + std::strerror(errno));
      }
      filled += static_cast<std::size_t>(got);
    }
    block.resize(filled);
    return base::OkStatus();
  };

  if (total <= block_size) {
    if (auto status = read_block(); !status) return status;
    if (auto status = Send("PUT", container, blob, {}, "application/octet-stream", block, nullptr,
                           "upload to");
        !status) {
      return status;
    }
    on_progress(total, total);
    return base::OkStatus();
  }
  std::string block_list = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>";
  std::uint64_t sent = 0;
  for (int index = 0;; ++index) {
    if (auto status = read_block(); !status) return status;
    if (block.empty()) break;
    char name[32];
    std::snprintf(name, sizeof(name), "block-%08d", index);
    // Every block id of a blob must have the same length, hence the fixed-width counter.
    const std::string id = base::Base64Encode(name);
    if (auto status = Send("PUT", container, blob, {{"comp", "block"}, {"blockid", id}},
                           "application/octet-stream", block, nullptr, "upload a block of");
        !status) {
      return status;
    }
    block_list += "<Latest>" + id + "</Latest>";
    sent += block.size();
    on_progress(sent, total);
  }
  block_list += "</BlockList>";
  return Send("PUT", container, blob, {{"comp", "blocklist"}}, "application/xml", block_list,
              nullptr, "commit the blocks of");
}

}  // namespace vitrina::etl
