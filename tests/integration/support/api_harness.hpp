#pragma once

// Shared helpers of the API integration tests: a tiny blocking HTTP client, a dedicated database
// per suite, and the built `vitrina serve` binary as a subprocess on a free port. Implemented in
// api_harness_itest.cpp (named *_itest.cpp so the tests' glob compiles it, once: it is the
// suite's only Beast translation unit).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

namespace vitrina::itest {

struct HttpReply {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  std::string Header(const std::string& lower_name) const;
  boost::json::value Json() const;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// One keep-alive HTTP/1.1 connection to 127.0.0.1:port; reconnects (and counts it) when the
// server closed it.
class HttpClient {
 public:
  // `source_address` (e.g. "127.0.0.7"): the local address to connect from, so one test can be
  // several clients to the server (any 127.x.y.z works on Linux); empty lets the kernel choose.
  explicit HttpClient(std::uint16_t port, std::string source_address = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpReply Send(const std::string& method, const std::string& target, const std::string& body = {},
                 const HeaderList& headers = {});
  // Writes raw bytes and reads one response (for malformed requests).
  HttpReply SendRaw(const std::string& bytes);

  int connections_opened() const { return connections_opened_; }

 private:
  struct State;
  void Connect();

  State* state_;
  std::uint16_t port_;
  std::string source_address_;
  int connections_opened_ = 0;
};

// A fresh connection per call.
HttpReply Fetch(std::uint16_t port, const std::string& method, const std::string& target,
                const std::string& body = {}, const HeaderList& headers = {});

// True when something accepts TCP connections on the port.
bool IsListening(std::uint16_t port);

// DATABASE_URL from the environment (the test runner exports it), or nullopt.
std::optional<std::string> AdminDatabaseUrl();
// The same server and credentials, another database name.
std::string WithDatabase(const std::string& url, const std::string& database);
// Drops and creates `database` through the admin connection.
void RecreateDatabase(const std::string& admin_url, const std::string& database);
// Runs SQL through a blocking connection; throws on failure.
void ExecuteSql(const std::string& url, const std::string& sql);
// COPY rows (text format, tab-separated) into `table (columns)`.
void CopyRows(const std::string& url, const std::string& table, const std::string& columns,
              const std::string& rows);
// `vitrina migrate` for a spec against a database; throws on failure.
void Migrate(const std::string& url, const std::string& spec_path);

std::string SourcePath(const std::string& relative);  // under VITRINA_SOURCE_DIR
std::uint16_t FreePort();

// Runs `vitrina ARGS...` to completion with `env` added to the test's environment: the exit code
// (-1 when it did not finish within `timeout_ms`; it is then killed) and stdout + stderr.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult RunVitrina(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env, int timeout_ms = 30'000);

// `vitrina serve` as a child process. The destructor stops it if the test did not.
class ServerProcess {
 public:
  // `open_files_limit` > 0 starts it as under `ulimit -n` (soft and hard limit on descriptors).
  ServerProcess(const std::map<std::string, std::string>& env, std::uint16_t port,
                int open_files_limit = 0);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  void Signal(int signal) const;
  // Waits for exit (up to `timeout_ms`) and returns the exit code, or -1 if it did not exit.
  int WaitForExit(int timeout_ms);
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  std::uint16_t port_;
  std::string log_path_;
};

// The environment every test server gets; callers add or override entries.
std::map<std::string, std::string> ServerEnv(const std::string& database_url,
                                             const std::string& spec_path);

// A deterministic diamonds-shaped dataset: tests compute expected answers from the same rows.
struct TestDiamond {
  std::int64_t id = 0;
  double carat = 0;
  std::string cut, color, clarity;
  double depth = 0, table = 0;
  std::int64_t price = 0;
  double x = 0, y = 0, z = 0;
};
std::vector<TestDiamond> MakeDiamonds(int count);
// Recreates `database`, migrates it with datasets/diamonds.yaml and loads the rows; returns its
// URL.
std::string LoadDiamondsDatabase(const std::string& database, const std::vector<TestDiamond>& rows);

}  // namespace vitrina::itest
