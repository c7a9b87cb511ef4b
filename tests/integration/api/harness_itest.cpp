// Not tests: the helpers of api_*_itest.cpp (see api_harness.hpp).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "support/api_harness.hpp"
#include "vitrina/db/connection.hpp"

extern char** environ;

namespace vitrina::itest {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

std::string HttpReply::Header(const std::string& lower_name) const {
  const auto found = headers.find(lower_name);
  return found == headers.end() ? std::string() : found->second;
}

boost::json::value HttpReply::Json() const { return boost::json::parse(body); }

struct HttpClient::State {
  asio::io_context context;
  beast::tcp_stream stream{context};
  beast::flat_buffer buffer;
  bool open = false;
};

HttpClient::HttpClient(std::uint16_t port, std::string source_address)
    : state_(new State), port_(port), source_address_(std::move(source_address)) {}

void HttpClient::Connect() {
  if (!source_address_.empty()) {
    auto& socket = state_->stream.socket();
    socket.open(tcp::v4());
    socket.bind(tcp::endpoint(asio::ip::make_address(source_address_), 0));
  }
  state_->stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  state_->buffer.clear();
  state_->open = true;
  ++connections_opened_;
}
HttpClient::~HttpClient() { delete state_; }

namespace {

// `head`: the answer to a HEAD request, whose Content-Length announces a body that never comes.
template <typename Stream>
HttpReply ReadOne(Stream& stream, beast::flat_buffer& buffer, bool head = false) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);
  parser.skip(head);
  bhttp::read(stream, buffer, parser);
  auto message = parser.release();
  HttpReply reply;
  reply.status = message.result_int();
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // Repeated field lines are one list, comma-joined (RFC 9110, 5.3): e.g. Vary from CORS and
    // from compression.
    auto& value = reply.headers[name];
    value += (value.empty() ? "" : ", ") + std::string(field.value());
  }
  reply.body = std::move(message.body());
  if (!message.keep_alive()) reply.headers["x-test-closed"] = "1";
  return reply;
}

}  // namespace

HttpReply HttpClient::Send(const std::string& method, const std::string& target,
                           const std::string& body, const HeaderList& headers) {
  // A kept-alive connection the server closed while idle fails on first use; the request is sent
  // again on a new one only when that is safe (RFC 9110 9.2.2: idempotent methods, as browsers
  // do). A failed POST or PATCH is the test's failure to see, never silently sent twice.
  const bool idempotent = method == "GET" || method == "HEAD" || method == "PUT" ||
                          method == "DELETE" || method == "OPTIONS";
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = state_->open;
    if (!state_->open) Connect();
    bhttp::request<bhttp::string_body> request{bhttp::string_to_verb(method), target, 11};
    if (request.method() == bhttp::verb::unknown) request.method_string(method);
    request.set(bhttp::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    if (!body.empty() || method == "POST" || method == "PUT") request.prepare_payload();
    request.keep_alive(true);
    try {
      state_->stream.expires_after(std::chrono::seconds(30));
      bhttp::write(state_->stream, request);
      auto reply = ReadOne(state_->stream, state_->buffer, method == "HEAD");
      if (!reply.Header("x-test-closed").empty()) {
        beast::error_code ignored;
        state_->stream.socket().close(ignored);
        state_->open = false;
      }
      return reply;
    } catch (const boost::system::system_error&) {
      beast::error_code ignored;
      state_->stream.socket().close(ignored);
      state_->open = false;
      if (attempt == 1 || !reused || !idempotent) throw;
    }
  }
  throw std::logic_error("unreachable");
}

HttpReply HttpClient::SendRaw(const std::string& bytes) {
  if (!state_->open) Connect();
  state_->stream.expires_after(std::chrono::seconds(30));
  asio::write(state_->stream, asio::buffer(bytes));
  auto reply = ReadOne(state_->stream, state_->buffer);
  beast::error_code ignored;
  state_->stream.socket().close(ignored);
  state_->open = false;
  return reply;
}

HttpReply Fetch(std::uint16_t port, const std::string& method, const std::string& target,
                const std::string& body, const HeaderList& headers) {
  HttpClient client(port);
  return client.Send(method, target, body, headers);
}

bool IsListening(std::uint16_t port) {
  asio::io_context context;
  tcp::socket socket(context);
  boost::system::error_code ec;
  const tcp::endpoint target(asio::ip::make_address("127.0.0.1"), port);
  socket.connect(target, ec);
  if (ec) return false;
  // The test ports lie in the kernel's ephemeral range: with nobody listening, the kernel may
  // pick `port` itself as this socket's source port and connect it to itself (TCP simultaneous
  // open). That is not a server.
  const auto local = socket.local_endpoint(ec);
  return !ec && local != target;
}

