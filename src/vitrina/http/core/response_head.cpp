#include "vitrina/http/core/response_head.hpp"

#include <array>
#include <charconv>

namespace vitrina::http::core {

namespace {

void AppendField(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

void AppendNumber(std::string& out, std::size_t value) {
  std::array<char, 24> digits{};
  const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr;
  out.append(digits.data(), end);
}

}  // namespace

std::string_view ReasonPhrase(unsigned status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return {};
  }
}

void AppendResponseHead(std::string& out, const Response& response,
                        const ResponseFraming& framing) {
  out += framing.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  AppendNumber(out, response.status);
  out += ' ';
  out += ReasonPhrase(response.status);
  out += "\r\n";
  if (!response.Body().empty() || response.status != 204) {
    AppendField(out, "Content-Type", response.content_type);
  }
  for (const auto& [name, value] : response.headers) AppendField(out, name, value);
  if (response.shared_headers != nullptr) {
    for (const auto& [name, value] : *response.shared_headers) AppendField(out, name, value);
  }
  // HTTP/1.1 is persistent unless told otherwise, HTTP/1.0 only when told (RFC 9112 section 9.3).
  if (framing.version >= 11 && !framing.keep_alive) AppendField(out, "Connection", "close");
  if (framing.version == 10 && framing.keep_alive) AppendField(out, "Connection", "keep-alive");
  if (framing.chunked) AppendField(out, "Transfer-Encoding", "chunked");
  if (framing.content_length) {
    out += "Content-Length: ";
    AppendNumber(out, *framing.content_length);
    out += "\r\n";
  }
  out += "\r\n";
}

}  // namespace vitrina::http::core
