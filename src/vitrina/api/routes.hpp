#pragma once

#include "vitrina/api/auth_handlers.hpp"
#include "vitrina/api/catalog_handlers.hpp"
#include "vitrina/api/console_handlers.hpp"
#include "vitrina/api/docs_handlers.hpp"
#include "vitrina/api/health_handlers.hpp"
#include "vitrina/api/observability.hpp"
#include "vitrina/api/users_handlers.hpp"
#include "vitrina/http/core/pipeline.hpp"

namespace vitrina::api {

// The handlers the route table points at; they outlive the router.
struct Handlers {
  HealthHandlers& health;
  DocsHandlers& docs;
  ConsoleHandlers& console;
  CatalogHandlers& catalog;
  // Null without an identity provider (the development-token fallback): no account routes.
  AuthHandlers* auth = nullptr;
  UsersHandlers* users = nullptr;
  // GET /catalog and /catalog/{id} without credentials; otherwise any active user may read.
  bool public_reads = true;
  // GET /metrics (public: restrict it at the ingress in production); null with
  // METRICS_ENABLED=false.
  MetricsHandlers* metrics = nullptr;
};

// Every route of the service, in one table.
http::core::Router BuildRoutes(const Handlers& handlers);

}  // namespace vitrina::api
