#include "vitrina/http/core/pipeline.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

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

Pipeline::Pipeline(Router router, std::vector<Middleware> middleware)
    : router_(std::move(router)), middleware_(std::move(middleware)) {
  if (middleware_.size() > kMaxMiddleware) {
    throw std::invalid_argument("at most " + std::to_string(kMaxMiddleware) +
                                " middleware steps in a pipeline");
  }
}

// One request's links: next[i] is what middleware i is given as `next`, and runs middleware
// i + 1 (or the endpoint after the last). Each link is a std::function holding two words, which
// fit its inline storage, and none is a coroutine: a coroutine and an allocated std::function
// per step cost a cached answer 5% of its instructions (callgrind).
struct Pipeline::Chain {
  const Pipeline* pipeline = nullptr;
  const Handler* endpoint = nullptr;
  std::array<Handler, kMaxMiddleware> next;
};

asio::awaitable<Response> Pipeline::Handle(Request& request) const {
  auto match = router_.Find(request.method, request.path);
  // The matched route's handler is used in place, not copied: a copy per request allocates.
  const Handler* endpoint = nullptr;
  Handler refusal;
  if (match.route != nullptr) {
    request.route = match.route->path.text();
    request.access = match.route->access;
    request.params = std::move(match.params);
    endpoint = &match.route->handler;
  } else if (!match.allowed.empty()) {
    refusal = [allowed = std::move(match.allowed)](Request&) {
      return Answer(MethodNotAllowedResponse(allowed));
    };
    endpoint = &refusal;
  } else {
    refusal = [](Request& unmatched) { return Answer(NotFoundResponse(unmatched.path)); };
    endpoint = &refusal;
  }
  if (middleware_.empty()) {
    co_return co_await (*endpoint)(request);
  }
  // Lives in this frame until the whole chain has answered: every link points into it.
  Chain chain;
  chain.pipeline = this;
  chain.endpoint = endpoint;
  const std::size_t last = middleware_.size() - 1;
  for (std::size_t i = 0; i < last; ++i) {
    chain.next[i] = [links = &chain, i](Request& forwarded) {
      return links->pipeline->middleware_[i + 1](forwarded, links->next[i + 1]);
    };
  }
  chain.next[last] = [links = &chain](Request& forwarded) { return (*links->endpoint)(forwarded); };
  co_return co_await middleware_.front()(request, chain.next[0]);
}

}  // namespace vitrina::http::core
