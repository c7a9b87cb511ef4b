#include "vitrina/auth/http_transport.hpp"

#include <cctype>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include <curl/curl.h>

#include "vitrina/base/request_trace.hpp"

namespace vitrina::auth {
namespace {

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

CURL* ThreadHandle() {
  static std::once_flag global_init;
  std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  thread_local std::unique_ptr<CURL, CurlDeleter> handle(curl_easy_init());
  return handle.get();
}

struct Sink {
  HttpResponse* response = nullptr;
  std::size_t limit = 0;
  bool too_large = false;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t bytes = size * count;
  if (sink->response->body.size() + bytes > sink->limit) {
    sink->too_large = true;
    return 0;  // aborts the transfer
  }
  sink->response->body.append(data, bytes);
  return bytes;
}

std::string_view Trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == '\r' || text.back() == '\n' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  return text;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t bytes = size * count;
  const std::string_view line(data, bytes);
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return bytes;  // status line, blank line
  std::string name(line.substr(0, colon));
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string value(Trimmed(line.substr(colon + 1)));
  if (name == "cache-control") sink->response->cache_control = value;
  sink->response->headers.emplace_back(std::move(name), std::move(value));
  return bytes;
}

// The API key travels in the query string: keep it out of error details (they are logged).
std::string WithoutQuery(const std::string& url) { return url.substr(0, url.find('?')); }

base::Result<HttpResponse> PerformUntraced(const HttpRequest& request, base::RequestTrace* trace) {
  CURL* curl = ThreadHandle();
  if (curl == nullptr) {
    return base::MakeError(base::ErrorCode::kInternal, "internal error", "curl_easy_init failed");
  }
  // Reset options but keep the connection cache of this handle.
  curl_easy_reset(curl);
  HttpResponse response;
  Sink sink{&response, request.max_response_bytes};
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  std::vector<std::string> lines;
  lines.reserve(request.headers.size() + 1);
  for (const auto& [name, value] : request.headers) {
    lines.push_back(std::string(name).append(": ").append(value));
  }
  // W3C trace context goes on to the services we call (the request's span is their parent).
  if (trace != nullptr) lines.push_back("traceparent: " + trace->context().OutgoingTraceparent());
  for (const auto& line : lines) {
    curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
    if (appended == nullptr) {
      return base::MakeError(base::ErrorCode::kInternal, "internal error", "curl_slist_append");
    }
    (void)headers.release();  // `appended` is the same list, grown
    headers.reset(appended);
  }
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  if (request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  const CURLcode code = curl_easy_perform(curl);
  // The handle outlives this call: drop pointers into our stack frame.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  if (sink.too_large) {
    return base::MakeError(base::ErrorCode::kUnavailable, "the identity provider is unavailable",
                           "response from " + WithoutQuery(request.url) + " exceeds " +
                               std::to_string(request.max_response_bytes) + " bytes");
  }
  if (code != CURLE_OK) {
    return base::MakeError(
        base::ErrorCode::kUnavailable, "the identity provider is unavailable",
        request.method + " " + WithoutQuery(request.url) + ": " + curl_easy_strerror(code));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace

base::Result<HttpResponse> PerformHttp(const HttpRequest& request) {
  const base::DependencyTimer timer(base::CurrentBlockingTrace());
  auto result = PerformUntraced(request, base::CurrentBlockingTrace());
  if (timer.active()) {
    const auto names = base::DescribeHttpCall(request.method, request.url);
    base::DependencyRecord record;
    record.type = "HTTP";
    record.name = names.name;
    record.data = names.data;
    record.target = names.target;
    const std::string status = result ? std::to_string(result->status) : std::string();
    record.result_code = result ? std::string_view(status) : std::string_view("ERROR");
    record.success = result && result->status >= 200 && result->status < 400;
    timer.Finish(record);
  }
  return result;
}

}  // namespace vitrina::auth
