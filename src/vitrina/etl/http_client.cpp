#include "vitrina/etl/http_client.hpp"

#include <memory>
#include <mutex>
#include <optional>

#include <curl/curl.h>

#include "vitrina/base/request_trace.hpp"

namespace vitrina::etl {

namespace {

constexpr std::size_t kMaxErrorBody = 4096;

struct Transfer {
  CURL* curl = nullptr;
  ByteSink* sink = nullptr;
  HttpResponse response;
  bool status_known = false;
  std::optional<base::Error> sink_error;
};

long StatusOf(Transfer& transfer) {
  if (!transfer.status_known) {
    curl_easy_getinfo(transfer.curl, CURLINFO_RESPONSE_CODE, &transfer.response.status);
    transfer.status_known = true;
    curl_off_t length = -1;
    if (transfer.response.status / 100 == 2 && transfer.sink != nullptr &&
        curl_easy_getinfo(transfer.curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK &&
        length >= 0) {
      transfer.sink->OnSize(static_cast<std::uint64_t>(length));
    }
  }
  return transfer.response.status;
}

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  const long status = StatusOf(transfer);
  if (status / 100 != 2) {
    auto& body = transfer.response.error_body;
    body.append(data, std::min(bytes, kMaxErrorBody - std::min(kMaxErrorBody, body.size())));
    return bytes;
  }
  if (transfer.sink == nullptr) return bytes;
  if (auto status_of_sink = transfer.sink->Consume(std::string_view(data, bytes));
      !status_of_sink) {
    transfer.sink_error = status_of_sink.error();
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  return bytes;
}

void InitialiseCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct HeaderListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

base::Result<HttpResponse> Perform(const HttpRequest& request, ByteSink* sink,
                                   base::RequestTrace* trace) {
  InitialiseCurlOnce();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return base::MakeError(base::ErrorCode::kInternal, "libcurl cannot start");
  std::unique_ptr<curl_slist, HeaderListDeleter> headers;
  for (const auto& header : request.headers) {
    headers.reset(curl_slist_append(headers.release(), header.c_str()));
  }
  // W3C trace context goes on to the service we call (the ETL run's span is its parent).
  if (trace != nullptr) {
    const std::string traceparent = "traceparent: " + trace->context().OutgoingTraceparent();
    headers.reset(curl_slist_append(headers.release(), traceparent.c_str()));
  }
  Transfer transfer;
  transfer.curl = curl.get();
  transfer.sink = sink;
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, 10L);
  // A stalled transfer (under 1 byte/s for a minute) fails instead of hanging the run.
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(handle, CURLOPT_BUFFERSIZE, 256L * 1024L);
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
  if (request.method != "GET") {
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  const CURLcode code = curl_easy_perform(handle);
  if (transfer.sink_error) return *transfer.sink_error;
  if (code != CURLE_OK) {
    return base::MakeError(base::ErrorCode::kUnavailable,
                           std::string("cannot reach the server: ") + curl_easy_strerror(code));
  }
  StatusOf(transfer);
  return std::move(transfer.response);
}

}  // namespace

// With a trace on this thread (the ETL command sets one for its run), each request is recorded
// as an HTTP dependency; a streamed download's duration is the whole transfer.
base::Result<HttpResponse> SendHttp(const HttpRequest& request, ByteSink* sink) {
  base::RequestTrace* trace = base::CurrentBlockingTrace();
  const base::DependencyTimer timer(trace);
  auto result = Perform(request, sink, trace);
  if (timer.active()) {
    const auto names = base::DescribeHttpCall(request.method, request.url);
    const std::string status = result ? std::to_string(result->status) : std::string("ERROR");
    base::DependencyRecord record;
    record.type = "HTTP";
    record.name = names.name;
    record.data = names.data;
    record.target = names.target;
    record.result_code = status;
    record.success = result && result->status >= 200 && result->status < 400;
    timer.Finish(record);
  }
  return result;
}

}  // namespace vitrina::etl
