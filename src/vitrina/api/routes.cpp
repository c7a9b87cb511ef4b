#include "vitrina/api/routes.hpp"

namespace vitrina::api {

using http::core::Access;
using http::core::Request;

http::core::Router BuildRoutes(const Handlers& handlers) {
  // Handlers are captured as pointers: the lambdas only forward to member coroutines.
  auto* health = &handlers.health;
  auto* docs = &handlers.docs;
  auto* console = &handlers.console;
  auto* catalog = &handlers.catalog;
  const Access reads = handlers.public_reads ? Access::kPublic : Access::kUser;
  http::core::Router router;
  // clang-format off
  router.Get   ("/healthz",        Access::kPublic, [=](Request& r) { return health->Live(r); });
  router.Get   ("/readyz",         Access::kPublic, [=](Request& r) { return health->Ready(r); });
  router.Get   ("/openapi.json",   Access::kPublic, [=](Request& r) { return docs->OpenApi(r); });
  router.Get   ("/docs",           Access::kPublic, [=](Request& r) { return docs->Page(r); });
  router.Get   ("/docs/{asset}",   Access::kPublic, [=](Request& r) { return docs->Asset(r); });
  router.Get   ("/",               Access::kPublic, [=](Request& r) { return console->Page(r); });
  router.Get   ("/console/{asset}", Access::kPublic, [=](Request& r) { return console->Asset(r); });

  router.Get   ("/catalog",        reads,           [=](Request& r) { return catalog->List(r); });
  router.Post  ("/catalog",        Access::kAdmin,  [=](Request& r) { return catalog->Create(r); });
  // Before /catalog/{id}: the first route whose template matches wins.
  router.Get   ("/catalog/facets", reads,           [=](Request& r) { return catalog->Facets(r); });
  router.Get   ("/catalog/{id}",   reads,           [=](Request& r) { return catalog->Get(r); });
  router.Put   ("/catalog/{id}",   Access::kAdmin,  [=](Request& r) { return catalog->Replace(r); });
  router.Delete("/catalog/{id}",   Access::kAdmin,  [=](Request& r) { return catalog->Delete(r); });
  if (auto* account = handlers.auth) {
    router.Post ("/signup",        Access::kPublic, [=](Request& r) { return account->Signup(r); });
    router.Post ("/login",         Access::kPublic, [=](Request& r) { return account->Login(r); });
    router.Post ("/token/refresh", Access::kPublic, [=](Request& r) { return account->Refresh(r); });
  }
  if (auto* users = handlers.users) {
    router.Get  ("/me",            Access::kUser,   [=](Request& r) { return users->Me(r); });
    router.Get  ("/users",         Access::kAdmin,  [=](Request& r) { return users->List(r); });
    router.Patch("/users/{uid}",   Access::kAdmin,  [=](Request& r) { return users->Patch(r); });
  }
  if (auto* metrics = handlers.metrics) {
    router.Get  ("/metrics",       Access::kPublic, [=](Request& r) { return metrics->Metrics(r); });
  }
  // clang-format on
  return router;
}

}  // namespace vitrina::api
