#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vitrina/base/byte_stream.hpp"
#include "vitrina/base/result.hpp"

namespace vitrina::http {

// One outgoing HTTP exchange. Every call the service makes to another HTTP service (Firebase, the
// signing keys, Blob Storage, a CSV URL, Application Insights ingestion) goes through HttpClient:
// libcurl is wrapped here and only here.
struct ClientRequest {
  std::string method = "GET";
  std::string url;
  // Sent as given, in order. An empty value removes a header libcurl would add by itself
  // (Content-Type on a body, Expect: 100-continue, which costs a round trip).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;                 // not owned: must stay valid during the call
  std::chrono::milliseconds timeout{0};  // the whole exchange; 0: no limit
  std::chrono::milliseconds connect_timeout{10000};
  // Fails a transfer slower than 1 byte/s for this long (long downloads); 0: never.
  std::chrono::seconds stall_timeout{0};
  bool follow_redirects = false;
  // Trusted CAs (PEM) for an https:// URL; empty: the system's store. The server's certificate
  // chain and name are verified either way.
  std::string ca_file;
  // A buffered body longer than this fails the exchange (kUnavailable).
  std::size_t max_response_bytes = std::size_t{1} << 20;
  // When set, a 2xx body is streamed into the sink instead of the buffer (its Content-Length
  // first, when known); an error the sink returns stops the transfer and is returned unchanged.
  // Other statuses keep their first 4 KiB in `body`, for messages.
  base::ByteSink* sink = nullptr;
  // Checked at least every 50 ms while waiting: true abandons the exchange (kUnavailable), so
  // shutdown deadlines hold while the other side hangs.
  std::function<bool()> give_up;
};

struct ClientResponse {
  long status = 0;
  std::string body;
  // Every response header, names lower-cased, in arrival order.
  std::vector<std::pair<std::string, std::string>> headers;

  // The first header of that (lower-case) name, or "".
  std::string Header(std::string_view lower_name) const;
};

// A connection cache (TLS sessions included) and the exchanges that reuse it, one at a time: a
// client belongs to one thread at a time. Only http and https. Transport failures (refused, DNS,
// timeout, abandoned) are kUnavailable errors whose detail names the method and the URL without
// its query (which may hold keys); any HTTP status is a value for the caller to interpret.
class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  base::Result<ClientResponse> Send(const ClientRequest& request);

 private:
  struct Handles;
  std::unique_ptr<Handles> handles_;
};

// One exchange on this thread's own HttpClient, so consecutive calls on a thread reuse their
// connection. Inside a request's offloaded call or an ETL run (base::CurrentBlockingTrace), the
// exchange is recorded as an HTTP dependency and carries the trace's `traceparent`.
base::Result<ClientResponse> SendHttp(const ClientRequest& request);

}  // namespace vitrina::http
