#include "vitrina/api/catalog_handlers.hpp"

#include <charconv>

#include "vitrina/cache/core/catalog_key.hpp"
#include "vitrina/cache/core/stored_response.hpp"
#include "vitrina/catalog/core/catalog_query.hpp"
#include "vitrina/catalog/core/cursor.hpp"
#include "vitrina/catalog/core/item_json.hpp"
#include "vitrina/http/compression.hpp"
#include "vitrina/http/core/client_address.hpp"
#include "vitrina/http/core/content_coding.hpp"
#include "vitrina/http/core/error_response.hpp"
#include "vitrina/http/core/framing.hpp"

namespace vitrina::api {

namespace asio = boost::asio;
using http::core::ErrorResponse;
using http::core::Request;
using http::core::Response;

namespace {

// Ids in paths are positive integers; anything else is a client error (400), not a missing item.
base::Result<std::int64_t> ItemId(const Request& request) {
  const std::string_view text = request.Param("id");
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || id < 1) {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           "the id in the path must be a positive integer");
  }
  return id;
}

// {"count":N,"total":T,"items":[...],"next_cursor":...}: the items are PostgreSQL's bytes,
// unparsed. A paginated answer (limit given) carries the total and the next cursor.
std::string RenderPage(const catalog::core::CatalogQuery& query, const catalog::CatalogPage& page) {
  std::string body;
  body.reserve(page.items_json.size() + 96);
  body += "{\"count\":";
  body += std::to_string(page.count);
  if (query.HasTotal()) {
    body += ",\"total\":";
    body += std::to_string(page.total.value_or(0));
  }
  body += ",\"items\":";
  body += page.items_json;
  if (query.limit) {
    body += ",\"next_cursor\":";
    if (page.has_more && page.last_item) {
      body += '"' + catalog::core::CursorAfter(query, *page.last_item) + '"';
    } else {
      body += "null";
    }
  }
  body += '}';
  return body;
}

// Every Accept-Encoding field of the request joined with "," (a list header may be split across
// fields), nullopt when there is none.
std::optional<std::string> AcceptEncoding(const Request& request) {
  std::optional<std::string> joined;
  for (const auto& [name, value] : request.headers) {
    if (name != "accept-encoding") continue;
    joined = joined ? *joined + "," + value : value;
  }
  return joined;
}

}  // namespace

asio::awaitable<Response> CatalogHandlers::List(Request& request) {
  auto query = query_parser_.Parse(request.query);
  if (!query) co_return ErrorResponse(query.error());
  const auto key = cache::core::CatalogCacheKey(*query);
  const auto accept_encoding = AcceptEncoding(request);
  const auto accept = http::core::ParseAcceptEncoding(
      accept_encoding ? std::optional<std::string_view>(*accept_encoding) : std::nullopt);
  // The loader renders the whole body, so a hit sends the stored bytes as they are.
  auto loader = [this, &query, &request]() -> asio::awaitable<base::Result<std::string>> {
    auto page = co_await reader_.List(*query, request.trace);
    if (!page) co_return page.error();
    co_return RenderPage(*query, *page);
  };
  cache::CachedResponse cached;
  if (cache_ != nullptr) {
    cache::CacheClient client;
    if (request.principal && !request.principal->uid.empty()) {
      client = {"user:" + request.principal->uid, request.principal->is_admin};
    } else {
      client = {"address:" + http::core::ClientAddress(request, trusted_proxy_hops_), false};
    }
    auto result = co_await cache_->Get(key, loader, request.trace, &client, &accept);
    if (!result) co_return ErrorResponse(result.error());
    cached = std::move(*result);
  } else {
    auto body = co_await loader();
    if (!body) co_return ErrorResponse(body.error());
    cached.coding = http::core::ChooseContentCoding(accept, body->size());
    if (cached.coding != http::core::ContentCoding::kIdentity) {
      *body = http::Compress(cached.coding, *body, http::CompressionEffort::kFast);
    }
    cached.etag = cache::core::BodyEtag(*body);
    cached.body = std::make_shared<const std::string>(std::move(*body));
    cached.outcome = cache::CacheOutcome::kDisabled;
  }
  Response response;
  const auto if_none_match = request.Header("if-none-match");
  if (http::core::IfNoneMatchMatches(if_none_match, cached.etag)) {
    response.status = 304;
  } else {
    response = Response::Json(200, cached.body);
    response.body_file = std::move(cached.file);
    if (cached.coding != http::core::ContentCoding::kIdentity) {
      response.headers.emplace_back("Content-Encoding",
                                    std::string(http::core::ContentCodingName(cached.coding)));
    }
  }
  // Each coding is its own representation with its own ETag; every answer says it depends on
  // Accept-Encoding, so a shared cache never hands gzip to a client that did not ask for it.
  response.headers.emplace_back("Vary", "Accept-Encoding");
  response.headers.emplace_back("ETag", cached.etag);
  response.headers.emplace_back("X-Cache", std::string(cache::CacheOutcomeName(cached.outcome)));
  // The key as Redis holds it: under CACHE_KEY_PREFIX when one is set.
  response.headers.emplace_back("X-Cache-Key",
                                cache_ != nullptr ? cache_->RedisKey(key) : key.str());
  co_return response;
}

