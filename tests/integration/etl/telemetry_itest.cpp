// `vitrina etl run` with APPLICATIONINSIGHTS_CONNECTION_STRING pointing at the capture server
// (tools/appinsights-capture.py): the run is a Request of role vitrina-etl, its Blob download and
// PostgreSQL phases are dependencies of it, a failure adds an Exception, and TRACEPARENT joins
// the caller's trace.
#include <sstream>

#include <boost/json.hpp>

#include "etl/etl_itest_support.hpp"
#include "support/api_harness.hpp"
#include "support/test_env.hpp"

namespace vitrina::etl_itest {
namespace {

namespace json = boost::json;

constexpr const char* kTraceId = "0af7651916cd43dd8448eb211c80319c";

std::string Text(const json::object& object, const char* name) {
  const auto* value = object.if_contains(name);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}
std::string Tag(const json::object& envelope, const char* name) {
  return Text(envelope.at("tags").as_object(), name);
}
const json::object& BaseData(const json::object& envelope) {
  return envelope.at("data").at("baseData").as_object();
}
std::string BaseType(const json::object& envelope) {
  return Text(envelope.at("data").as_object(), "baseType");
}

class EtlTelemetry : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (Env("DATABASE_URL") && Env("AZURE_STORAGE_CONNECTION_STRING") &&
        Env("APPINSIGHTS_CAPTURE_URL")) {
      sandbox_ = std::make_unique<EtlSandbox>("etl_telemetry");
      spec_ = sandbox_->SpecWithTable("datasets/diamonds.yaml", "diamonds_traced");
      const auto uploaded = sandbox_->Vitrina("etl upload " + DiamondsCsv(*sandbox_) + " " +
                                              sandbox_->Blob("diamonds.csv"));
      ASSERT_EQ(uploaded.exit_code, 0) << uploaded.output;
    }
  }
  static void TearDownTestSuite() { sandbox_.reset(); }
  void SetUp() override {
    VITRINA_REQUIRE_ETL_SERVICES();
    VITRINA_REQUIRE(Env("APPINSIGHTS_CAPTURE_URL"), "APPINSIGHTS_CAPTURE_URL is not set");
    const auto capture = *Env("APPINSIGHTS_CAPTURE_URL");
    capture_port_ = static_cast<std::uint16_t>(std::stoi(capture.substr(capture.rfind(':') + 1)));
    instance_ = "etl-itest-" + std::to_string(getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }

  CommandResult Run(const std::string& blob, const std::string& endpoint = {},
                    const std::string& extra_env = {}) const {
    const std::string env =
        "APPLICATIONINSIGHTS_CONNECTION_STRING=" +
        ShellQuote("InstrumentationKey=00000000-0000-0000-0000-00000000e71e;IngestionEndpoint=" +
                   (endpoint.empty() ? *Env("APPINSIGHTS_CAPTURE_URL") : endpoint)) +
        " TELEMETRY_CLOUD_ROLE_INSTANCE=" + instance_ +
        " TELEMETRY_FLUSH_INTERVAL_MS=100 TRACEPARENT=00-" + kTraceId + "-b7ad6b7169203331-01 " +
        extra_env;
    return sandbox_->Vitrina("etl run --spec " + spec_ + " " + sandbox_->Blob(blob), env);
  }

  // This run's envelopes: the command flushed them before it exited.
  std::vector<json::object> Envelopes() const {
    const auto reply = itest::Fetch(capture_port_, "GET", "/envelopes");
    std::vector<json::object> mine;
    std::istringstream lines(reply.body);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty()) continue;
      auto parsed = json::parse(line);
      if (parsed.is_object() && Tag(parsed.as_object(), "ai.cloud.roleInstance") == instance_) {
        mine.push_back(std::move(parsed.as_object()));
      }
    }
    return mine;
  }

  static std::vector<json::object> OfType(const std::vector<json::object>& all,
                                          const std::string& type) {
    std::vector<json::object> found;
    for (const auto& envelope : all) {
      if (BaseType(envelope) == type) found.push_back(envelope);
    }
    return found;
  }

  static inline std::unique_ptr<EtlSandbox> sandbox_;
  static inline std::string spec_;
  std::uint16_t capture_port_ = 0;
  std::string instance_;
};

