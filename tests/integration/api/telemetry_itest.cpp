// `vitrina serve` with APPLICATIONINSIGHTS_CONNECTION_STRING pointing at the capture server
// (tools/appinsights-capture.py, started by tools/with-services.sh): the envelopes a real request
// produces, GET /metrics, Server-Timing, the trace headers, and a server that keeps answering
// when the ingestion endpoint fails or is gone.
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/own_redis.hpp"
#include "support/test_env.hpp"

namespace vitrina::itest {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr const char* kTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr const char* kParentSpan = "00f067aa0ba902b7";

std::uint16_t PortOf(const std::string& url) {
  return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

std::string Tag(const json::object& envelope, const char* name) {
  const auto* tags = envelope.if_contains("tags");
  if (tags == nullptr || !tags->is_object()) return {};
  const auto* value = tags->as_object().if_contains(name);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

const json::object& BaseData(const json::object& envelope) {
  return envelope.at("data").at("baseData").as_object();
}

std::string Text(const json::object& object, const char* name) {
  const auto* value = object.if_contains(name);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

class TelemetryApi : public ::testing::Test {
 protected:
  void SetUp() override {
    VITRINA_REQUIRE_ENV(database, "DATABASE_URL");
    VITRINA_REQUIRE_ENV(redis, "REDIS_URL");
    VITRINA_REQUIRE_ENV(capture, "APPINSIGHTS_CAPTURE_URL");
    capture_port_ = PortOf(capture);
    // Every server of the run may send to the shared capture: this one is told apart by its
    // role instance.
    instance_ = "itest-" + std::to_string(getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name();
    if (url_.empty()) url_ = LoadDiamondsDatabase("vitrina_api_itest_telemetry", MakeDiamonds(60));
  }

  std::map<std::string, std::string> Env(const std::string& ingestion_endpoint) const {
    auto env = ServerEnv(url_, SourcePath("datasets/diamonds.yaml"));
    env["REDIS_URL"] = testing::ServiceEnv("REDIS_URL").value_or("");
    env["REDIS_CLUSTER_NODES"] = "";
    env["CACHE_ENABLED"] = "true";
    env["APPLICATIONINSIGHTS_CONNECTION_STRING"] =
        "InstrumentationKey=00000000-0000-0000-0000-0000000000it;IngestionEndpoint=" +
        ingestion_endpoint;
    env["TELEMETRY_CLOUD_ROLE_INSTANCE"] = instance_;
    env["TELEMETRY_FLUSH_INTERVAL_MS"] = "100";
    env["TELEMETRY_METRIC_INTERVAL_S"] = "1";
    env["TELEMETRY_MAX_RETRIES"] = "1";
    env["TELEMETRY_SHUTDOWN_DEADLINE_MS"] = "1000";
    return env;
  }

  std::string CaptureUrl() const { return "http://127.0.0.1:" + std::to_string(capture_port_); }

  // The envelopes received so far from the server whose role instance is `instance` (this
  // test's server by default).
  std::vector<json::object> Envelopes(const std::string& instance = {}) const {
    const std::string wanted = instance.empty() ? instance_ : instance;
    const auto reply = Fetch(capture_port_, "GET", "/envelopes?role_instance=" + wanted);
    std::vector<json::object> mine;
    std::istringstream lines(reply.body);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty()) continue;
      auto parsed = json::parse(line);
      if (!parsed.is_object()) continue;
      if (Tag(parsed.as_object(), "ai.cloud.roleInstance") == wanted) {
        mine.push_back(std::move(parsed.as_object()));
      }
    }
    return mine;
  }

  // Waits (up to 10 s) until `done` holds for a server's envelopes; returns the last read.
  template <typename Predicate>
  std::vector<json::object> WaitForEnvelopes(Predicate done,
                                             const std::string& instance = {}) const {
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    auto envelopes = Envelopes(instance);
    while (!done(envelopes) && Clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(100));
      envelopes = Envelopes(instance);
    }
    return envelopes;
  }

  static std::vector<json::object> OfType(const std::vector<json::object>& envelopes,
                                          const std::string& base_type) {
    std::vector<json::object> found;
    for (const auto& envelope : envelopes) {
      if (envelope.at("data").at("baseType").as_string() == base_type) found.push_back(envelope);
    }
    return found;
  }

  static std::vector<json::object> RequestsNamed(const std::vector<json::object>& envelopes,
                                                 const std::string& name) {
    std::vector<json::object> found;
    for (const auto& request : OfType(envelopes, "RequestData")) {
      if (Text(BaseData(request), "name") == name) found.push_back(request);
    }
    return found;
  }

  static inline std::string url_;
  std::uint16_t capture_port_ = 0;
  std::string instance_;
};

TEST_F(TelemetryApi, RequestsAndTheirDependenciesReachApplicationInsightsWithOneOperationId) {
  ServerProcess server(Env(CaptureUrl()), FreePort());
  // A filter no other test uses, so the first read is a miss whatever Redis holds.
  const std::string target = "/catalog?cut=Fair&price_min=" + std::to_string(getpid() % 100000);
  const std::string traceparent = std::string("00-") + kTraceId + "-" + kParentSpan + "-01";
  // Until the cache serves a hit, start-up work (the reload listener's first flush) may still
  // invalidate what a request stores.
  const auto warm_deadline = Clock::now() + std::chrono::seconds(10);
  while (Fetch(server.port(), "GET", "/catalog?cut=Good").Header("x-cache") != "HIT" &&
         Clock::now() < warm_deadline) {
    std::this_thread::sleep_for(milliseconds(100));
  }

  const auto miss = Fetch(server.port(), "GET", target, {}, {{"traceparent", traceparent}});
  ASSERT_EQ(miss.status, 200u) << miss.body;
  EXPECT_EQ(miss.Header("x-cache"), "MISS");
  const auto hit = Fetch(server.port(), "GET", target);
  ASSERT_EQ(hit.status, 200u);
  EXPECT_EQ(hit.Header("x-cache"), "HIT");
  EXPECT_EQ(Fetch(server.port(), "GET", "/catalog/999999").status, 404u);
  EXPECT_EQ(Fetch(server.port(), "POST", "/catalog", "{}").status, 401u);  // no token

  // The caller's trace continues: the response names it and this request's span.
  const std::string traceresponse = miss.Header("traceresponse");
  EXPECT_TRUE(std::regex_match(traceresponse,
                               std::regex(std::string("00-") + kTraceId + "-[0-9a-f]{16}-01")))
      << traceresponse;
  const std::string span = traceresponse.substr(36, 16);
  EXPECT_NE(span, kParentSpan);

  const auto envelopes = WaitForEnvelopes([](const std::vector<json::object>& all) {
    return !RequestsNamed(all, "POST /catalog").empty();
  });
  std::vector<json::object> lists;
  for (const auto& request : RequestsNamed(envelopes, "GET /catalog")) {
    if (Text(BaseData(request), "url").find(target) != std::string::npos) {
      lists.push_back(request);
    }
  }
  ASSERT_EQ(lists.size(), 2u);
  const auto& traced = Tag(lists[0], "ai.operation.id") == kTraceId ? lists[0] : lists[1];
  const auto& untraced = &traced == &lists[0] ? lists[1] : lists[0];
  EXPECT_EQ(Tag(traced, "ai.operation.id"), kTraceId);
  EXPECT_EQ(Tag(traced, "ai.operation.parentId"), kParentSpan);
  EXPECT_EQ(Tag(traced, "ai.operation.name"), "GET /catalog");
  EXPECT_EQ(Tag(traced, "ai.cloud.role"), "vitrina-api");
  EXPECT_EQ(traced.at("name"), "Microsoft.ApplicationInsights.Request");
  EXPECT_EQ(traced.at("iKey"), "00000000-0000-0000-0000-0000000000it");
  const auto& request = BaseData(traced);
  EXPECT_EQ(Text(request, "id"), span);
  EXPECT_EQ(Text(request, "responseCode"), "200");
  EXPECT_EQ(request.at("success"), true);
  EXPECT_NE(Text(request, "url").find(target), std::string::npos) << Text(request, "url");
  EXPECT_TRUE(
      std::regex_match(Text(request, "duration"), std::regex(R"(\d+\.\d{2}:\d{2}:\d{2}\.\d{6})")))
      << Text(request, "duration");
  EXPECT_EQ(request.at("properties").at("cache"), "miss");
  EXPECT_EQ(BaseData(untraced).at("properties").at("cache"), "hit");
  // Without a traceparent a new trace starts, with no parent.
  EXPECT_EQ(Tag(untraced, "ai.operation.id").size(), 32u);
  EXPECT_NE(Tag(untraced, "ai.operation.id"), kTraceId);
  EXPECT_EQ(Tag(untraced, "ai.operation.parentId"), "");

  const auto not_found = RequestsNamed(envelopes, "GET /catalog/{id}");
  ASSERT_EQ(not_found.size(), 1u);
  EXPECT_EQ(Text(BaseData(not_found[0]), "responseCode"), "404");
  EXPECT_EQ(BaseData(not_found[0]).at("success"), false);
  const auto unauthorized = RequestsNamed(envelopes, "POST /catalog");
  ASSERT_EQ(unauthorized.size(), 1u);
  EXPECT_EQ(Text(BaseData(unauthorized[0]), "responseCode"), "401");

  // The miss: Redis GET, the registration and version scripts, the PostgreSQL statement and the
  // store, each a dependency of the traced request (parentId = its span).
  std::vector<std::string> redis_calls;
  bool postgres_seen = false;
  for (const auto& dependency : OfType(envelopes, "RemoteDependencyData")) {
    if (Tag(dependency, "ai.operation.id") != kTraceId) continue;
    EXPECT_EQ(Tag(dependency, "ai.operation.parentId"), span);
    EXPECT_EQ(Tag(dependency, "ai.operation.name"), "GET /catalog");
    const auto& data = BaseData(dependency);
    if (Text(data, "type") == "postgresql") {
      postgres_seen = true;
      // Unpaginated: read through a cursor (docs/api.md, "Streamed answers").
      EXPECT_EQ(Text(data, "name"), "catalog_stream");
      EXPECT_EQ(Text(data, "resultCode"), "OK");
      EXPECT_EQ(data.at("success"), true);
      EXPECT_NE(Text(data, "target").find("| vitrina_api_itest_telemetry"), std::string::npos)
          << Text(data, "target");
    } else if (Text(data, "type") == "redis") {
      redis_calls.push_back(Text(data, "name"));
      EXPECT_NE(Text(data, "target").find("redis://"), std::string::npos);
    }
  }
  EXPECT_TRUE(postgres_seen);
  EXPECT_EQ(redis_calls,
            (std::vector<std::string>{"GET", "SADD registry_manifest", "SADD register_key",
                                      "EVAL begin_miss", "EVAL store_if_version"}));

  // The hit: one Redis command and no PostgreSQL statement. The instance stored the answer itself,
  // so it checks its copy with a GETRANGE of the entry's header instead of a GET of the body.
  const std::string hit_trace = Tag(untraced, "ai.operation.id");
  std::vector<std::string> hit_calls;
  for (const auto& dependency : OfType(envelopes, "RemoteDependencyData")) {
    if (Tag(dependency, "ai.operation.id") == hit_trace) {
      hit_calls.push_back(Text(BaseData(dependency), "type") + " " +
                          Text(BaseData(dependency), "name"));
    }
  }
  EXPECT_EQ(hit_calls, std::vector<std::string>{"redis GETRANGE"});

  // Counter deltas every second (TELEMETRY_METRIC_INTERVAL_S=1).
  const auto with_metrics = WaitForEnvelopes([](const std::vector<json::object>& all) {
    double hits = 0;
    for (const auto& metric : OfType(all, "MetricData")) {
      const auto& point = BaseData(metric).at("metrics").at(0);
      if (point.at("name") == "Cache hits") hits += point.at("value").to_number<double>();
    }
    return hits >= 1;
  });
  std::vector<std::string> metric_names;
  for (const auto& metric : OfType(with_metrics, "MetricData")) {
    metric_names.emplace_back(BaseData(metric).at("metrics").at(0).at("name").as_string());
  }
  for (const char* name : {"Cache hits", "Cache misses", "Cache bypasses"}) {
    EXPECT_NE(std::find(metric_names.begin(), metric_names.end(), name), metric_names.end())
        << name;
  }
}

TEST_F(TelemetryApi, ResponsesCarryServerTimingAndMetricsAreServed) {
  // ETL runs are other processes: /metrics reports the totals of etl_runs.
  // This suite's database has no other failed run.
  ExecuteSql(url_, "DELETE FROM etl_runs WHERE status = 'failed'");
  ExecuteSql(url_,
             "INSERT INTO etl_runs (dataset, target_table, source, status) "
             "VALUES ('diamonds', 'diamonds', 'itest', 'failed')");
  ServerProcess server(Env(CaptureUrl()), FreePort());
  // The reload listener reports etl_runs right after its connect-time flush of the cache: once
  // /metrics shows the run, that flush cannot delete what the requests below store (a HIT).
  const std::string etl_line = R"(vitrina_etl_runs{status="failed"} 1)"
                               "\n";
  ASSERT_TRUE(WaitUntil(
      [&] {
        return Fetch(server.port(), "GET", "/metrics").body.find(etl_line) != std::string::npos;
      },
      std::chrono::seconds(10)))
      << "the listener never reported etl_runs";
  const std::string target = "/catalog?color=E&price_min=" + std::to_string(getpid() % 100000);
  const auto first = Fetch(server.port(), "GET", target);
  ASSERT_EQ(first.status, 200u);
  const std::string timing = first.Header("server-timing");
  EXPECT_TRUE(std::regex_match(
      timing, std::regex(R"(auth;dur=\d+\.\d\d, cache;dur=\d+\.\d\d, db;dur=\d+\.\d\d, )"
                         R"(total;dur=\d+\.\d\d)")))
      << timing;
  // A miss spent time in PostgreSQL; the time is a part of the total.
  const std::regex number(R"((\w+);dur=(\d+\.\d\d))");
  std::map<std::string, double> phases;
  for (std::sregex_iterator it(timing.begin(), timing.end(), number), end; it != end; ++it) {
    phases[(*it)[1]] = std::stod((*it)[2]);
  }
  EXPECT_GT(phases["db"], 0.0);
  EXPECT_GT(phases["cache"], 0.0);
  EXPECT_LE(phases["db"] + phases["cache"], phases["total"] + 0.02);
  EXPECT_FALSE(Fetch(server.port(), "GET", "/healthz").Header("server-timing").empty());
  EXPECT_EQ(Fetch(server.port(), "GET", target).Header("x-cache"), "HIT");

  const auto metrics = Fetch(server.port(), "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200u);
  EXPECT_EQ(metrics.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  for (const char* expected : {
           R"(vitrina_http_request_duration_seconds_count{route="GET /catalog",status="200"} 2)",
           R"(vitrina_http_request_duration_seconds_count{route="GET /healthz",status="200"} 1)",
           R"(vitrina_db_query_duration_seconds_count{statement="catalog_stream"} 1)",
           R"(vitrina_redis_command_duration_seconds_count{command="GET"} 1)",
           R"(vitrina_redis_command_duration_seconds_count{command="GETRANGE"} 1)",
           R"(vitrina_cache_local_copies{measure="entries"} 1)",
           R"(vitrina_cache_results_total{outcome="hit"} 1)",
           R"(vitrina_cache_results_total{outcome="miss"} 1)",
           R"(vitrina_pool_connections{pool="postgresql",state="size"} 4)",
           R"(vitrina_telemetry_items_total{outcome="dropped_queue_full"} 0)",
           "# TYPE vitrina_http_request_duration_seconds histogram",
       }) {
    EXPECT_NE(metrics.body.find(expected), std::string::npos) << expected << "\n" << metrics.body;
  }
  EXPECT_NE(metrics.body.find(etl_line), std::string::npos) << etl_line << metrics.body;
}

// Trace ids and their Application Insights sampling scores (the SDKs' hash of the operation id;
// tests/unit/telemetry/sampling_test.cpp): at 50 % the first two operations are kept, the last
// two are not.
constexpr const char* kKeptTraces[] = {"4bf92f3577b34da6a3ce929d0e0e4736",        // 33.46
                                       "00000000000000000000000000000001"};       // 2.34
constexpr const char* kDroppedTrace = "0af7651916cd43dd8448eb211c80319c";         // 52.79
constexpr const char* kDroppedFailingTrace = "ffffffffffffffffffffffffffffffff";  // 99.96

std::string Traceparent(const std::string& trace_id) {
  return "00-" + trace_id + "-" + kParentSpan + "-01";
}

double SampleRate(const json::object& envelope) {
  return envelope.at("sampleRate").to_number<double>();
}

// Sampling at 50 %: the failing operation is one sampling leaves out, and its failures are sent
// anyway, at sampleRate 100 (their true inclusion probability); its successful items are not.
TEST_F(TelemetryApi, ServerErrorsAreSentAsExceptionsWithTheirRequest) {
  // A database of its own: the test breaks it.
  const auto broken = LoadDiamondsDatabase("vitrina_api_itest_telemetry_broken", MakeDiamonds(5));
  auto env = Env(CaptureUrl());
  env["DATABASE_URL"] = broken;
  env["TELEMETRY_SAMPLING_PERCENTAGE"] = "50";
  ServerProcess server(env, FreePort());
  ASSERT_EQ(
      Fetch(server.port(), "GET", "/catalog/1", {}, {{"traceparent", Traceparent(kKeptTraces[1])}})
          .status,
      200u);
  // The prepared statement now refers to a table that is gone: PostgreSQL answers 42P01, a 500.
  ExecuteSql(broken, "DROP TABLE diamonds CASCADE");
  const auto failed = Fetch(server.port(), "GET", "/catalog/1", {},
                            {{"traceparent", Traceparent(kDroppedFailingTrace)}});
  ASSERT_EQ(failed.status, 500u) << failed.body;
  EXPECT_EQ(failed.body.find("diamonds"), std::string::npos) << "internals leaked: " << failed.body;
  const std::string trace_id = failed.Header("traceresponse").substr(3, 32);
  ASSERT_EQ(trace_id, kDroppedFailingTrace);

  const auto envelopes = WaitForEnvelopes([](const std::vector<json::object>& all) {
    return !OfType(all, "ExceptionData").empty() && OfType(all, "RequestData").size() >= 2;
  });
  const auto exceptions = OfType(envelopes, "ExceptionData");
  ASSERT_EQ(exceptions.size(), 1u);
  EXPECT_EQ(Tag(exceptions[0], "ai.operation.id"), trace_id);
  const auto& details = BaseData(exceptions[0]).at("exceptions").at(0).as_object();
  EXPECT_EQ(Text(details, "typeName"), "vitrina.internal");
  EXPECT_NE(Text(details, "message").find("42P01"), std::string::npos) << Text(details, "message");
  EXPECT_EQ(SampleRate(exceptions[0]), 100.0);
  for (const auto& dependency : OfType(envelopes, "RemoteDependencyData")) {
    if (Tag(dependency, "ai.operation.id") != trace_id) continue;
    EXPECT_EQ(Text(BaseData(dependency), "name"), "catalog_get");
    EXPECT_EQ(Text(BaseData(dependency), "resultCode"), "42P01");
    EXPECT_EQ(BaseData(dependency).at("success"), false);
    EXPECT_EQ(SampleRate(dependency), 100.0);
  }
  const auto requests = RequestsNamed(envelopes, "GET /catalog/{id}");
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(BaseData(requests[0]).at("success"), true);
  EXPECT_EQ(SampleRate(requests[0]), 50.0);
  EXPECT_EQ(BaseData(requests[1]).at("success"), false);
  EXPECT_EQ(SampleRate(requests[1]), 100.0);
}

// One trace handled by two instances (a caller that sends the same traceparent to both, or a
// request that crosses them): at the same percentage both keep it, or both drop it, whole.
TEST_F(TelemetryApi, TwoInstancesSampleEachTraceTheSameWayAndKeepFailures) {
  std::vector<std::string> instances = {instance_ + "-a", instance_ + "-b"};
  std::vector<std::unique_ptr<ServerProcess>> servers;
  for (const auto& instance : instances) {
    auto env = Env(CaptureUrl());
    env["TELEMETRY_CLOUD_ROLE_INSTANCE"] = instance;
    env["TELEMETRY_SAMPLING_PERCENTAGE"] = "50";
    servers.push_back(std::make_unique<ServerProcess>(env, FreePort()));
  }
  const std::string target = "/catalog?cut=Ideal&price_min=" + std::to_string(getpid() % 100000);
  for (const auto& server : servers) {
    for (const auto* trace : kKeptTraces) {
      const auto reply =
          Fetch(server->port(), "GET", target, {}, {{"traceparent", Traceparent(trace)}});
      ASSERT_EQ(reply.status, 200u) << reply.body;
      // The decision travels on: the caller learns this instance recorded its request.
      EXPECT_EQ(reply.Header("traceresponse").substr(53), "01");
    }
    const auto dropped =
        Fetch(server->port(), "GET", target, {}, {{"traceparent", Traceparent(kDroppedTrace)}});
    ASSERT_EQ(dropped.status, 200u);
    EXPECT_EQ(dropped.Header("traceresponse").substr(53), "00");
    // A 404 is a failed request: sent although its operation is sampled out.
    EXPECT_EQ(Fetch(server->port(), "GET", "/catalog/999999", {},
                    {{"traceparent", Traceparent(kDroppedFailingTrace)}})
                  .status,
              404u);
  }

  for (const auto& instance : instances) {
    SCOPED_TRACE(instance);
    const auto envelopes = WaitForEnvelopes(
        [](const std::vector<json::object>& all) { return OfType(all, "RequestData").size() >= 3; },
        instance);
    std::map<std::string, std::vector<const json::object*>> by_trace;
    for (const auto& envelope : envelopes) {
      by_trace[Tag(envelope, "ai.operation.id")].push_back(&envelope);
    }
    for (const auto* trace : kKeptTraces) {
      const auto& items = by_trace[trace];
      std::size_t requests = 0, dependencies = 0;
      for (const auto* item : items) {
        const std::string type(item->at("data").at("baseType").as_string());
        requests += type == "RequestData" ? 1 : 0;
        dependencies += type == "RemoteDependencyData" ? 1 : 0;
        // Each stands for 100/50 = 2 items in the portal.
        EXPECT_EQ(SampleRate(*item), 50.0) << json::serialize(*item);
      }
      EXPECT_EQ(requests, 1u) << trace;
      EXPECT_GE(dependencies, 1u) << trace;  // the Redis read at least
    }
    EXPECT_EQ(by_trace.count(kDroppedTrace), 0u) << "a sampled-out operation sent items";
    const auto& failing = by_trace[kDroppedFailingTrace];
    ASSERT_EQ(failing.size(), 1u) << "only the failed request, not its successful statement";
    EXPECT_EQ(Text(BaseData(*failing[0]), "responseCode"), "404");
    EXPECT_EQ(SampleRate(*failing[0]), 100.0);
  }

  // A sampled-out request is counted as such, even one without dependencies (/healthz). The
  // scrapes carry a kept trace, so they add nothing to the count themselves.
  auto sampled_out = [&] {
    const auto metrics = Fetch(servers[0]->port(), "GET", "/metrics", {},
                               {{"traceparent", Traceparent(kKeptTraces[0])}});
    const std::string name = "vitrina_telemetry_items_total{outcome=\"sampled_out\"} ";
    const auto at = metrics.body.find(name);
    EXPECT_NE(at, std::string::npos) << metrics.body;
    return at == std::string::npos ? -1.0 : std::stod(metrics.body.substr(at + name.size()));
  };
  const double before = sampled_out();
  EXPECT_GT(before, 0.0);
  ASSERT_EQ(Fetch(servers[0]->port(), "GET", "/healthz", {},
                  {{"traceparent", Traceparent(kDroppedTrace)}})
                .status,
            200u);
  EXPECT_EQ(sampled_out(), before + 1);

  // On the wire every batch was gzip: the capture counts each POST's Content-Encoding and size.
  const auto stats = json::parse(Fetch(capture_port_, "GET", "/stats").body).as_object();
  for (const auto& instance : instances) {
    const auto& counts = stats.at("by_role_instance").at(instance).as_object();
    EXPECT_GT(counts.at("posts").to_number<int>(), 0) << instance;
    EXPECT_EQ(counts.at("gzip_posts"), counts.at("posts")) << instance;
    EXPECT_LT(counts.at("wire_bytes").to_number<double>(),
              counts.at("json_bytes").to_number<double>())
        << instance;
  }
}

// Sign-up and login call Firebase (HTTP) and write/read the users table (PostgreSQL) from the
// blocking pool: those calls are dependencies of their request too, and carry its traceparent on.
TEST_F(TelemetryApi, FirebaseCallsAndUsersStatementsAreDependenciesOfTheirRequest) {
  const auto emulator = testing::ServiceEnv("FIREBASE_AUTH_EMULATOR_HOST");
  const auto project = testing::ServiceEnv("FIREBASE_PROJECT_ID");
  VITRINA_REQUIRE(emulator && project, "the Firebase Auth emulator is not configured");
  auto env = Env(CaptureUrl());
  env["FIREBASE_AUTH_EMULATOR_HOST"] = *emulator;
  env["FIREBASE_PROJECT_ID"] = *project;
  ServerProcess server(env, FreePort());
  const std::string email = "telemetry-" + std::to_string(getpid()) + "-" +
                            instance_.substr(instance_.size() - 6) + "@vitrina.test";
  const std::string credentials =
      json::serialize(json::object{{"email", email}, {"password", "telemetry-pass-1"}});
  const HeaderList json_type = {{"Content-Type", "application/json"}};
  const auto signup = Fetch(server.port(), "POST", "/signup", credentials, json_type);
  ASSERT_EQ(signup.status, 201u) << signup.body;
  const auto login = Fetch(server.port(), "POST", "/login", credentials, json_type);
  ASSERT_EQ(login.status, 200u) << login.body;
  const std::string login_trace = login.Header("traceresponse").substr(3, 32);

  const auto envelopes = WaitForEnvelopes([](const std::vector<json::object>& all) {
    return RequestsNamed(all, "POST /login").size() == 1 &&
           OfType(all, "RemoteDependencyData").size() >= 4;
  });
  const auto logins = RequestsNamed(envelopes, "POST /login");
  ASSERT_EQ(logins.size(), 1u);
  const std::string login_span = Text(BaseData(logins[0]), "id");
  std::vector<std::string> login_calls;
  for (const auto& dependency : OfType(envelopes, "RemoteDependencyData")) {
    if (Tag(dependency, "ai.operation.id") != login_trace) continue;
    EXPECT_EQ(Tag(dependency, "ai.operation.parentId"), login_span);
    const auto& data = BaseData(dependency);
    login_calls.push_back(Text(data, "type") + " " + Text(data, "name"));
    if (Text(data, "type") == "HTTP") {
      EXPECT_EQ(Text(data, "target"), *emulator);
      EXPECT_EQ(Text(data, "resultCode"), "200");
      EXPECT_EQ(data.at("success"), true);
      EXPECT_EQ(Text(data, "data").find('?'), std::string::npos) << "the API key must stay out";
    }
  }
  std::sort(login_calls.begin(), login_calls.end());
  EXPECT_EQ(login_calls,
            (std::vector<std::string>{
                "HTTP POST /identitytoolkit.googleapis.com/v1/accounts:signInWithPassword",
                "postgresql find_user_by_uid"}));

  bool signup_http = false;
  bool signup_insert = false;
  const std::string signup_trace = signup.Header("traceresponse").substr(3, 32);
  for (const auto& dependency : OfType(envelopes, "RemoteDependencyData")) {
    if (Tag(dependency, "ai.operation.id") != signup_trace) continue;
    const auto& data = BaseData(dependency);
    signup_http = signup_http || (Text(data, "type") == "HTTP" &&
                                  Text(data, "name").ends_with("/v1/accounts:signUp"));
    signup_insert = signup_insert || Text(data, "type") == "postgresql";
  }
  EXPECT_TRUE(signup_http);
  EXPECT_TRUE(signup_insert);
}

// Median of `count` sequential request latencies, in milliseconds.
double MedianLatencyMs(std::uint16_t port, const std::string& target, int count) {
  std::vector<double> took;
  HttpClient client(port);
  for (int i = 0; i < count; ++i) {
    const auto started = Clock::now();
    const auto reply = client.Send("GET", target);
    took.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
    EXPECT_EQ(reply.status, 200u);
  }
  std::sort(took.begin(), took.end());
  return took[took.size() / 2];
}

TEST_F(TelemetryApi, AFailingOrMissingIngestionEndpointDoesNotSlowRequests) {
  ServerProcess server(Env(CaptureUrl()), FreePort());
  const double healthy = MedianLatencyMs(server.port(), "/healthz", 50);
  // Every POST to /v2.1/track now fails with 500: batches are retried, then dropped.
  const auto failing =
      Fetch(capture_port_, "POST", "/control", R"({"fail_next":100000,"status":500})");
  ASSERT_EQ(failing.status, 200u) << failing.body;
  const double while_failing = MedianLatencyMs(server.port(), "/healthz", 200);
  (void)Fetch(capture_port_, "POST", "/control", R"({"fail_next":0})");

  // A connection string whose endpoint nothing listens on.
  ServerProcess orphan(Env("http://127.0.0.1:" + std::to_string(FreePort())), FreePort());
  const double endpoint_down = MedianLatencyMs(orphan.port(), "/healthz", 200);

  std::printf(
      "median /healthz latency: healthy %.3f ms, ingestion failing %.3f ms, "
      "ingestion down %.3f ms\n",
      healthy, while_failing, endpoint_down);
  // Generous bounds (ASan, a shared machine): a request waiting on the exporter would take
  // the ingestion round trip or the connect timeout, orders of magnitude more.
  EXPECT_LT(while_failing, healthy * 5 + 5.0);
  EXPECT_LT(endpoint_down, healthy * 5 + 5.0);
  const auto metrics = Fetch(orphan.port(), "GET", "/metrics");
  EXPECT_NE(metrics.body.find("vitrina_telemetry_items_total{outcome=\"sent\"} 0"),
            std::string::npos)
      << metrics.body;
}

}  // namespace
}  // namespace vitrina::itest
