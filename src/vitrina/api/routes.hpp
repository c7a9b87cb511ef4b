#pragma once

#include "vitrina/api/catalog_handlers.hpp"
#include "vitrina/api/docs_handlers.hpp"
#include "vitrina/api/health_handlers.hpp"
#include "vitrina/http/pipeline.hpp"

namespace vitrina::api {

// The handlers the route table points at; they outlive the router.
struct Handlers {
  HealthHandlers& health;
  DocsHandlers& docs;
  CatalogHandlers& catalog;
};

// Every route of the service, in one table.
http::Router BuildRoutes(const Handlers& handlers);

}  // namespace vitrina::api