asio::awaitable<Response> CatalogHandlers::Get(Request& request) {
  auto id = ItemId(request);
  if (!id) co_return ErrorResponse(id.error());
  auto item = co_await reader_.Get(*id, request.trace);
  if (!item) co_return ErrorResponse(item.error());
  co_return Response::Json(200, std::move(*item));
}

asio::awaitable<Response> CatalogHandlers::Facets(Request& request) {
  auto facets = co_await reader_.Facets(request.trace);
  if (!facets) co_return ErrorResponse(facets.error());
  co_return Response::Json(200, std::move(*facets));
}

asio::awaitable<Response> CatalogHandlers::Create(Request& request) {
  base::FieldErrors field_errors;
  auto values = catalog::core::ParseItemBody(spec_, request.body, field_errors);
  if (!values) co_return ErrorResponse(values.error(), field_errors);
  auto outcome = co_await writer_.Create(std::move(*values), request.trace);
  if (!outcome) co_return ErrorResponse(outcome.error());
  co_await NotifyCommitted(*outcome);
  Response response = Response::Json(201, outcome->new_item->json);
  response.headers.emplace_back("Location",
                                "/catalog/" + std::to_string(outcome->new_item->item.id));
  co_return response;
}

asio::awaitable<Response> CatalogHandlers::Replace(Request& request) {
  auto id = ItemId(request);
  if (!id) co_return ErrorResponse(id.error());
  base::FieldErrors field_errors;
  auto values = catalog::core::ParseItemBody(spec_, request.body, field_errors);
  if (!values) co_return ErrorResponse(values.error(), field_errors);
  auto outcome = co_await writer_.Replace(*id, std::move(*values), request.trace);
  if (!outcome) co_return ErrorResponse(outcome.error());
  co_await NotifyCommitted(*outcome);
  co_return Response::Json(200, outcome->new_item->json);
}

asio::awaitable<Response> CatalogHandlers::Delete(Request& request) {
  auto id = ItemId(request);
  if (!id) co_return ErrorResponse(id.error());
  auto outcome = co_await writer_.Delete(*id, request.trace);
  if (!outcome) co_return ErrorResponse(outcome.error());
  co_await NotifyCommitted(*outcome);
  Response response;
  response.status = 204;
  co_return response;
}

asio::awaitable<void> CatalogHandlers::NotifyCommitted(const catalog::WriteOutcome& outcome) {
  for (auto* listener : listeners_) {
    co_await listener->OnWriteCommitted(outcome);
  }
}

}  // namespace vitrina::api
