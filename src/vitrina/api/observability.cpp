#include "vitrina/api/observability.hpp"

#include <array>
#include <charconv>

#include "vitrina/http/core/error_response.hpp"
#include "vitrina/telemetry/core/server_timing.hpp"

namespace vitrina::api {

namespace asio = boost::asio;
using http::core::Request;
using http::core::Response;
using Clock = std::chrono::steady_clock;
using std::chrono::microseconds;

namespace {

std::string_view HeaderOf(const Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) {
      return value;
    }
  }
  return {};
}

// The URL App Insights shows: scheme (the proxy's, when TLS ends there), host, path and query.
std::string RequestUrl(const Request& request) {
  const std::string_view forwarded = request.Header("x-forwarded-proto");
  const std::string_view host = request.Header("host");
  std::string url;
  url.reserve(16 + host.size() + request.path.size() + request.query.size());
  url += forwarded == "https" ? "https://" : "http://";
  url += host.empty() ? std::string_view("localhost") : host;
  url += request.path;
  if (!request.query.empty()) {
    url += '?';
    url += request.query;
  }
  return url;
}

}  // namespace

RequestObservability::RequestObservability(telemetry::core::ServiceMetrics& metrics,
                                           telemetry::Telemetry& telemetry,
                                           DependencyTargets targets)
    : metrics_(metrics),
      telemetry_(telemetry),
      targets_(std::move(targets)),
      cache_hits_(metrics.cache_results.WithLabels({"hit"})),
      cache_misses_(metrics.cache_results.WithLabels({"miss"})),
      cache_bypasses_(metrics.cache_results.WithLabels({"bypass"})) {}

http::core::Middleware RequestObservability::Middleware() {
  return
      [this](Request& request, const http::core::Handler& next) { return Observe(request, next); };
}

asio::awaitable<Response> RequestObservability::Observe(Request& request,
                                                        const http::core::Handler& next) {
  const auto started = Clock::now();
  base::RequestTrace trace(this);
  trace.context() = telemetry_.StartRequest(request.Header("traceparent"));
  // The pipeline routed the request before the middleware runs: the template is known.
  // Label values come from closed sets: an invented method is "OTHER", an unmatched path one
  // label, so no client can grow /metrics (or the telemetry's operation names).
  std::string name(http::core::MethodName(request.method));
  name += ' ';
  name += request.route.empty() ? std::string_view("(unmatched)") : request.route;
  trace.context().operation_name = name;
  request.trace = &trace;

  Response response = co_await next(request);
  request.trace = nullptr;  // the trace ends with this frame

  const auto total = std::chrono::duration_cast<microseconds>(Clock::now() - started);
  std::array<char, 8> status_buffer{};
  const auto status_end =
      std::to_chars(status_buffer.data(), status_buffer.data() + status_buffer.size(),
                    response.status)
          .ptr;
  const std::string_view status(status_buffer.data(),
                                static_cast<std::size_t>(status_end - status_buffer.data()));
  metrics_.http_request_duration.WithLabels({name, status}).ObserveDuration(total);

  const std::string_view cache = HeaderOf(response, "X-Cache");
  std::string_view cache_result;
  if (cache == "HIT") {
    cache_hits_.Increment();
    cache_result = "hit";
  } else if (cache == "MISS") {
    cache_misses_.Increment();
    cache_result = "miss";
  } else if (cache == "BYPASS") {
    cache_bypasses_.Increment();
    cache_result = "bypass";
  } else if (cache == "DISABLED") {
    cache_result = "disabled";
  }

  std::array<telemetry::core::ServerTimingMetric, 5> timings{{
      {"auth", trace.auth_time()},
      {"cache", trace.cache_time()},
      {"db", trace.db_time()},
      {trace.http_time().count() > 0 ? "http" : "", trace.http_time()},
      {"total", total},
  }};
  response.headers.emplace_back("Server-Timing", telemetry::core::FormatServerTiming(timings));
  // W3C Trace Context Level 2: tells the caller which trace and span served it.
  response.headers.emplace_back("traceresponse", trace.context().OutgoingTraceparent());

  const auto& context = trace.context();
  // Sampled out and successful: nothing to send, so the URL and properties are not built.
  if (telemetry_.RecordsRequest(context, static_cast<int>(response.status))) {
    std::array<telemetry::core::TelemetryProperty, 2> properties{
        {{"request_id", request.request_id}}};
    std::size_t property_count = 1;
    if (!cache_result.empty()) {
      properties[property_count++] = {"cache", cache_result};
    }
    telemetry_.TrackRequest(
        context, name, RequestUrl(request), static_cast<int>(response.status), total,
        telemetry::core::TelemetryProperties(properties.data(), property_count));
  } else if (telemetry_.enabled()) {
    // Sampled out: TrackRequest only counts the request as sampled_out, so it gets no URL.
    telemetry_.TrackRequest(context, name, {}, static_cast<int>(response.status), total,
                            telemetry::core::TelemetryProperties());
  }
  if (telemetry_.enabled() && response.status >= 500) {
    // The internal detail (statement, SQLSTATE, exception text), as the access log has it;
    // the client only saw the generic message.
    const std::string type =
        "vitrina." + (response.error_code.empty() ? std::string("http_") + std::string(status)
                                                  : response.error_code);
    const std::string message = response.error_detail.empty()
                                    ? "HTTP " + std::string(status) + " from " + name
                                    : response.error_detail;
    const telemetry::core::TelemetryProperty exception_properties[] = {
        {"request_id", request.request_id}, {"status", status}};
    telemetry_.TrackException(&context, type, message, exception_properties);
  }
  co_return response;
}

void RequestObservability::OnDependency(const base::RequestTrace& trace,
                                        const base::DependencyRecord& record) {
  const double seconds = std::chrono::duration<double>(record.duration).count();
  if (record.type == "postgresql") {
    metrics_.db_query_duration.WithLabels({record.name}).Observe(seconds);
  } else if (record.type == "redis") {
    metrics_.redis_command_duration.WithLabels({record.name}).Observe(seconds);
  }
  if (!telemetry_.enabled()) {
    return;
  }
  const std::string_view target = record.type == "postgresql"
                                      ? std::string_view(targets_.postgresql)
                                  : record.type == "redis" ? std::string_view(targets_.redis)
                                                           : std::string_view();
  telemetry_.TrackDependency(trace.context(), telemetry::ToDependencyCall(record, target));
}

bool MetricsHandlers::Authorized(const Request& request) const {
  if (token_.empty()) return true;
  const std::string_view sent = request.Header("authorization");
  constexpr std::string_view kScheme = "Bearer ";
  if (!sent.starts_with(kScheme)) return false;
  const std::string_view presented = sent.substr(kScheme.size());
  // Compared in constant time: the time taken must not tell how much of the token was right.
  unsigned char difference = presented.size() == token_.size() ? 0 : 1;
  for (std::size_t i = 0; i < token_.size(); ++i) {
    const char other = i < presented.size() ? presented[i] : '\0';
    difference |= static_cast<unsigned char>(other ^ token_[i]);
  }
  return difference == 0;
}

asio::awaitable<Response> MetricsHandlers::Metrics(Request& request) {
  if (!Authorized(request)) {
    co_return http::core::ErrorResponse(base::MakeError(
        base::ErrorCode::kUnauthenticated, "GET /metrics needs the metrics token (METRICS_TOKEN)"));
  }
  if (refresh_) {
    refresh_();
  }
  Response response = Response::Json(200, registry_.RenderPrometheus());
  response.content_type = telemetry::core::kPrometheusContentType;
  co_return response;
}

}  // namespace vitrina::api