std::optional<std::string> AdminDatabaseUrl() {
  const char* url = std::getenv("DATABASE_URL");
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

std::string WithDatabase(const std::string& url, const std::string& database) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  const auto query = url.find('?', slash == std::string::npos ? 0 : slash);
  const std::string base = slash == std::string::npos ? url.substr(0, query) : url.substr(0, slash);
  const std::string rest = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + database + rest;
}

void ExecuteSql(const std::string& url, const std::string& sql) {
  auto connection = db::Connection::Open(url);
  if (!connection) throw std::runtime_error(connection.error().message);
  auto status = connection->ExecuteScript(sql);
  if (!status) throw std::runtime_error(status.error().detail);
}

void RecreateDatabase(const std::string& admin_url, const std::string& database) {
  ExecuteSql(admin_url, "DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
  ExecuteSql(admin_url, "CREATE DATABASE \"" + database + "\"");
}

void CopyRows(const std::string& url, const std::string& table, const std::string& columns,
              const std::string& rows) {
  auto connection = db::Connection::Open(url);
  if (!connection) throw std::runtime_error(connection.error().message);
  auto begun = connection->CopyBegin("COPY \"" + table + "\" (" + columns + ") FROM STDIN");
  if (!begun) throw std::runtime_error(begun.error().detail);
  auto put = connection->CopyPut(rows);
  if (!put) throw std::runtime_error(put.error().detail);
  auto done = connection->CopyEnd();
  if (!done) throw std::runtime_error(done.error().detail);
}

std::string SourcePath(const std::string& relative) {
  return std::string(VITRINA_SOURCE_DIR) + "/" + relative;
}

namespace {

pid_t Spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            const std::string& log_path, int open_files_limit = 0) {
  std::map<std::string, std::string> merged;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const auto eq = text.find('=');
    if (eq != std::string::npos) merged[text.substr(0, eq)] = text.substr(eq + 1);
  }
  for (const auto& [name, value] : env) merged[name] = value;
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : merged) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& text : env_strings) envp.push_back(text.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings = args;
  std::vector<char*> argv;
  for (auto& text : argv_strings) argv.push_back(text.data());
  argv.push_back(nullptr);

  const pid_t pid = fork();
  if (pid == 0) {
    // A crashed test run must not leave servers behind.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    if (open_files_limit > 0) {  // soft and hard, as `ulimit -n` sets them
      const rlimit limit{static_cast<rlim_t>(open_files_limit),
                         static_cast<rlim_t>(open_files_limit)};
      setrlimit(RLIMIT_NOFILE, &limit);
    }
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

int WaitPid(pid_t pid, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

}  // namespace

void Migrate(const std::string& url, const std::string& spec_path) {
  const std::string log = "/tmp/vitrina-api-itest-migrate-" + std::to_string(getpid()) + ".log";
  const pid_t pid = Spawn({VITRINA_BINARY, "migrate"},
                          {{"DATABASE_URL", url},
                           {"DATASET_SPEC", spec_path},
                           {"MIGRATIONS_DIR", SourcePath("migrations")}},
                          log);
  if (WaitPid(pid, 30'000) != 0) {
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    throw std::runtime_error("vitrina migrate failed: " + text.str());
  }
}

CommandResult RunVitrina(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env, int timeout_ms) {
  static int counter = 0;
  const std::string log = "/tmp/vitrina-api-itest-run-" + std::to_string(getpid()) + "-" +
                          std::to_string(++counter) + ".log";
  std::vector<std::string> argv{VITRINA_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = Spawn(argv, env, log);
  CommandResult result;
  result.exit_code = WaitPid(pid, timeout_ms);
  if (result.exit_code < 0) {
    kill(pid, SIGKILL);
    WaitPid(pid, 5'000);
  }
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  result.output = text.str();
  std::remove(log.c_str());
  return result;
}

std::uint16_t FreePort() {
  // The tests' share of the API range (27710-27799): 27730 and up, starting at a pid-dependent
  // offset so parallel runs rarely probe the same port first. Below 32768, where Linux never
  // hands a port to an outgoing connection between this probe and the server's bind.
  static int next = static_cast<int>(getpid() % 60);
  for (int attempt = 0; attempt < 70; ++attempt) {
    const auto port = static_cast<std::uint16_t>(27730 + (next++ % 70));
    asio::io_context context;
    tcp::acceptor acceptor(context);
    boost::system::error_code ec;
    acceptor.open(tcp::v4(), ec);
    acceptor.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    if (!ec) return port;
  }
  throw std::runtime_error("no free port in 27730-27799");
}

std::map<std::string, std::string> ServerEnv(const std::string& database_url,
                                             const std::string& spec_path) {
  return {{"DATABASE_URL", database_url},
          {"DATASET_SPEC", spec_path},
          {"HOST", "127.0.0.1"},
          {"THREADS", "2"},
          {"DB_POOL_SIZE", "4"},
          {"REQUEST_TIMEOUT_MS", "5000"},
          {"DOCS_DIR", std::getenv("DOCS_DIR") != nullptr
                           ? std::getenv("DOCS_DIR")
                           : SourcePath("tools/node/node_modules/swagger-ui-dist")},
          {"CONSOLE_DIR", SourcePath("src/console")},
          {"LOG_LEVEL", "info"},
          // Empty means unset: without these the server keeps the development token even when
          // the test runner exports the Firebase emulator's coordinates.
          {"FIREBASE_AUTH_EMULATOR_HOST", ""},
          {"FIREBASE_PROJECT_ID", ""},
          // Telemetry only where a test asks for it (api_telemetry_itest), so the shared capture
          // holds what that test sent.
          {"APPLICATIONINSIGHTS_CONNECTION_STRING", ""},
          // Every test reads as 127.0.0.1 against one shared Redis: the per-client miss budget
          // would count the whole suite as one client. Tests of the budget set it themselves.
          {"CACHE_CLIENT_MISSES_PER_MINUTE", "0"}};
}

ServerProcess::ServerProcess(const std::map<std::string, std::string>& env, std::uint16_t port,
                             int open_files_limit)
    : port_(port) {
  // A port found free can be taken before the server binds it (by another process, or by a
  // client socket the kernel gave it as source port): then the server starts again on another.
  for (int attempt = 1;; ++attempt) {
    log_path_ =
        "/tmp/vitrina-api-itest-" + std::to_string(getpid()) + "-" + std::to_string(port_) + ".log";
    auto full_env = env;
    full_env["PORT"] = std::to_string(port_);
    pid_ = Spawn({VITRINA_BINARY, "serve"}, full_env, log_path_, open_files_limit);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    bool exited = false;
    int status = 0;
    while (!exited && std::chrono::steady_clock::now() < deadline) {
      if (IsListening(port_)) return;
      exited = waitpid(pid_, &status, WNOHANG) == pid_;
      if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!exited) throw std::runtime_error("vitrina serve did not listen in time: " + Log());
    pid_ = -1;
    const auto log = Log();
    if (attempt < 3 && log.find("Address already in use") != std::string::npos) {
      port_ = FreePort();
      continue;
    }
    // How it ended too: a start-up that logged nothing (run 1 of the 5x run) says only that.
    const std::string how = WIFSIGNALED(status)
                                ? "killed by signal " + std::to_string(WTERMSIG(status))
                                : "exit code " + std::to_string(WEXITSTATUS(status));
    throw std::runtime_error("vitrina serve exited at start-up (" + how + ", port " +
                             std::to_string(port_) + "): " + log);
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  if (WaitPid(pid_, 10'000) < 0) {
    kill(pid_, SIGKILL);
    WaitPid(pid_, 5'000);
  }
}

void ServerProcess::Signal(int signal) const { kill(pid_, signal); }

int ServerProcess::WaitForExit(int timeout_ms) {
  const int code = WaitPid(pid_, timeout_ms);
  if (code >= 0) pid_ = -1;
  return code;
}

std::string ServerProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<TestDiamond> MakeDiamonds(int count) {
  static const char* const cuts[] = {"Fair", "Good", "Very Good", "Premium", "Ideal"};
  static const char* const colors[] = {"D", "E", "F", "G", "H", "I", "J"};
  static const char* const clarities[] = {"I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF"};
  std::vector<TestDiamond> rows;
  for (int i = 0; i < count; ++i) {
    TestDiamond row;
    row.id = i + 1;
    row.carat = 0.2 + 0.01 * (i % 150);
    row.cut = cuts[i % 5];
    row.color = colors[i % 7];
    row.clarity = clarities[i % 8];
    row.depth = 55 + (i % 10);
    row.table = 50 + (i % 12);
    row.price = 300 + 10 * i;
    row.x = 3.5 + 0.01 * (i % 50);
    row.y = row.x + 0.02;
    row.z = 2.1 + 0.01 * (i % 30);
    rows.push_back(row);
  }
  return rows;
}

std::string LoadDiamondsDatabase(const std::string& database,
                                 const std::vector<TestDiamond>& rows) {
  const auto admin = AdminDatabaseUrl().value();
  RecreateDatabase(admin, database);
  const auto url = WithDatabase(admin, database);
  Migrate(url, SourcePath("datasets/diamonds.yaml"));
  std::ostringstream copy;
  for (const auto& row : rows) {
    copy << row.id << '\t' << row.carat << '\t' << row.cut << '\t' << row.color << '\t'
         << row.clarity << '\t' << row.depth << '\t' << row.table << '\t' << row.price << '\t'
         << row.x << '\t' << row.y << '\t' << row.z << '\n';
  }
  CopyRows(url, "diamonds", "id, carat, cut, color, clarity, depth, \"table\", price, x, y, z",
           copy.str());
  // Rows were loaded with explicit ids: move the identity past them for POST.
  ExecuteSql(url,
             "SELECT setval(pg_get_serial_sequence('diamonds', 'id'), "
             "(SELECT max(id) FROM diamonds))");
  return url;
}

}  // namespace vitrina::itest
