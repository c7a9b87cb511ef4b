#include "vitrina/api/routes.hpp"

namespace vitrina::api {

using http::Access;
using http::Request;

http::Router BuildRoutes(const Handlers& handlers) {
  // Handlers are captured as pointers: the lambdas only forward to member coroutines.
  auto* health = &handlers.health;
  auto* docs = &handlers.docs;
  auto* catalog = &handlers.catalog;
  http::Router router;
  // clang-format off
  router.Get   ("/healthz",        Access::kPublic, [=](Request& r) { return health->Live(r); });
  router.Get   ("/readyz",         Access::kPublic, [=](Request& r) { return health->Ready(r); });
  router.Get   ("/openapi.json",   Access::kPublic, [=](Request& r) { return docs->OpenApi(r); });
  router.Get   ("/docs",           Access::kPublic, [=](Request& r) { return docs->Page(r); });
  router.Get   ("/docs/{asset}",   Access::kPublic, [=](Request& r) { return docs->Asset(r); });

  router.Get   ("/catalog",        Access::kPublic, [=](Request& r) { return catalog->List(r); });
  router.Post  ("/catalog",        Access::kAdmin,  [=](Request& r) { return catalog->Create(r); });
  router.Get   ("/catalog/{id}",   Access::kPublic, [=](Request& r) { return catalog->Get(r); });
  router.Put   ("/catalog/{id}",   Access::kAdmin,  [=](Request& r) { return catalog->Replace(r); });
  router.Delete("/catalog/{id}",   Access::kAdmin,  [=](Request& r) { return catalog->Delete(r); });
  // clang-format on
  return router;
}

}  // namespace vitrina::api
