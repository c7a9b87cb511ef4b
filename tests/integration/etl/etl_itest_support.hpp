#pragma once

// Shared by the etl_*_itest.cpp suites: a dedicated database and blob container per suite (so
// they never collide with other integration tests), and running the built `vitrina` binary.

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "support/test_env.hpp"
#include "vitrina/db/connection.hpp"

namespace vitrina::etl_itest {

inline std::optional<std::string> Env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// Stops the test unless the test runner exported both services (a failure under make test).
#define VITRINA_REQUIRE_ETL_SERVICES()                                  \
  VITRINA_REQUIRE(                                                      \
      ::vitrina::etl_itest::Env("DATABASE_URL") &&                      \
          ::vitrina::etl_itest::Env("AZURE_STORAGE_CONNECTION_STRING"), \
      "DATABASE_URL and AZURE_STORAGE_CONNECTION_STRING must be set (PostgreSQL and Azurite)")

// postgresql://user@host:port/db?x=y with the database replaced.
inline std::string WithDatabase(const std::string& url, const std::string& database) {
  const auto authority = url.find("://") + 3;
  const auto slash = url.find('/', authority);
  const auto query = url.find('?', authority);
  const std::string base = url.substr(0, slash == std::string::npos ? query : slash);
  const std::string rest = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + database + rest;
}

inline std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

inline CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.output.append(buffer.data(), got);
  }
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// A database and a container of its own, migrated, plus helpers to run `vitrina`.
class EtlSandbox {
 public:
  explicit EtlSandbox(const std::string& name)
      : admin_url_(*Env("DATABASE_URL")),
        database_("vitrina_" + name + "_" + std::to_string(::getpid())),
        url_(WithDatabase(admin_url_, database_)),
        azure_(*Env("AZURE_STORAGE_CONNECTION_STRING")),
        container_(MakeContainerName(name)),
        scratch_(std::filesystem::temp_directory_path() /
                 ("vitrina-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(scratch_);
    auto admin = db::Connection::Open(admin_url_);
    if (!admin) throw std::runtime_error("admin connection: " + admin.error().message);
    (void)admin->ExecuteScript("SET client_min_messages = warning");
    (void)admin->ExecuteScript("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
    if (auto status = admin->ExecuteScript("CREATE DATABASE " + database_); !status) {
      throw std::runtime_error("create database: " + status.error().detail);
    }
    const auto migrated = Vitrina("migrate --spec " + Source("datasets/diamonds.yaml"));
    if (migrated.exit_code != 0) throw std::runtime_error("migrate: " + migrated.output);
  }

  ~EtlSandbox() {
    std::error_code ignored;
    std::filesystem::remove_all(scratch_, ignored);
    if (auto admin = db::Connection::Open(admin_url_)) {
      (void)admin->ExecuteScript("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
    }
  }

  static std::string Source(const std::string& relative) {
    return std::string(VITRINA_SOURCE_DIR) + "/" + relative;
  }

  // Runs the binary with this sandbox's services; `env` adds or overrides variables.
  CommandResult Vitrina(const std::string& arguments, const std::string& env = "") const {
    const std::string command = "env DATABASE_URL=" + ShellQuote(url_) +
                                " AZURE_STORAGE_CONNECTION_STRING=" + ShellQuote(azure_) +
                                " MIGRATIONS_DIR=" + ShellQuote(Source("migrations")) + " " + env +
                                " " + VITRINA_BINARY + " " + arguments;
    return RunCommand(command);
  }

  db::Connection Connect() const {
    auto connection = db::Connection::Open(url_);
    if (!connection) throw std::runtime_error("connect: " + connection.error().message);
    return std::move(*connection);
  }

  std::string Query(const std::string& sql) const {
    auto connection = Connect();
    auto result = connection.Execute(sql);
    if (!result) return "ERROR: " + result.error().detail;
    return result->Scalar().value_or("NULL");
  }

  // Count and an order-sensitive checksum of every row: equal before and after means untouched.
  std::string TableFingerprint(const std::string& table) const {
    return Query(
        "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY id)), '')"
        " FROM \"" +
        table + "\" t");
  }

  // A copy of a spec with another table name, so suites never share a table.
  std::string SpecWithTable(const std::string& spec_relative, const std::string& table) const {
    std::ifstream in(Source(spec_relative));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = text.find("\ntable: ");
    const auto end = text.find('\n', at + 1);
    text.replace(at + 1, end - at - 1, "table: " + table);
    const auto path = scratch_ / (table + ".yaml");
    std::ofstream(path) << text;
    return path.string();
  }

  std::string WriteFile(const std::string& name, const std::string& contents) const {
    const auto path = scratch_ / name;
    std::ofstream(path, std::ios::binary) << contents;
    return path.string();
  }

  std::string Blob(const std::string& name) const { return "az://" + container_ + "/" + name; }
  const std::string& url() const { return url_; }
  const std::string& azure() const { return azure_; }
  const std::filesystem::path& scratch() const { return scratch_; }

 private:
  static std::string MakeContainerName(std::string name) {
    for (auto& c : name) {
      if (c == '_') c = '-';
    }
    return "itest-" + name + "-" + std::to_string(::getpid());
  }

  std::string admin_url_;
  std::string database_;
  std::string url_;
  std::string azure_;
  std::string container_;
  std::filesystem::path scratch_;
};

// diamonds.csv, decompressed once into the sandbox.
inline std::string DiamondsCsv(const EtlSandbox& sandbox) {
  const auto path = sandbox.scratch() / "diamonds.csv";
  if (!std::filesystem::exists(path)) {
    RunCommand("gzip -dc " + EtlSandbox::Source("datasets/diamonds.csv.gz") + " > " +
               path.string());
  }
  return path.string();
}

}  // namespace vitrina::etl_itest
