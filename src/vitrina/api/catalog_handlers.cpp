#include "vitrina/api/catalog_handlers.hpp"

#include <charconv>
#include <limits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

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

http::core::CodingPreference AcceptOf(const Request& request) {
  const auto accept_encoding = AcceptEncoding(request);
  return http::core::ParseAcceptEncoding(
      accept_encoding ? std::optional<std::string_view>(*accept_encoding) : std::nullopt);
}

// A body that no cache holds, in the coding the client prefers (small bodies stay identity).
cache::CachedResponse Uncached(std::string body, const http::core::CodingPreference& accept,
                               cache::CacheOutcome outcome) {
  cache::CachedResponse cached;
  cached.coding = http::core::ChooseContentCoding(accept, body.size());
  if (cached.coding != http::core::ContentCoding::kIdentity) {
    body = http::Compress(cached.coding, body, http::CompressionEffort::kFast);
  }
  cached.etag = cache::core::BodyEtag(body);
  cached.body = std::make_shared<const std::string>(std::move(body));
  cached.outcome = outcome;
  return cached;
}

}  // namespace

base::Result<std::shared_ptr<const core::ParsedQueries::Parsed>> CatalogHandlers::ParseList(
    std::string_view raw) {
  if (auto kept = parsed_queries_.Find(raw)) return kept;
  auto query = query_parser_.Parse(raw);
  if (!query) return query.error();
  auto key = cache::core::CatalogCacheKey(*query);
  auto parsed = std::make_shared<const core::ParsedQueries::Parsed>(
      core::ParsedQueries::Parsed{std::move(*query), key});
  parsed_queries_.Keep(raw, parsed);
  return parsed;
}

asio::awaitable<Response> CatalogHandlers::List(Request& request) {
  auto parsed = ParseList(request.query);
  if (!parsed) co_return ErrorResponse(parsed.error());
  const std::shared_ptr<const core::ParsedQueries::Parsed> kept = std::move(*parsed);
  const catalog::core::CatalogQuery& query = kept->query;
  const cache::core::CacheKey& key = kept->key;
  if (!query.limit && streams_ != nullptr) {
    co_return co_await ListAll(request, query, key);
  }
  const auto accept = AcceptOf(request);
  // The loader renders the whole body, so a hit sends the stored bytes as they are.
  auto loader = [this, &query, &request]() -> asio::awaitable<base::Result<std::string>> {
    auto page = co_await reader_.List(query, request.trace);
    if (!page) co_return page.error();
    co_return RenderPage(query, *page);
  };
  cache::CachedResponse cached;
  if (cache_ != nullptr) {
    const cache::CacheClient client = ClientOf(request);
    auto result = co_await cache_->Get(key, loader, request.trace, &client, &accept);
    if (!result) co_return ErrorResponse(result.error());
    cached = std::move(*result);
  } else {
    auto body = co_await loader();
    if (!body) co_return ErrorResponse(body.error());
    cached = Uncached(std::move(*body), accept, cache::CacheOutcome::kDisabled);
  }
  co_return CachedAnswer(request, std::move(cached), key);
}

cache::CacheClient CatalogHandlers::ClientOf(const Request& request) const {
  if (request.principal && !request.principal->uid.empty()) {
    return {"user:" + request.principal->uid, request.principal->is_admin};
  }
  return {"address:" + http::core::ClientAddress(request, trusted_proxy_hops_), false};
}

Response CatalogHandlers::CachedAnswer(const Request& request, cache::CachedResponse cached,
                                       const cache::core::CacheKey& key) const {
  Response response;
  const auto if_none_match = request.Header("if-none-match");
  if (http::core::IfNoneMatchMatches(if_none_match, cached.etag)) {
    response.status = 304;
  } else {
    response = Response::Json(200, std::move(cached.body));
    response.body_file = std::move(cached.file);
    if (cached.coding != http::core::ContentCoding::kIdentity) {
      response.headers.emplace_back("Content-Encoding",
                                    std::string(http::core::ContentCodingName(cached.coding)));
    }
  }
  // Room for these and the middleware's (request id, timing, trace, caching policy): growing
  // the vector field by field moved every header several times per answer.
  response.headers.reserve(12);
  // Each coding is its own representation with its own ETag; every answer says it depends on
  // Accept-Encoding, so a shared cache never hands gzip to a client that did not ask for it.
  response.headers.emplace_back("Vary", "Accept-Encoding");
  response.headers.emplace_back("ETag", std::move(cached.etag));
  response.headers.emplace_back("X-Cache", std::string(cache::CacheOutcomeName(cached.outcome)));
  // The key as Redis holds it: under CACHE_KEY_PREFIX when one is set.
  response.headers.emplace_back("X-Cache-Key",
                                cache_ != nullptr ? cache_->RedisKey(key) : key.str());
  return response;
}

// A streamed answer has no ETag (its bytes are not known before they are sent); it is compressed
// as it passes when the client asks for a coding (fast level: it runs on the I/O thread). See
// docs/api.md, "Streamed answers".
Response CatalogHandlers::StreamedAnswer(std::shared_ptr<http::core::BodyStream> body,
                                         const http::core::CodingPreference& accept,
                                         cache::CacheOutcome outcome,
                                         const cache::core::CacheKey& key,
                                         const std::string& bypass_reason) const {
  Response response;
  response.status = 200;
  // Larger than any threshold: a stream is past CATALOG_STREAM_AFTER_BYTES already.
  const auto coding =
      http::core::ChooseContentCoding(accept, std::numeric_limits<std::size_t>::max());
  response.body_stream =
      http::CompressStream(coding, std::move(body), http::CompressionEffort::kFast);
  if (coding != http::core::ContentCoding::kIdentity) {
    response.headers.emplace_back("Content-Encoding",
                                  std::string(http::core::ContentCodingName(coding)));
  }
  response.headers.emplace_back("Vary", "Accept-Encoding");
  response.headers.emplace_back("X-Cache", std::string(cache::CacheOutcomeName(outcome)));
  if (!bypass_reason.empty()) response.headers.emplace_back("X-Cache-Bypass", bypass_reason);
  response.headers.emplace_back("X-Cache-Key",
                                cache_ != nullptr ? cache_->RedisKey(key) : key.str());
  return response;
}

