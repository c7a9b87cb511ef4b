#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "vitrina/base/error.hpp"
#include "vitrina/base/request_trace.hpp"
#include "vitrina/base/result.hpp"
#include "vitrina/http/core/body_file.hpp"
#include "vitrina/http/core/path_template.hpp"
#include "vitrina/http/core/principal.hpp"

namespace vitrina::http::core {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

std::string_view MethodName(Method method);

// Who may call a route; the authentication middleware enforces it before the handler runs.
enum class Access { kPublic, kUser, kAdmin };

using Headers = std::vector<std::pair<std::string, std::string>>;  // names in lower case

// An HTTP request as handlers see it: plain data, no sockets and no Beast types, so handlers
// and middleware compile quickly and can be called directly in tests.
struct Request {
  Method method = Method::kGet;
  std::string method_text;
  std::string path;   // the target before '?'
  std::string query;  // the target after '?', still percent-encoded
  Headers headers;
  std::string body;

  // Filled in by the pipeline before middleware runs.
  std::string request_id;
  std::string route;  // the matched route template ("/catalog/{id}"), or empty
  Access access = Access::kPublic;
  PathParams params;
  std::optional<Principal> principal;  // set by the authentication middleware

  // Set by the observability middleware (null without it); handlers pass it to repository,
  // cache and HTTP-client calls so their dependencies are attributed to this request.
  base::RequestTrace* trace = nullptr;

  // Set by the server: the TCP peer ("203.0.113.7", IPv4-mapped IPv6 shown as IPv4), empty if
  // unknown. Behind a proxy this is the proxy; see http::ClientAddress.
  std::string peer_address;

  // Value of a header (name in lower case), empty when absent.
  std::string_view Header(std::string_view lower_name) const;
  std::string_view Param(std::string_view name) const;
};

// A body produced while it is sent (GET /catalog's large answers, read from PostgreSQL as they
// are written). The server asks for the next piece only after the previous one was written to
// the socket: that is the backpressure, and a slow client slows the producer down instead of
// piling bytes up in memory. The server destroys the stream when it is done with it, at the end
// or early (the client went away, a HEAD request, a failed write): the destructor releases what
// the producer holds at once (database/row_stream.hpp cancels the query).
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // The next bytes (never empty), an empty string at the end, or an error: the body is then cut
  // short and the connection closed, which is how the client learns it failed (an unterminated
  // chunked body, or a body shorter than its known length). See docs/api.md, "Streamed answers".
  virtual boost::asio::awaitable<base::Result<std::string>> Next() = 0;
};

struct Response {
  unsigned status = 200;
  // A constant, or text that outlives every response (a static file's, loaded at start): a
  // std::string here cost every answer an allocation ("application/json" is one byte over the
  // short-string buffer).
  std::string_view content_type = "application/json";
  Headers headers;
  std::string body;
  // Instead of `body`: bytes shared with the cache, sent without a copy (a 7 MB catalog answer
  // would otherwise be copied once per request).
  std::shared_ptr<const std::string> shared_body;

  // The same bytes as `shared_body` in a file: the server sends it with sendfile(2).
  std::shared_ptr<const BodyFile> body_file;

  // Instead of a body: bytes produced while they are sent, with `Transfer-Encoding: chunked` on
  // HTTP/1.1 (HTTP/1.0: no length, the connection closes after it). Shared only so Response stays
  // copyable; one response owns it.
  std::shared_ptr<BodyStream> body_stream;

  // Sent after `headers`: a block built once by something that outlives the server (the CORS
  // policy) and shared by many answers, so adding it copies nothing.
  const Headers* shared_headers = nullptr;

  std::string_view Body() const { return shared_body ? std::string_view(*shared_body) : body; }

  // For the access log only, never sent: the error code and its internal detail.
  std::string error_code;
  std::string error_detail;

  static Response Json(unsigned status, std::string body);
  static Response Json(unsigned status, std::shared_ptr<const std::string> body);
};

}  // namespace vitrina::http::core
