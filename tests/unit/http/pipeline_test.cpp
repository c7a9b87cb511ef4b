// The middleware chain: each step runs around the next one, in order, and the endpoint last;
// unmatched requests go through the same chain.
#include "vitrina/http/core/pipeline.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace vitrina::http::core {
namespace {

namespace asio = boost::asio;

asio::awaitable<Response> Around(std::string name, std::vector<std::string>& trail,
                                 Request& request, const Handler& next) {
  trail.push_back(name + " before");
  Response response = co_await next(request);
  trail.push_back(name + " after");
  response.headers.emplace_back("X-Seen-By", name);
  co_return response;
}

Middleware Step(std::string name, std::vector<std::string>& trail) {
  return [name = std::move(name), &trail](Request& request, const Handler& next) {
    return Around(name, trail, request, next);
  };
}

asio::awaitable<Response> Endpoint(std::vector<std::string>& trail) {
  trail.emplace_back("endpoint");
  co_return Response::Json(200, std::string("{}"));
}

Response Answer(const Pipeline& pipeline, Request request) {
  asio::io_context context;
  Response answer;
  asio::co_spawn(
      context, [&]() -> asio::awaitable<void> { answer = co_await pipeline.Handle(request); },
      asio::detached);
  context.run();
  return answer;
}

Pipeline Chain(std::size_t steps, std::vector<std::string>& trail) {
  Router router;
  router.Get("/catalog", Access::kPublic, [&trail](Request&) { return Endpoint(trail); });
  std::vector<Middleware> middleware;
  for (std::size_t i = 0; i < steps; ++i)
    middleware.push_back(Step("m" + std::to_string(i), trail));
  return Pipeline(std::move(router), std::move(middleware));
}

TEST(Pipeline, RunsEachStepAroundTheNextAndTheEndpointLast) {
  std::vector<std::string> trail;
  const Pipeline pipeline = Chain(3, trail);
  Request request;
  request.path = "/catalog";
  const Response response = Answer(pipeline, request);
  EXPECT_EQ(response.status, 200U);
  EXPECT_EQ(trail, (std::vector<std::string>{"m0 before", "m1 before", "m2 before", "endpoint",
                                             "m2 after", "m1 after", "m0 after"}));
  ASSERT_EQ(response.headers.size(), 3U);
  EXPECT_EQ(response.headers.front().second, "m2");
  EXPECT_EQ(response.headers.back().second, "m0");
}

TEST(Pipeline, UnmatchedRequestsGoThroughTheChainToo) {
  std::vector<std::string> trail;
  const Pipeline pipeline = Chain(2, trail);
  Request missing;
  missing.path = "/nowhere";
  EXPECT_EQ(Answer(pipeline, missing).status, 404U);
  Request wrong_method;
  wrong_method.method = Method::kDelete;
  wrong_method.path = "/catalog";
  EXPECT_EQ(Answer(pipeline, wrong_method).status, 405U);
  EXPECT_EQ(trail, (std::vector<std::string>{"m0 before", "m1 before", "m1 after", "m0 after",
                                             "m0 before", "m1 before", "m1 after", "m0 after"}));
}

TEST(Pipeline, WithoutMiddlewareTheEndpointAnswers) {
  std::vector<std::string> trail;
  const Pipeline pipeline = Chain(0, trail);
  Request request;
  request.path = "/catalog";
  EXPECT_EQ(Answer(pipeline, request).status, 200U);
  EXPECT_EQ(trail, std::vector<std::string>{"endpoint"});
}

TEST(Pipeline, TakesAtMostItsMaximumOfSteps) {
  std::vector<std::string> trail;
  const Pipeline full = Chain(Pipeline::kMaxMiddleware, trail);
  Request request;
  request.path = "/catalog";
  EXPECT_EQ(Answer(full, request).status, 200U);
  EXPECT_EQ(trail.size(), 2 * Pipeline::kMaxMiddleware + 1);
  EXPECT_THROW(Chain(Pipeline::kMaxMiddleware + 1, trail), std::invalid_argument);
}

}  // namespace
}  // namespace vitrina::http::core