asio::awaitable<Response> CatalogHandlers::ListUncached(Request& request,
                                                        const catalog::core::CatalogQuery& query,
                                                        const cache::core::CacheKey& key,
                                                        const http::core::CodingPreference& accept,
                                                        cache::CacheOutcome outcome,
                                                        std::string bypass_reason) {
  // Marked too large by an earlier stream: no use reading up to whole_max_bytes first.
  const bool known_large = bypass_reason == "too-large";
  auto start = co_await streams_->Start(query, request.trace, known_large);
  if (!start) co_return ErrorResponse(start.error());
  if (start->complete) {
    Response response =
        CachedAnswer(request, Uncached(std::move(start->head), accept, outcome), key);
    if (!bypass_reason.empty()) response.headers.emplace_back("X-Cache-Bypass", bypass_reason);
    co_return response;
  }
  auto body = streams_->Body(std::move(*start));
  if (!body) co_return ErrorResponse(body.error());
  co_return StreamedAnswer(std::move(*body), accept, outcome, key, bypass_reason);
}

namespace {

// The cache's loader for a streamed list: tells the handler it is to load, then waits for the
// body the handler (or its stream) delivers.
asio::awaitable<base::Result<std::string>> LoadThroughHandoff(std::shared_ptr<LoadHandoff> handoff,
                                                              cache::CacheOutcome outcome) {
  handoff->load_for = outcome;
  handoff->wake.cancel();
  while (!handoff->body) {
    (void)co_await handoff->loaded.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return std::move(*handoff->body);
}

// The cache's Get in a coroutine of its own, so that a miss can stream to its client while the
// Get waits for the complete body (to store it). Everything it uses is held here or in `handoff`.
asio::awaitable<void> RunGet(cache::CatalogCache* cache, cache::core::CacheKey key,
                             cache::CacheClient client, http::core::CodingPreference accept,
                             std::shared_ptr<LoadHandoff> handoff) {
  cache::OutcomeLoader loader = [handoff](cache::CacheOutcome outcome) {
    return LoadThroughHandoff(handoff, outcome);
  };
  base::Result<cache::CachedResponse> result =
      base::MakeError(base::ErrorCode::kInternal, "internal error", "catalog cache get threw");
  try {
    result =
        co_await cache->GetWithOutcome(key, std::move(loader), &handoff->trace, &client, &accept);
  } catch (...) {
    // Reported as the error above: a detached coroutine must not throw into the I/O loop.
  }
  handoff->got = std::move(result);
  handoff->wake.cancel();
}

}  // namespace

asio::awaitable<Response> CatalogHandlers::ListAll(Request& request,
                                                   const catalog::core::CatalogQuery& query,
                                                   const cache::core::CacheKey& key) {
  const auto accept = AcceptOf(request);
  if (cache_ == nullptr) {
    co_return co_await ListUncached(request, query, key, accept, cache::CacheOutcome::kDisabled,
                                    {});
  }
  if (cache_->IsTooLarge(key)) {
    co_return co_await ListUncached(request, query, key, accept, cache::CacheOutcome::kBypass,
                                    "too-large");
  }
  // A hit from the local copy is answered here: the Get in a coroutine of its own below is for
  // what a miss needs (streaming while the cache waits to store), and cost hits about 5% of
  // their requests/s.
  if (auto hit = co_await cache_->FindHit(key, request.trace, &accept)) {
    co_return CachedAnswer(request, std::move(*hit), key);
  }
  const auto executor = co_await asio::this_coro::executor;
  auto handoff = std::make_shared<LoadHandoff>(executor);
  handoff->relay.target = request.trace;
  // The relay must not outlive the request's trace: cleared on every way out of this frame.
  struct Unrelay {
    LoadHandoff& handoff;
    ~Unrelay() { handoff.relay.target = nullptr; }
  } unrelay{*handoff};
  const cache::CacheClient client = ClientOf(request);  // named: copied into the frame below
  asio::co_spawn(executor, RunGet(cache_, key, client, accept, handoff), asio::detached);
  co_await handoff->WaitForGetOrLoad();
  if (!handoff->got) {
    // This request loads: a hit or another request's load would have answered instead.
    const cache::CacheOutcome outcome = *handoff->load_for;
    auto start = co_await streams_->Start(query, request.trace, false);
    if (start && !start->complete) {
      auto body = streams_->Body(std::move(*start), handoff, cache_, &key);
      if (body) co_return StreamedAnswer(std::move(*body), accept, outcome, key, {});
      handoff->Deliver(body.error());
    } else if (start) {
      handoff->Deliver(std::move(start->head));
    } else {
      handoff->Deliver(start.error());
    }
    // Small enough to be sent whole: answered as any miss, once the cache stored it.
    co_await handoff->WaitForGet();
  }
  auto& got = *handoff->got;
  if (!got) {
    if (auto reason = ReadItYourselfReason(got.error())) {
      co_return co_await ListUncached(request, query, key, accept, cache::CacheOutcome::kBypass,
                                      *reason);
    }
    co_return ErrorResponse(got.error());
  }
  co_return CachedAnswer(request, std::move(*got), key);
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
