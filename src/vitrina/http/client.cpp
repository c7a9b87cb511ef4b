#include "vitrina/http/client.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <optional>
#include <stdexcept>

#include <curl/curl.h>

#include "vitrina/base/request_trace.hpp"
#include "vitrina/base/text.hpp"

namespace vitrina::http {
namespace {

// Of a non-2xx body streamed elsewhere, only this much is kept for messages.
constexpr std::size_t kMaxStreamedErrorBody = 4096;
// How often a wait wakes up to ask `give_up`.
constexpr int kPollMilliseconds = 50;

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

struct Transfer {
  const ClientRequest* request = nullptr;
  CURL* easy = nullptr;
  ClientResponse response;
  bool status_known = false;
  bool too_large = false;
  std::optional<base::Error> sink_error;
};

// The status is known once the body starts; a 2xx streamed body announces its size first.
long StatusOf(Transfer& transfer) {
  if (!transfer.status_known) {
    curl_easy_getinfo(transfer.easy, CURLINFO_RESPONSE_CODE, &transfer.response.status);
    transfer.status_known = true;
    curl_off_t length = -1;
    if (transfer.response.status / 100 == 2 && transfer.request->sink != nullptr &&
        curl_easy_getinfo(transfer.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK &&
        length >= 0) {
      transfer.request->sink->OnSize(static_cast<std::uint64_t>(length));
    }
  }
  return transfer.response.status;
}

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  const std::string_view chunk(data, bytes);
  base::ByteSink* sink = transfer.request->sink;
  auto& body = transfer.response.body;
  if (sink != nullptr) {
    if (StatusOf(transfer) / 100 == 2) {
      if (auto consumed = sink->Consume(chunk); !consumed) {
        transfer.sink_error = consumed.error();
        return 0;  // makes curl stop with CURLE_WRITE_ERROR
      }
    } else {
      body.append(
          chunk.substr(0, kMaxStreamedErrorBody - std::min(kMaxStreamedErrorBody, body.size())));
    }
    return bytes;
  }
  if (body.size() + bytes > transfer.request->max_response_bytes) {
    transfer.too_large = true;
    return 0;
  }
  body.append(chunk);
  return bytes;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  const std::string_view line(data, bytes);
  if (line.starts_with("HTTP/")) {
    // A new response (after a redirect or a 100 Continue): only the last one's headers count.
    transfer.response.headers.clear();
    return bytes;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return bytes;  // the blank line
  std::string name(line.substr(0, colon));
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  transfer.response.headers.emplace_back(std::move(name),
                                         std::string(base::TrimAscii(line.substr(colon + 1))));
  return bytes;
}

// Query strings may carry keys (Firebase's ?key=, a SAS signature): never in logs.
std::string Shown(const ClientRequest& request) {
  return request.method + " " + request.url.substr(0, request.url.find('?'));
}

base::Error Unavailable(const ClientRequest& request, std::string_view reason) {
  return base::MakeError(base::ErrorCode::kUnavailable,
                         "cannot reach the server: " + std::string(reason),
                         Shown(request) + ": " + std::string(reason));
}

void SetMethodAndBody(CURL* easy, const ClientRequest& request) {
  if (request.method == "GET") return;
  if (request.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    return;
  }
  if (request.method == "POST") {
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
  } else {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  // Never a null pointer: libcurl would then read the body from stdin.
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.empty() ? "" : request.body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
}

base::Result<std::unique_ptr<curl_slist, SlistDeleter>> HeaderList(const ClientRequest& request) {
  std::unique_ptr<curl_slist, SlistDeleter> list;
  for (const auto& [name, value] : request.headers) {
    // "Name;" sends an empty header; "Name:" removes one libcurl adds. We only need the latter.
    const std::string line = name + ":" + (value.empty() ? "" : " " + value);
    curl_slist* appended = curl_slist_append(list.get(), line.c_str());
    if (appended == nullptr) {
      return base::MakeError(base::ErrorCode::kInternal, "internal error", "curl_slist_append");
    }
    (void)list.release();  // `appended` is the same list, grown
    list.reset(appended);
  }
  return list;
}

}  // namespace

std::string ClientResponse::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

struct HttpClient::Handles {
  CURL* easy = nullptr;
  CURLM* multi = nullptr;
};

HttpClient::HttpClient() : handles_(std::make_unique<Handles>()) {
  static std::once_flag global_init;
  std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  handles_->easy = curl_easy_init();
  handles_->multi = curl_multi_init();
  if (handles_->easy == nullptr || handles_->multi == nullptr) {
    curl_multi_cleanup(handles_->multi);
    curl_easy_cleanup(handles_->easy);
    throw std::runtime_error("libcurl cannot start");
  }
}

HttpClient::~HttpClient() {
  curl_multi_cleanup(handles_->multi);
  curl_easy_cleanup(handles_->easy);
}

base::Result<ClientResponse> HttpClient::Send(const ClientRequest& request) {
  CURL* easy = handles_->easy;
  // Forgets the previous exchange's options, keeps its connections (and TLS sessions).
  curl_easy_reset(easy);
  auto headers = HeaderList(request);
  if (!headers) return headers.error();
  Transfer transfer;
  transfer.request = &request;
  transfer.easy = easy;
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  if (request.stall_timeout.count() > 0) {
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(request.stall_timeout.count()));
  }
  if (!request.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, request.ca_file.c_str());
  if (request.sink != nullptr) curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, 256L * 1024L);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "vitrina/0.1");
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers->get());
  SetMethodAndBody(easy, request);

  // The multi interface drives the one easy handle so that the wait can ask `give_up`.
  CURLM* multi = handles_->multi;
  curl_multi_add_handle(multi, easy);
  int running = 1;
  bool abandoned = false;
  while (running > 0) {
    if (curl_multi_perform(multi, &running) != CURLM_OK || running == 0) break;
    if (request.give_up && request.give_up()) {
      abandoned = true;
      break;
    }
    curl_multi_poll(multi, nullptr, 0, kPollMilliseconds, nullptr);
  }
  CURLcode code = CURLE_OK;
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
    if (message->msg == CURLMSG_DONE) code = message->data.result;
  }
  curl_multi_remove_handle(multi, easy);
  // The handle outlives this call: drop the pointer into this frame.
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);

  if (abandoned) return Unavailable(request, "abandoned (the caller gave up)");
  if (transfer.sink_error) return *transfer.sink_error;
  if (transfer.too_large) {
    return Unavailable(
        request, "the response exceeds " + std::to_string(request.max_response_bytes) + " bytes");
  }
  if (code != CURLE_OK) return Unavailable(request, curl_easy_strerror(code));
  StatusOf(transfer);
  return std::move(transfer.response);
}

base::Result<ClientResponse> SendHttp(const ClientRequest& request) {
  thread_local HttpClient client;
  base::RequestTrace* trace = base::CurrentBlockingTrace();
  if (trace == nullptr) return client.Send(request);

  // W3C trace context goes on to the service we call (the request's span is its parent).
  ClientRequest traced = request;
  traced.headers.emplace_back("traceparent", trace->context().OutgoingTraceparent());
  const base::DependencyTimer timer(trace);
  auto result = client.Send(traced);
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

}  // namespace vitrina::http
