#include "vitrina/http/client.hpp"
#include "vitrina/telemetry/core/ingestion_policy.hpp"
#include "vitrina/telemetry/gzip.hpp"
#include "vitrina/telemetry/ingestion_transport.hpp"

namespace vitrina::telemetry {
namespace {

// POSTs each batch through one http::HttpClient, so the TLS connection is reused between batches.
class HttpIngestionTransport final : public IngestionTransport {
 public:
  HttpIngestionTransport(std::string track_url, std::chrono::milliseconds connect_timeout,
                         int gzip_level, const base::AccessTokenSource* bearer)
      : url_(std::move(track_url)),
        connect_timeout_(connect_timeout),
        gzip_level_(gzip_level),
        bearer_(bearer) {}

  IngestionResponse Post(std::string_view body, std::chrono::milliseconds timeout,
                         const std::function<bool()>& give_up) override {
    http::ClientRequest request;
    request.method = "POST";
    request.url = url_;
    // No "Expect: 100-continue": it would cost a round trip per batch.
    request.headers = {{"Content-Type", "application/json; charset=utf-8"}, {"Expect", ""}};
    IngestionResponse response;
    if (bearer_ != nullptr) {
      auto token = bearer_->Current();
      if (!token.ok()) {
        response.error = "no managed identity token: " + token.error().detail;
        return response;
      }
      request.headers.emplace_back("Authorization", "Bearer " + token->value);
    }
    // Compressed per attempt: a retry (rare) costs another deflate, and the exporter keeps
    // items as text so that a 206 can resend a subset.
    std::string compressed;
    if (gzip_level_ > 0) {
      compressed = Gzip(body, gzip_level_);
      request.headers.emplace_back("Content-Encoding", "gzip");
      request.body = compressed;
    } else {
      request.body = body;
    }
    request.timeout = timeout;
    request.connect_timeout = connect_timeout_;
    request.give_up = give_up;
    auto sent = client_.Send(request);
    if (!sent) {
      response.error = sent.error().detail;
      return response;
    }
    response.status = sent->status;
    response.body = std::move(sent->body);
    if (const auto retry_after = sent->Header("retry-after"); !retry_after.empty()) {
      response.retry_after = core::ParseRetryAfter(retry_after);
    }
    return response;
  }

 private:
  std::string url_;
  std::chrono::milliseconds connect_timeout_;
  int gzip_level_;
  const base::AccessTokenSource* bearer_;
  http::HttpClient client_;
};

}  // namespace

std::unique_ptr<IngestionTransport> MakeHttpIngestionTransport(
    std::string track_url, std::chrono::milliseconds connect_timeout, int gzip_level,
    const base::AccessTokenSource* bearer) {
  return std::make_unique<HttpIngestionTransport>(std::move(track_url), connect_timeout, gzip_level,
                                                  bearer);
}

}  // namespace vitrina::telemetry
