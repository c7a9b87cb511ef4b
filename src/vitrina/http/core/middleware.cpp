#include "vitrina/http/core/middleware.hpp"

#include <array>
#include <atomic>
#include <charconv>
#include <exception>
#include <random>

#include "vitrina/http/core/error_response.hpp"

namespace vitrina::http::core {

namespace asio = boost::asio;

namespace {

bool IsAcceptableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// A per-process random prefix and a counter: unique across instances without a syscall each.
std::string NewRequestId() {
  static const std::string prefix = [] {
    std::random_device device;
    const auto bits = (static_cast<std::uint64_t>(device()) << 32) | device();
    char buffer[17];
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = 0; i < 16; ++i) buffer[i] = kHex[(bits >> (i * 4)) & 0xF];
    buffer[16] = '\0';
    return std::string(buffer);
  }();
  static std::atomic<std::uint64_t> counter{0};
  // Built in one allocation (it is on every request).
  std::array<char, 24> digits{};
  const auto end = std::to_chars(digits.data(), digits.data() + digits.size(),
                                 counter.fetch_add(1, std::memory_order_relaxed) + 1)
                       .ptr;
  std::string id;
  id.reserve(prefix.size() + 1 + static_cast<std::size_t>(end - digits.data()));
  id += prefix;
  id += '-';
  id.append(digits.data(), end);
  return id;
}

std::string_view CacheHeader(const Response& response) {
  for (const auto& [name, value] : response.headers) {
    if (name == "X-Cache") return value;
  }
  return {};
}

// A streamed body's access line is written when the stream ends, not when its header is ready:
// with the whole duration and the bytes sent, and an error code when it did not complete
// ("stream_failed": the producer failed mid-body; "stream_abandoned": the server stopped asking,
// the client went away or it was a HEAD). Holds copies: the request is gone by then.
class LoggedStream final : public BodyStream {
 public:
  LoggedStream(const AccessLogSink& sink, const Request& request, const Response& response,
               std::chrono::steady_clock::time_point started)
      : sink_(sink),
        inner_(response.body_stream),
        request_id_(request.request_id),
        method_(request.method_text),
        route_(request.route.empty() ? std::string("(unmatched)") : request.route),
        path_(request.path),
        status_(response.status),
        cache_(CacheHeader(response)),
        trace_id_(request.trace ? request.trace->context().trace_id.View() : std::string_view()),
        started_(started) {}

  ~LoggedStream() override {
    if (!logged_) Log("stream_abandoned", "the server stopped before the end of the body");
  }
  LoggedStream(const LoggedStream&) = delete;
  LoggedStream& operator=(const LoggedStream&) = delete;

  asio::awaitable<base::Result<std::string>> Next() override {
    auto piece = co_await inner_->Next();
    if (!piece.ok()) {
      Log("stream_failed",
          piece.error().detail.empty() ? piece.error().message : piece.error().detail);
    } else if (piece->empty()) {
      Log({}, {});
    } else {
      bytes_ += piece->size();
    }
    co_return piece;
  }

 private:
  void Log(std::string_view error_code, std::string_view error_detail) {
    if (logged_) return;
    logged_ = true;
    const std::chrono::duration<double, std::milli> elapsed =
        std::chrono::steady_clock::now() - started_;
    sink_(AccessRecord{request_id_, method_, route_, path_, status_, elapsed.count(), bytes_,
                       error_code, error_detail, cache_, trace_id_});
  }

  const AccessLogSink& sink_;  // the middleware's, which outlives every request
  std::shared_ptr<BodyStream> inner_;
  std::string request_id_, method_, route_, path_;
  unsigned status_;
  std::string cache_, trace_id_;
  std::chrono::steady_clock::time_point started_;
  std::size_t bytes_ = 0;
  bool logged_ = false;
};

asio::awaitable<Response> LogRequest(const AccessLogSink& sink, Request& request,
                                     const Handler& next) {
  const auto started = std::chrono::steady_clock::now();
  const std::string_view incoming = request.Header("x-request-id");
  request.request_id = IsAcceptableRequestId(incoming) ? std::string(incoming) : NewRequestId();
  Response response = co_await next(request);
  response.headers.emplace_back("X-Request-Id", request.request_id);
  if (response.body_stream) {
    response.body_stream = std::make_shared<LoggedStream>(sink, request, response, started);
    co_return response;
  }
  const std::chrono::duration<double, std::milli> elapsed =
      std::chrono::steady_clock::now() - started;
  const std::string_view cache = CacheHeader(response);
  sink(AccessRecord{request.request_id, request.method_text,
                    request.route.empty() ? std::string_view("(unmatched)") : request.route,
                    request.path, response.status, elapsed.count(), response.Body().size(),
                    response.error_code, response.error_detail, cache,
                    request.trace ? request.trace->context().trace_id.View() : std::string_view()});
  co_return response;
}

asio::awaitable<Response> Recover(Request& request, const Handler& next) {
  std::string failure;
  try {
    co_return co_await next(request);
  } catch (const std::exception& error) {
    failure = error.what();
  } catch (...) {
    failure = "unknown exception";
  }
  co_return ErrorResponse(base::MakeError(base::ErrorCode::kInternal, "internal server error",
                                          "unhandled exception: " + failure));
}

asio::awaitable<Response> CheckAccess(Authenticator& authenticator, Request& request,
                                      const Handler& next) {
  if (request.access == Access::kPublic) {
    co_return co_await next(request);
  }
  const auto started = std::chrono::steady_clock::now();
  auto principal = co_await authenticator.Authenticate(request);
  if (request.trace != nullptr) {
    request.trace->AddAuthTime(std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started));
  }
  if (!principal) co_return ErrorResponse(principal.error());
  if (!principal->is_active) {
    co_return ErrorResponse(
        base::MakeError(base::ErrorCode::kPermissionDenied, "this account is deactivated"));
  }
  if (request.access == Access::kAdmin && !principal->is_admin) {
    co_return ErrorResponse(base::MakeError(base::ErrorCode::kPermissionDenied,
                                            "this operation requires an administrator"));
  }
  request.principal = std::move(*principal);
  co_return co_await next(request);
}

}  // namespace

Middleware RequestLogging(AccessLogSink sink) {
  return [sink = std::move(sink)](Request& request, const Handler& next) {
    return LogRequest(sink, request, next);
  };
}

Middleware RecoverFromExceptions() {
  return [](Request& request, const Handler& next) { return Recover(request, next); };
}

Middleware RequireAccess(Authenticator& authenticator) {
  return [&authenticator](Request& request, const Handler& next) {
    return CheckAccess(authenticator, request, next);
  };
}

}  // namespace vitrina::http::core
