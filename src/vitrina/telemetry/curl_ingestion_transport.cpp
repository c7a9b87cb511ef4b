#include <cctype>
#include <mutex>
#include <stdexcept>

#include <curl/curl.h>

#include "vitrina/telemetry/core/ingestion_policy.hpp"
#include "vitrina/telemetry/ingestion_transport.hpp"

namespace vitrina::telemetry {
namespace {

std::size_t AppendBody(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::size_t ReadHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto& response = *static_cast<IngestionResponse*>(user);
  const std::string_view line(data, size * count);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    bool matches = true;
    for (std::size_t i = 0; i < kName.size() && matches; ++i) {
      matches = std::tolower(static_cast<unsigned char>(line[i])) == kName[i];
    }
    if (matches) {
      std::string_view value = line.substr(kName.size());
      while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) {
        value.remove_suffix(1);
      }
      response.retry_after = core::ParseRetryAfter(value);
    }
  }
  return size * count;
}

// The multi interface drives the one easy handle so that the worker can poll `give_up` while a
// request is in flight; the multi handle keeps the connection cache between batches.
class CurlIngestionTransport final : public IngestionTransport {
 public:
  CurlIngestionTransport(std::string track_url, std::chrono::milliseconds connect_timeout)
      : url_(std::move(track_url)) {
    static std::once_flag global_init;
    std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    easy_ = curl_easy_init();
    multi_ = curl_multi_init();
    if (easy_ == nullptr || multi_ == nullptr) throw std::runtime_error("libcurl init failed");
    // "Expect:" turns off 100-continue, which would cost a round trip per batch.
    headers_ = curl_slist_append(headers_, "Content-Type: application/json; charset=utf-8");
    headers_ = curl_slist_append(headers_, "Expect:");
    curl_easy_setopt(easy_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(easy_, CURLOPT_POST, 1L);
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout.count()));
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &AppendBody);
    curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &ReadHeader);
    curl_easy_setopt(easy_, CURLOPT_USERAGENT, "vitrina-telemetry/0.1");
  }

  ~CurlIngestionTransport() override {
    curl_multi_cleanup(multi_);
    curl_easy_cleanup(easy_);
    curl_slist_free_all(headers_);
  }

  CurlIngestionTransport(const CurlIngestionTransport&) = delete;
  CurlIngestionTransport& operator=(const CurlIngestionTransport&) = delete;

  IngestionResponse Post(std::string_view body, std::chrono::milliseconds timeout,
                         const std::function<bool()>& give_up) override {
    IngestionResponse response;
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(easy_, CURLOPT_HEADERDATA, &response);
    curl_multi_add_handle(multi_, easy_);
    int running = 1;
    bool abandoned = false;
    while (running > 0) {
      if (curl_multi_perform(multi_, &running) != CURLM_OK) break;
      if (running == 0) break;
      if (give_up()) {
        abandoned = true;
        break;
      }
      curl_multi_poll(multi_, nullptr, 0, 50, nullptr);
    }
    CURLcode result = CURLE_OK;
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
      if (message->msg == CURLMSG_DONE) result = message->data.result;
    }
    curl_multi_remove_handle(multi_, easy_);
    if (abandoned) {
      response = IngestionResponse{};
      response.error = "abandoned at the shutdown deadline";
      return response;
    }
    if (result != CURLE_OK) {
      response = IngestionResponse{};
      response.error = curl_easy_strerror(result);
      return response;
    }
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
  }

 private:
  std::string url_;
  CURL* easy_ = nullptr;
  CURLM* multi_ = nullptr;
  curl_slist* headers_ = nullptr;
};

}  // namespace

std::unique_ptr<IngestionTransport> MakeCurlIngestionTransport(
    std::string track_url, std::chrono::milliseconds connect_timeout) {
  return std::make_unique<CurlIngestionTransport>(std::move(track_url), connect_timeout);
}

}  // namespace vitrina::telemetry
