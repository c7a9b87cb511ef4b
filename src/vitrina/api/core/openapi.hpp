#pragma once

#include <string>

#include <boost/json/object.hpp>

#include "vitrina/catalog/core/dataset_spec.hpp"

namespace vitrina::api::core {

struct OpenApiInfo {
  std::string title = "Vitrina";
  std::string version = "0.1.0";
};

// The OpenAPI 3.1 document of the whole service for one dataset spec: the catalog endpoints with
// their filters and item schema generated from the spec (rules as JSON Schema), health, docs, and
// the identity endpoints (/signup, /login, /token/refresh, /me, /users) as they are specified.
boost::json::object BuildOpenApi(const catalog::core::DatasetSpec& spec,
                                 const OpenApiInfo& info = {});

// The same, serialised; built once at start-up and served as bytes.
std::string BuildOpenApiJson(const catalog::core::DatasetSpec& spec, const OpenApiInfo& info = {});

}  // namespace vitrina::api::core
