#include "vitrina/http/core/error_response.hpp"

#include <boost/json.hpp>

namespace vitrina::http::core {

unsigned StatusFor(base::ErrorCode code) {
  switch (code) {
    case base::ErrorCode::kInvalidArgument:
      return 400;
    case base::ErrorCode::kUnauthenticated:
      return 401;
    case base::ErrorCode::kPermissionDenied:
      return 403;
    case base::ErrorCode::kNotFound:
      return 404;
    case base::ErrorCode::kConflict:
      return 409;
    case base::ErrorCode::kPayloadTooLarge:
      return 413;
    case base::ErrorCode::kTooManyRequests:
      return 429;
    case base::ErrorCode::kNotImplemented:
      return 501;
    case base::ErrorCode::kUnavailable:
      return 503;
    case base::ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

namespace {

Response Build(unsigned status, std::string_view code, std::string_view message,
               const base::FieldErrors& fields, std::string detail) {
  boost::json::object error = {{"code", code}, {"message", message}};
  if (!fields.empty()) {
    boost::json::object by_field;
    for (const auto& [field, reason] : fields) by_field[field] = reason;
    error["fields"] = std::move(by_field);
  }
  Response response =
      Response::Json(status, boost::json::serialize(boost::json::object{{"error", error}}));
  response.error_code = std::string(code);
  response.error_detail = std::move(detail);
  return response;
}

}  // namespace

Response ErrorResponse(const base::Error& error, const base::FieldErrors& fields) {
  // Internal errors may carry text that was never meant for clients; they get a fixed message.
  // Both branches are string_views: mixing a literal and a std::string would make a temporary
  // string that dies before the view is used.
  const std::string_view message = error.code == base::ErrorCode::kInternal
                                       ? std::string_view("internal server error")
                                       : std::string_view(error.message);
  Response response = Build(StatusFor(error.code), base::ErrorCodeName(error.code), message, fields,
                            error.detail.empty() ? error.message : error.detail);
  if (error.code == base::ErrorCode::kUnauthenticated) {
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
  }
  if (error.retry_after.count() > 0) {
    response.headers.emplace_back("Retry-After", std::to_string(error.retry_after.count()));
  } else if (error.code == base::ErrorCode::kUnavailable) {
    response.headers.emplace_back("Retry-After", "1");
  }
  return response;
}

Response NotFoundResponse(std::string_view path) {
  return Build(404, base::ErrorCodeName(base::ErrorCode::kNotFound),
               "no route for " + std::string(path), {}, {});
}

Response MethodNotAllowedResponse(const std::vector<Method>& allowed) {
  std::string list;
  for (const auto method : allowed) {
    list += (list.empty() ? "" : ", ") + std::string(MethodName(method));
  }
  Response response =
      Build(405, "method_not_allowed", "method not allowed; allowed: " + list, {}, {});
  response.headers.emplace_back("Allow", list);
  return response;
}

}  // namespace vitrina::http::core
