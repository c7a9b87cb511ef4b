#include "vitrina/etl/http_source.hpp"

#include "vitrina/etl/core/azure_storage.hpp"
#include "vitrina/http/client.hpp"

namespace vitrina::etl {

base::Status HttpSource::StreamTo(base::ByteSink& sink) {
  const std::string shown = core::RedactSourceUrl(url_);
  http::ClientRequest request;
  request.url = url_;
  request.follow_redirects = true;
  // A stalled download (under 1 byte/s for a minute) fails instead of hanging the run.
  request.stall_timeout = std::chrono::seconds(60);
  request.sink = &sink;
  auto response = http::SendHttp(request);
  if (!response) {
    auto error = response.error();
    if (error.code == base::ErrorCode::kUnavailable) error.message += " (" + shown + ")";
    return error;
  }
  const long status = response->status;
  if (status / 100 == 2) return base::OkStatus();
  const std::string code = core::AzureErrorCode(response->body);
  const std::string http = "HTTP " + std::to_string(status) + (code.empty() ? "" : " " + code);
  const bool sas = url_.find("sig=") != std::string::npos;
  if (status == 404) {
    return base::MakeError(base::ErrorCode::kNotFound, "source not found (" + http + "): " + shown);
  }
  if ((status == 401 || status == 403) && sas) {
    return base::MakeError(base::ErrorCode::kPermissionDenied,
                           "Azure Blob Storage refused the credentials (" + http +
                               "): the SAS URL is wrong, expired or lacks read permission");
  }
  if (status == 401 || status == 403) {
    return base::MakeError(base::ErrorCode::kPermissionDenied,
                           "the server refused access to the source (" + http + "): " + shown);
  }
  return base::MakeError(base::ErrorCode::kUnavailable,
                         "cannot download the source (" + http + "): " + shown);
}

}  // namespace vitrina::etl
