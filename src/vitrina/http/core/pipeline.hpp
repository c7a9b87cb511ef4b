#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "vitrina/http/core/message.hpp"
#include "vitrina/http/core/path_template.hpp"

namespace vitrina::http::core {

// A handler turns a request into a response and does no socket I/O (it may await the database).
// Lambdas given as handlers must not be coroutines themselves: they forward to a member or free
// coroutine, so no coroutine outlives a lambda's captures.
using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;

// A middleware is a plain (request, next) function: it may act before and after `next`, or
// answer without calling it.
using Middleware = std::function<boost::asio::awaitable<Response>(Request&, const Handler& next)>;

struct Route {
  Method method;
  PathTemplate path;
  Access access;
  Handler handler;
};

// The route table: method + path template → access level and handler.
class Router {
 public:
  void Add(Method method, std::string_view path, Access access, Handler handler);
  void Get(std::string_view path, Access access, Handler handler) {
    Add(Method::kGet, path, access, std::move(handler));
  }
  void Post(std::string_view path, Access access, Handler handler) {
    Add(Method::kPost, path, access, std::move(handler));
  }
  void Put(std::string_view path, Access access, Handler handler) {
    Add(Method::kPut, path, access, std::move(handler));
  }
  void Patch(std::string_view path, Access access, Handler handler) {
    Add(Method::kPatch, path, access, std::move(handler));
  }
  void Delete(std::string_view path, Access access, Handler handler) {
    Add(Method::kDelete, path, access, std::move(handler));
  }

  struct Match {
    const Route* route = nullptr;
    PathParams params;
    std::vector<Method> allowed;  // methods of routes whose path matched (for 405)
  };
  Match Find(Method method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// Routing plus the middleware chain: what the server calls for every request. Unknown paths
// answer 404 and known paths with another method 405, both through the middleware (so they are
// logged like any request).
class Pipeline {
 public:
  // The most middleware steps a pipeline takes (their links live in each request's frame).
  static constexpr std::size_t kMaxMiddleware = 8;

  // Throws std::invalid_argument with more than kMaxMiddleware steps.
  Pipeline(Router router, std::vector<Middleware> middleware);

  boost::asio::awaitable<Response> Handle(Request& request) const;

 private:
  struct Chain;

  Router router_;
  std::vector<Middleware> middleware_;
};

}  // namespace vitrina::http::core
