#include "vitrina/http/core/pipeline.hpp"

#include <algorithm>
#include <stdexcept>

#include "vitrina/http/core/error_response.hpp"

namespace vitrina::http::core {

namespace asio = boost::asio;

void Router::Add(Method method, std::string_view path, Access access, Handler handler) {
  auto parsed = PathTemplate::Parse(path);
  if (!parsed) throw std::invalid_argument("bad route path: " + std::string(path));
  routes_.push_back(Route{method, std::move(*parsed), access, std::move(handler)});
}

Router::Match Router::Find(Method method, std::string_view path) const {
  Match match;
  const auto allow = [&match](Method allowed) {
    if (std::find(match.allowed.begin(), match.allowed.end(), allowed) == match.allowed.end()) {
      match.allowed.push_back(allowed);
    }
  };
  for (const auto& route : routes_) {
    PathParams params;
    if (!route.path.Match(path, params)) continue;
    // HEAD is GET without the body (RFC 9110 section 9.3.2): every GET route answers it; the
    // server leaves the body out.
    if (route.method == method || (method == Method::kHead && route.method == Method::kGet)) {
      match.route = &route;
      match.params = std::move(params);
      return match;
    }
    allow(route.method);
    if (route.method == Method::kGet) allow(Method::kHead);
  }
  return match;
}

namespace {

asio::awaitable<Response> Answer(Response response) { co_return response; }

}  // namespace

asio::awaitable<Response> Pipeline::Handle(Request& request) const {
  auto match = router_.Find(request.method, request.path);
  Handler endpoint;
  if (match.route != nullptr) {
    request.route = match.route->path.text();
    request.access = match.route->access;
    request.params = std::move(match.params);
    endpoint = match.route->handler;
  } else if (!match.allowed.empty()) {
    endpoint = [allowed = std::move(match.allowed)](Request&) {
      return Answer(MethodNotAllowedResponse(allowed));
    };
  } else {
    endpoint = [](Request& unmatched) { return Answer(NotFoundResponse(unmatched.path)); };
  }
  co_return co_await Invoke(0, request, endpoint);
}

asio::awaitable<Response> Pipeline::Invoke(std::size_t index, Request& request,
                                           const Handler& endpoint) const {
  if (index == middleware_.size()) {
    co_return co_await endpoint(request);
  }
  const Handler next = [this, index, &endpoint](Request& forwarded) {
    return Invoke(index + 1, forwarded, endpoint);
  };
  co_return co_await middleware_[index](request, next);
}

}  // namespace vitrina::http::core