TEST_F(EtlTelemetry, ARunIsARequestWithItsDownloadAndLoadPhasesAsDependencies) {
  const auto run = Run("diamonds.csv");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto envelopes = Envelopes();

  const auto requests = OfType(envelopes, "RequestData");
  ASSERT_EQ(requests.size(), 1u);
  const auto& request = BaseData(requests[0]);
  EXPECT_EQ(Text(request, "name"), "ETL run");
  EXPECT_EQ(request.at("success"), true);
  EXPECT_EQ(Text(request, "responseCode"), "200");
  EXPECT_EQ(Text(request, "url"), sandbox_->Blob("diamonds.csv"));
  const auto& properties = request.at("properties").as_object();
  EXPECT_EQ(Text(properties, "rows_read"), "53940");
  EXPECT_EQ(Text(properties, "rows_loaded"), "53920");
  EXPECT_EQ(Text(properties, "rows_rejected"), "20");
  EXPECT_EQ(Tag(requests[0], "ai.cloud.role"), "vitrina-etl");
  EXPECT_EQ(Tag(requests[0], "ai.operation.id"), kTraceId);  // joined the caller's trace

  std::vector<std::string> postgresql;
  int downloads = 0;
  for (const auto& dependency : OfType(envelopes, "RemoteDependencyData")) {
    EXPECT_EQ(Tag(dependency, "ai.operation.id"), kTraceId);
    const auto& data = BaseData(dependency);
    if (Text(data, "type") == "postgresql") {
      postgresql.push_back(Text(data, "name"));
      EXPECT_EQ(data.at("success"), true);
    } else if (Text(data, "type") == "HTTP") {
      ++downloads;
      const auto name = Text(data, "name");
      EXPECT_TRUE(name.starts_with("GET /") && name.ends_with("/diamonds.csv")) << name;
      EXPECT_EQ(Text(data, "resultCode"), "200");
      EXPECT_EQ(Text(data, "data").find('?'), std::string::npos);  // no query (SAS) in telemetry
    }
  }
  EXPECT_EQ(downloads, 1);
  EXPECT_EQ(postgresql, (std::vector<std::string>{"etl_copy", "etl_build_indexes", "etl_swap"}));
  EXPECT_TRUE(OfType(envelopes, "ExceptionData").empty());
  EXPECT_NE(run.output.find("telemetry: "), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("not delivered"), std::string::npos) << run.output;
}

TEST_F(EtlTelemetry, AnUnreachableEndpointLoadsTheCatalogAndSaysWhatWasNotDelivered) {
  const auto nobody = "http://127.0.0.1:" + std::to_string(itest::FreePort());
  const auto run = Run("diamonds.csv", nobody, "TELEMETRY_SHUTDOWN_DEADLINE_MS=300");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("succeeded"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("not delivered to Application Insights"), std::string::npos)
      << run.output;
}

TEST_F(EtlTelemetry, AFailedRunIsAFailedRequestWithAnException) {
  const auto run = Run("no-such-file.csv");
  ASSERT_NE(run.exit_code, 0) << run.output;
  const auto envelopes = Envelopes();
  const auto requests = OfType(envelopes, "RequestData");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(BaseData(requests[0]).at("success"), false);
  EXPECT_EQ(Text(BaseData(requests[0]), "responseCode"), "500");
  const auto exceptions = OfType(envelopes, "ExceptionData");
  ASSERT_EQ(exceptions.size(), 1u);
  EXPECT_EQ(Tag(exceptions[0], "ai.operation.id"), kTraceId);
  bool not_found = false;
  for (const auto& dependency : OfType(envelopes, "RemoteDependencyData")) {
    const auto& data = BaseData(dependency);
    if (Text(data, "type") == "HTTP" && Text(data, "resultCode") == "404") not_found = true;
  }
  EXPECT_TRUE(not_found) << "the failed download is a dependency with its status";
}

}  // namespace
}  // namespace vitrina::etl_itest
