#include "vitrina/api/core/openapi.hpp"

#include <boost/json.hpp>

#include "vitrina/auth/core/credentials.hpp"
#include "vitrina/catalog/core/catalog_query.hpp"
#include "vitrina/catalog/core/catalog_sql.hpp"

namespace vitrina::api::core {
namespace {

namespace json = boost::json;

json::object Ref(std::string_view name) {
  return {{"$ref", "#/components/schemas/" + std::string(name)}};
}

json::object HeaderRef(std::string_view name) {
  return {{"$ref", "#/components/headers/" + std::string(name)}};
}

json::object ResponseRef(std::string_view name) {
  return {{"$ref", "#/components/responses/" + std::string(name)}};
}

json::object JsonContent(json::object schema) {
  return {{"application/json", {{"schema", std::move(schema)}}}};
}

json::object Response(std::string_view description, json::object schema) {
  return {{"description", description}, {"content", JsonContent(std::move(schema))}};
}

// A column's JSON Schema type: dates and timestamps are ISO 8601 strings ("format": "date",
// "date-time"), whatever layout the CSV used.
std::string JsonType(const catalog::core::ColumnSpec& column) {
  if (column.IsTemporal()) return "string";
  return std::string(catalog::core::ColumnTypeName(column.type));
}

void AddFormat(const catalog::core::ColumnSpec& column, json::object& schema) {
  if (column.type == catalog::core::ColumnType::kDate) schema["format"] = "date";
  if (column.type == catalog::core::ColumnType::kTimestamp) schema["format"] = "date-time";
}

json::object ColumnSchema(const catalog::core::ColumnSpec& column) {
  json::object schema;
  const std::string type = JsonType(column);
  if (column.required) {
    schema["type"] = type;
  } else {
    schema["type"] = json::array{type, "null"};
  }
  AddFormat(column, schema);
  if (!column.description.empty()) schema["description"] = column.description;
  if (column.minimum) schema["minimum"] = *column.minimum;
  if (column.maximum) schema["maximum"] = *column.maximum;
  if (column.exclusive_minimum) schema["exclusiveMinimum"] = *column.exclusive_minimum;
  if (column.exclusive_maximum) schema["exclusiveMaximum"] = *column.exclusive_maximum;
  if (column.max_length) schema["maxLength"] = *column.max_length;
  if (!column.allowed.empty()) {
    json::array values;
    for (const auto& value : column.allowed) values.emplace_back(value);
    schema["enum"] = std::move(values);
  }
  return schema;
}

json::object ItemInputSchema(const catalog::core::DatasetSpec& spec) {
  json::object properties;
  json::array required;
  for (const auto& column : spec.columns) {
    properties[column.name] = ColumnSchema(column);
    if (column.required) required.emplace_back(column.name);
  }
  return {{"type", "object"},
          {"description", "An item as submitted: every column of the dataset, no id."},
          {"properties", std::move(properties)},
          {"required", std::move(required)},
          {"additionalProperties", false}};
}

json::object ItemSchema(const catalog::core::DatasetSpec& spec) {
  json::object properties = {{"id", {{"type", "integer"}, {"minimum", 1}}}};
  json::array required = {"id"};
  for (const auto& column : spec.columns) {
    properties[column.name] = ColumnSchema(column);
    if (column.required) required.emplace_back(column.name);
  }
  return {{"type", "object"},
          {"description", "A catalog item: its id and the columns of the dataset."},
          {"properties", std::move(properties)},
          {"required", std::move(required)}};
}

json::object ErrorSchema() {
  return {{"type", "object"},
          {"required", json::array{"error"}},
          {"properties",
           {{"error",
             {{"type", "object"},
              {"required", json::array{"code", "message"}},
              {"properties",
               {{"code",
                 {{"type", "string"},
                  {"enum",
                   json::array{"invalid_argument", "unauthenticated", "permission_denied",
                               "not_found", "conflict", "payload_too_large", "too_many_requests",
                               "unavailable", "internal", "method_not_allowed"}}}},
                {"message", {{"type", "string"}}},
                {"fields",
                 {{"type", "object"},
                  {"description", "Why each field was refused (validation errors only)."},
                  {"additionalProperties", {{"type", "string"}}}}}}}}}}}};
}

json::array CatalogParameters(const catalog::core::DatasetSpec& spec) {
  json::array parameters;
  for (const auto& column : spec.columns) {
    if (column.category) {
      parameters.push_back(json::object{
          {"name", column.name},
          {"in", "query"},
          {"description", "Equality filter; repeat the parameter to match any of several values."},
          {"style", "form"},
          {"explode", true},
          {"schema",
           {{"type", "array"},
            {"items", {{"type", std::string(catalog::core::ColumnTypeName(column.type))}}}}}});
    }
    if (column.HasRangeFilter()) {
      for (const auto* bound : {"min", "max"}) {
        json::object schema{{"type", JsonType(column)}};
        AddFormat(column, schema);
        std::string description = std::string("Inclusive ") +
                                  (bound[1] == 'i' ? "lower" : "upper") + " bound on " +
                                  column.name + "; items without a value never match.";
        if (column.type == catalog::core::ColumnType::kDate) description += " YYYY-MM-DD.";
        if (column.type == catalog::core::ColumnType::kTimestamp) {
          description +=
              " ISO 8601 (2024-01-31T12:00:00Z; no offset means UTC, a bare date is midnight "
              "UTC).";
        }
        parameters.push_back(json::object{{"name", column.name + "_" + bound},
                                          {"in", "query"},
                                          {"description", std::move(description)},
                                          {"schema", std::move(schema)}});
      }
    }
  }
  parameters.push_back(json::object{
      {"name", "limit"},
      {"in", "query"},
      {"description", "Page size; without it every matching item is returned."},
      {"schema",
       {{"type", "integer"}, {"minimum", 1}, {"maximum", catalog::core::kMaxPageLimit}}}});
  parameters.push_back(json::object{
      {"name", "cursor"},
      {"in", "query"},
      {"description",
       "Opaque position returned as next_cursor by the previous page; it continues only the "
       "sort it came from."},
      {"schema", {{"type", "string"}}}});
  std::string sortable = "id";
  std::string columns = "id";
  for (const auto& column : spec.columns) {
    if (column.IsSortable()) sortable += ", " + column.name;
    columns += ", " + column.name;
  }
  parameters.push_back(json::object{
      {"name", "sort"},
      {"in", "query"},
      {"description",
       "Comma-separated sort keys, each a column optionally prefixed with '-' for descending "
       "(sort=-price,carat); ties are broken by id. Sortable: " +
           sortable + ". Without it items come by id."},
      {"schema", {{"type", "string"}, {"pattern", "^-?[a-z_][a-z0-9_]*(,-?[a-z_][a-z0-9_]*)*$"}}},
      {"example", "-price,carat"}});
  parameters.push_back(json::object{
      {"name", "fields"},
      {"in", "query"},
      {"description",
       "Comma-separated columns to return (fields=carat,cut,price); id is always included. "
       "Columns: " +
           columns + "."},
      {"schema", {{"type", "string"}}},
      {"example", "carat,cut,price"}});
  return parameters;
}

// {"cut": {"values": [...], "complete": true}, ...}: one property per category column.
json::object FacetsSchema(const catalog::core::DatasetSpec& spec) {
  json::object properties;
  for (const auto& column : spec.columns) {
    if (!column.category) continue;
    const std::string type(catalog::core::ColumnTypeName(column.type));
    properties[column.name] = {
        {"type", "object"},
        {"required", json::array{"values", "complete"}},
        {"properties",
         {{"values",
           {{"type", "array"},
            {"items", {{"type", type}}},
            {"maxItems", catalog::core::kMaxFacetValues},
            {"description", "The distinct values stored, ascending."}}},
          {"complete",
           {{"type", "boolean"},
            {"description", "False when the column holds more values than are listed."}}}}}};
  }
  return {{"type", "object"},
          {"description", "The values of each category column: the choices of its filter."},
          {"properties", std::move(properties)},
          {"additionalProperties", false}};
}

json::object IdParameter(std::string_view name, std::string_view type) {
  return {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", type}}}};
}

// Either scheme: a pasted token, or Swagger UI's Authorize form, which posts the OAuth2 password
// grant (username, password) to /login and uses the access_token it answers.
json::array AdminOnly() {
  return json::array{json::object{{"bearerAuth", json::array{}}},
                     json::object{{"passwordLogin", json::array{}}}};
}

json::object Operation(std::string_view summary, std::string_view tag, json::object responses) {
  return {{"summary", summary}, {"tags", json::array{tag}}, {"responses", std::move(responses)}};
}

json::object CatalogPaths(const catalog::core::DatasetSpec& spec) {
  json::object list = Operation(
      "List catalog items (filters come from the dataset spec)", "catalog",
      {{"200", Response("Items in the requested order (by id by default)", Ref("CatalogPage"))},
       {"400", ResponseRef("BadRequest")},
       {"503", ResponseRef("Unavailable")}});
  list["operationId"] = "listCatalog";
  list["parameters"] = CatalogParameters(spec);
  list["description"] =
      "Send Accept-Encoding (br, gzip; q-values honoured, br preferred on ties) for a compressed "
      "answer; answers under 1 KiB and requests without the header get identity. Each coding has "
      "its own ETag, so If-None-Match answers 304 per coding. Without limit the answer is "
      "{\"items\":[...],\"count\":N} (count last) and has no size limit: one larger than "
      "CATALOG_STREAM_AFTER_BYTES (8 MiB) is streamed from PostgreSQL with Transfer-Encoding: "
      "chunked, without ETag, compressed as it passes when asked; a body cut short (no last chunk) "
      "means it failed "
      "mid-stream. Beyond CATALOG_MAX_STREAMS concurrent streams: 503 with Retry-After. Pages "
      "(limit, cursor) are the way for UIs.";
  const auto text_header = [](std::string_view description) {
    return json::object{{"description", description}, {"schema", {{"type", "string"}}}};
  };
  list["responses"].as_object()["200"].as_object()["headers"] =
      json::object{{"Content-Encoding", text_header("br or gzip when the body is compressed")},
                   {"Vary", text_header("Accept-Encoding, on every answer")},
                   {"ETag", text_header("Strong validator of the body in its coding (absent "
                                        "on a streamed answer)")},
                   {"Transfer-Encoding", text_header("chunked on a streamed answer (HTTP/1.1)")},
                   {"X-Cache-Bypass",
                    text_header("Why X-Cache is BYPASS: too-large (over CACHE_MAX_ENTRY_BYTES, "
                                "not stored), abandoned")}};

  const json::object item_body = {{"required", true}, {"content", JsonContent(Ref("ItemInput"))}};
  json::object create =
      Operation("Create an item (admin)", "catalog",
                {{"201",
                  {{"description", "The stored item"},
                   {"headers", {{"Location", {{"schema", {{"type", "string"}}}}}}},
                   {"content", JsonContent(Ref("Item"))}}},
                 {"400", ResponseRef("BadRequest")},
                 {"401", ResponseRef("Unauthorized")},
                 {"403", ResponseRef("Forbidden")},
                 {"413", ResponseRef("PayloadTooLarge")}});
  create["operationId"] = "createCatalogItem";
  create["security"] = AdminOnly();
  create["requestBody"] = item_body;

  json::object get =
      Operation("Get one item", "catalog",
                {{"200", Response("The item", Ref("Item"))}, {"404", ResponseRef("NotFound")}});
  get["operationId"] = "getCatalogItem";

  json::object replace = Operation("Replace an item (admin)", "catalog",
                                   {{"200", Response("The stored item", Ref("Item"))},
                                    {"400", ResponseRef("BadRequest")},
                                    {"401", ResponseRef("Unauthorized")},
                                    {"403", ResponseRef("Forbidden")},
                                    {"404", ResponseRef("NotFound")}});
  replace["operationId"] = "replaceCatalogItem";
  replace["security"] = AdminOnly();
  replace["requestBody"] = item_body;

  json::object remove = Operation("Delete an item (admin)", "catalog",
                                  {{"204", {{"description", "Deleted"}}},
                                   {"401", ResponseRef("Unauthorized")},
                                   {"403", ResponseRef("Forbidden")},
                                   {"404", ResponseRef("NotFound")}});
  remove["operationId"] = "deleteCatalogItem";
  remove["security"] = AdminOnly();

  json::object facets = Operation(
      "The values of each category column", "catalog",
      {{"200", Response("Values per column", Ref("Facets"))}, {"503", ResponseRef("Unavailable")}});
  facets["operationId"] = "listCatalogFacets";

  json::object by_id = {{"parameters", json::array{IdParameter("id", "integer")}},
                        {"get", std::move(get)},
                        {"put", std::move(replace)},
                        {"delete", std::move(remove)}};
  return {{"/catalog", {{"get", std::move(list)}, {"post", std::move(create)}}},
          {"/catalog/facets", {{"get", std::move(facets)}}},
          {"/catalog/{id}", std::move(by_id)}};
}

json::object IdentityPaths() {
  json::object credentials_body = {
      {"required", true},
      {"content",
       {{"application/json", {{"schema", Ref("Credentials")}}},
        {"application/x-www-form-urlencoded",
         {{"schema",
           {{"type", "object"},
            {"required", json::array{"username", "password"}},
            {"properties",
             {{"username", {{"type", "string"}}}, {"password", {{"type", "string"}}}}}}}}}}}};
  json::object signup = Operation("Create an account", "identity",
                                  {{"201", Response("The new user", Ref("User"))},
                                   {"400", ResponseRef("BadRequest")},
                                   {"409", Response("The email is taken", Ref("Error"))}});
  signup["requestBody"] = {{"required", true}, {"content", JsonContent(Ref("Credentials"))}};
  json::object login = Operation("Sign in (JSON or form username/password)", "identity",
                                 {{"200", Response("Tokens", Ref("TokenPair"))},
                                  {"400", ResponseRef("BadRequest")},
                                  {"401", ResponseRef("Unauthorized")}});
  login["requestBody"] = credentials_body;
  json::object refresh = Operation(
      "Exchange a refresh token for new tokens", "identity",
      {{"200", Response("Tokens", Ref("TokenPair"))}, {"401", ResponseRef("Unauthorized")}});
  refresh["requestBody"] = {
      {"required", true},
      {"content", JsonContent({{"type", "object"},
                               {"required", json::array{"refresh_token"}},
                               {"properties", {{"refresh_token", {{"type", "string"}}}}}})}};
  json::object me =
      Operation("The signed-in user", "identity",
                {{"200", Response("The user", Ref("User"))}, {"401", ResponseRef("Unauthorized")}});
  me["security"] = AdminOnly();
  json::object users =
      Operation("List users (admin)", "identity",
                {{"200", Response("Users", {{"type", "array"}, {"items", Ref("User")}})},
                 {"401", ResponseRef("Unauthorized")},
                 {"403", ResponseRef("Forbidden")}});
  users["security"] = AdminOnly();
  json::object patch =
      Operation("Activate, deactivate, promote or demote a user (admin)", "identity",
                {{"200", Response("The user", Ref("User"))},
                 {"400", ResponseRef("BadRequest")},
                 {"401", ResponseRef("Unauthorized")},
                 {"403", ResponseRef("Forbidden")},
                 {"404", ResponseRef("NotFound")}});
  patch["security"] = AdminOnly();
  patch["requestBody"] = {
      {"required", true},
      {"content",
       JsonContent({{"type", "object"},
                    {"properties",
                     {{"is_active", {{"type", "boolean"}}}, {"is_admin", {{"type", "boolean"}}}}},
                    {"additionalProperties", false}})}};
  return {
      {"/signup", {{"post", std::move(signup)}}},
      {"/login", {{"post", std::move(login)}}},
      {"/token/refresh", {{"post", std::move(refresh)}}},
      {"/me", {{"get", std::move(me)}}},
      {"/users", {{"get", std::move(users)}}},
      {"/users/{uid}",
       {{"parameters", json::array{IdParameter("uid", "string")}}, {"patch", std::move(patch)}}}};
}

json::object ServicePaths() {
  json::object health =
      Operation("The process is alive", "service", {{"200", Response("Alive", Ref("Health"))}});
  json::object ready = Operation("Every dependency answers", "service",
                                 {{"200", Response("Ready", Ref("Readiness"))},
                                  {"503", Response("Not ready", Ref("Readiness"))}});
  json::object docs = Operation("This document rendered by Swagger UI", "service",
                                {{"200", {{"description", "HTML page"}}}});
  json::object openapi =
      Operation("This document", "service", {{"200", {{"description", "OpenAPI 3.1 JSON"}}}});
  json::object console = Operation("The web console (built from this document)", "service",
                                   {{"200", {{"description", "HTML page"}}}});
  return {{"/", {{"get", std::move(console)}}},
          {"/healthz", {{"get", std::move(health)}}},
          {"/readyz", {{"get", std::move(ready)}}},
          {"/openapi.json", {{"get", std::move(openapi)}}},
          {"/docs", {{"get", std::move(docs)}}}};
}

// Cache-Control (RFC 9111) as api::core::CachePolicy sets it, and the headers of a list answer.
json::object CachingHeaders() {
  const auto header = [](std::string_view description) {
    return json::object{{"description", description}, {"schema", {{"type", "string"}}}};
  };
  return {{"CatalogCacheControl",
           header("'private, no-cache' when reads need a token (revalidate with the ETag); with "
                  "AUTH_PUBLIC_READS=true 'public, max-age=0, s-maxage=N, "
                  "stale-while-revalidate=M' (CACHE_CONTROL_S_MAXAGE_SECONDS, "
                  "CACHE_CONTROL_STALE_WHILE_REVALIDATE_SECONDS).")},
          {"NoStore", header("'no-store': writes, identity, health, metrics and every error.")},
          {"ETag", header("Strong validator of the body; If-None-Match with it answers 304.")},
          {"XCache", header("HIT, MISS, BYPASS or DISABLED: how the Redis cache answered.")},
          {"XCacheKey", header("The Redis key of this answer (catalog:<canonical query>).")}};
}

// Each operation's successful answers get the Cache-Control they carry (errors have it through
// components.responses, or here when they are written inline).
void AddCacheControl(json::object& paths) {
  for (auto& [path, item] : paths) {
    for (auto& [method, operation] : item.as_object()) {
      if (!operation.is_object() || !operation.as_object().contains("responses")) continue;
      const bool read = method == "get";
      std::string_view header = "NoStore";
      if (read && (path == "/catalog" || path == "/catalog/facets" || path == "/catalog/{id}")) {
        header = "CatalogCacheControl";
      } else if (read && (path == "/docs" || path == "/openapi.json")) {
        continue;  // documented in docs/api.md: static files and this document revalidate
      }
      for (auto& [status, response] : operation.at("responses").as_object()) {
        auto& answer = response.as_object();
        if (answer.contains("$ref")) continue;
        const bool error = !status.empty() && (status[0] == '4' || status[0] == '5');
        auto& headers = answer["headers"];
        if (!headers.is_object()) headers = json::object{};
        headers.as_object()["Cache-Control"] = HeaderRef(error ? "NoStore" : header);
      }
    }
  }
  auto& list = paths.at("/catalog").at("get").at("responses").at("200").at("headers").as_object();
  list["ETag"] = HeaderRef("ETag");
  list["X-Cache"] = HeaderRef("XCache");
  list["X-Cache-Key"] = HeaderRef("XCacheKey");
}

json::object Components(const catalog::core::DatasetSpec& spec) {
  const auto error = [](std::string_view description) {
    json::object response = Response(description, Ref("Error"));
    response["headers"] = {{"Cache-Control", HeaderRef("NoStore")}};
    return response;
  };
  json::object schemas = {
      {"Item", ItemSchema(spec)},
      {"ItemInput", ItemInputSchema(spec)},
      {"Facets", FacetsSchema(spec)},
      {"CatalogPage",
       {{"type", "object"},
        {"required", json::array{"count", "items"}},
        {"properties",
         {{"count",
           {{"type", "integer"},
            {"description",
             "Items in this response. Without limit it is the last member (known only at the "
             "end of a stream); with limit the first."}}},
          {"total",
           {{"type", "integer"},
            {"description", "Items matching the filters on all pages (paginated requests only)."}}},
          {"items",
           {{"type", "array"},
            {"description", "With ?fields=, each item holds only id and those fields."},
            {"items", Ref("Item")}}},
          {"next_cursor",
           {{"type", json::array{"string", "null"}},
            {"description", "Present while more items remain (paginated requests only)."}}}}}}},
      {"Error", ErrorSchema()},
      {"Health", {{"type", "object"}, {"properties", {{"status", {{"type", "string"}}}}}}},
      {"Readiness",
       {{"type", "object"},
        {"properties",
         {{"status", {{"type", "string"}, {"enum", json::array{"ready", "not_ready"}}}},
          {"checks", {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}}}}}},
      {"Credentials",
       {{"type", "object"},
        {"required", json::array{"email", "password"}},
        {"properties",
         {{"email",
           {{"type", "string"}, {"format", "email"}, {"maxLength", auth::core::kMaxEmailLength}}},
          {"password",
           {{"type", "string"},
            {"format", "password"},
            {"maxLength", auth::core::kMaxPasswordBytes}}}}}}},
      {"User",
       {{"type", "object"},
        {"required", json::array{"uid", "email", "is_active", "is_admin"}},
        {"properties",
         {{"uid", {{"type", "string"}}},
          {"email", {{"type", "string"}, {"format", "email"}}},
          {"is_active", {{"type", "boolean"}}},
          {"is_admin", {{"type", "boolean"}}}}}}},
      {"TokenPair",
       {{"type", "object"},
        {"required", json::array{"access_token", "token_type", "expires_in", "refresh_token"}},
        {"properties",
         {{"access_token", {{"type", "string"}}},
          {"token_type", {{"type", "string"}, {"const", "bearer"}}},
          {"expires_in", {{"type", "integer"}, {"description", "Seconds."}}},
          {"refresh_token", {{"type", "string"}}}}}}}};
  json::object password_flow = {{"tokenUrl", "/login"}, {"scopes", json::object{}}};
  json::object password_login = {
      {"type", "oauth2"},
      {"description", "Email as username; POST /login answers the Firebase ID token."},
      {"flows", json::object{{"password", std::move(password_flow)}}}};
  json::object schemes = {
      {"bearerAuth", {{"type", "http"}, {"scheme", "bearer"}, {"bearerFormat", "JWT"}}},
      {"passwordLogin", std::move(password_login)}};
  return {{"schemas", std::move(schemas)},
          {"headers", CachingHeaders()},
          {"responses",
           {{"BadRequest", error("Invalid parameter or body")},
            {"Unauthorized", error("Missing or invalid bearer token")},
            {"Forbidden", error("Not allowed for this user")},
            {"NotFound", error("No such resource")},
            {"PayloadTooLarge", error("Body larger than the limit")},
            {"Unavailable", error("A dependency is unavailable")}}},
          {"securitySchemes", std::move(schemes)}};
}

}  // namespace

json::object BuildOpenApi(const catalog::core::DatasetSpec& spec, const OpenApiInfo& info) {
  json::object paths = CatalogPaths(spec);
  for (auto& entry : IdentityPaths()) paths.insert(std::move(entry));
  for (auto& entry : ServicePaths()) paths.insert(std::move(entry));
  std::string description = "Catalog of the '" + spec.name + "' dataset.";
  if (!spec.description.empty()) description += " " + spec.description;
  AddCacheControl(paths);
  description +=
      "\n\nBrowser pages on other origins may call the API when CORS_ALLOWED_ORIGINS lists "
      "them (or is *): preflights are answered without a token, and X-Cache, X-Cache-Bypass, "
      "X-Cache-Key, ETag, Server-Timing, X-Request-Id, Location and Retry-After are exposed to "
      "their scripts.";
  return {{"openapi", "3.1.0"},
          {"info",
           {{"title", info.title + ": " + spec.name},
            {"version", info.version},
            {"description", description}}},
          {"paths", std::move(paths)},
          {"components", Components(spec)}};
}

std::string BuildOpenApiJson(const catalog::core::DatasetSpec& spec, const OpenApiInfo& info) {
  return json::serialize(BuildOpenApi(spec, info));
}

}  // namespace vitrina::api::core
