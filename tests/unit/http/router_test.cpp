#include <algorithm>

#include <gtest/gtest.h>

#include "vitrina/http/core/pipeline.hpp"

namespace vitrina::http::core {
namespace {

Handler Nothing() {
  return [](Request&) -> boost::asio::awaitable<Response> { co_return Response{}; };
}

bool Allows(const Router::Match& match, Method method) {
  return std::find(match.allowed.begin(), match.allowed.end(), method) != match.allowed.end();
}

TEST(Router, HeadIsAnsweredByEveryGetRoute) {
  Router router;
  router.Add(Method::kGet, "/catalog", Access::kPublic, Nothing());
  router.Add(Method::kPost, "/catalog", Access::kAdmin, Nothing());
  const auto head = router.Find(Method::kHead, "/catalog");
  ASSERT_NE(head.route, nullptr);
  EXPECT_EQ(head.route->method, Method::kGet);
}

TEST(Router, MethodNotAllowedListsHeadWithGet) {
  Router router;
  router.Add(Method::kGet, "/catalog/{id}", Access::kPublic, Nothing());
  router.Add(Method::kPut, "/catalog/{id}", Access::kAdmin, Nothing());
  const auto patch = router.Find(Method::kPatch, "/catalog/7");
  EXPECT_EQ(patch.route, nullptr);
  EXPECT_TRUE(Allows(patch, Method::kGet));
  EXPECT_TRUE(Allows(patch, Method::kHead));
  EXPECT_TRUE(Allows(patch, Method::kPut));
  EXPECT_FALSE(Allows(patch, Method::kPost));
}

TEST(Router, HeadOnAPostOnlyRouteIsNotAllowed) {
  Router router;
  router.Add(Method::kPost, "/login", Access::kPublic, Nothing());
  const auto head = router.Find(Method::kHead, "/login");
  EXPECT_EQ(head.route, nullptr);
  EXPECT_TRUE(Allows(head, Method::kPost));
  EXPECT_FALSE(Allows(head, Method::kHead));
}

}  // namespace
}  // namespace vitrina::http::core
