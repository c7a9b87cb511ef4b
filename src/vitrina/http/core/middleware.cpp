#include "vitrina/http/core/middleware.hpp"

#include <atomic>
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
  return prefix + "-" + std::to_string(counter.fetch_add(1, std::memory_order_relaxed) + 1);
}

asio::awaitable<Response> LogRequest(const AccessLogSink& sink, Request& request,
                                     const Handler& next) {
  const auto started = std::chrono::steady_clock::now();
  const std::string_view incoming = request.Header("x-request-id");
  request.request_id = IsAcceptableRequestId(incoming) ? std::string(incoming) : NewRequestId();
  Response response = co_await next(request);
  response.headers.emplace_back("X-Request-Id", request.request_id);
  const std::chrono::duration<double, std::milli> elapsed =
      std::chrono::steady_clock::now() - started;
  std::string_view cache;
  for (const auto& [name, value] : response.headers) {
    if (name == "X-Cache") cache = value;
  }
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
