#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vitrina::base {

// Reads typed settings from environment-like lookups and collects every problem, so a start-up
// with three bad variables reports all three at once, each naming the variable and what is wrong.
class EnvReader {
 public:
  using Lookup = std::function<std::optional<std::string>(std::string_view)>;

  explicit EnvReader(Lookup lookup) : lookup_(std::move(lookup)) {}

  // Reads the process environment.
  static EnvReader FromProcess();

  std::string String(std::string_view name, std::string_view fallback);
  std::optional<std::string> OptionalString(std::string_view name);
  std::int64_t Integer(std::string_view name, std::int64_t fallback, std::int64_t min,
                       std::int64_t max);
  bool Boolean(std::string_view name, bool fallback);
  // One of `choices`; the message lists them.
  std::string Choice(std::string_view name, std::string_view fallback,
                     const std::vector<std::string>& choices);
  // A value that must start with one of the given URL schemes (e.g. "postgresql://").
  std::string Url(std::string_view name, std::string_view fallback,
                  const std::vector<std::string>& schemes);

  // Whether a file can be read. Base does no file I/O: the composition root supplies the check
  // (cli::ProcessEnv opens the file).
  using FileCheck = std::function<bool(const std::string& path)>;
  void set_file_check(FileCheck check) { file_check_ = std::move(check); }
  // A path that must be readable now rather than at its first use (a CA file read at the first
  // connection): empty when unset; a problem naming the variable when the check says no. Without
  // a check the path is taken as given.
  std::string ReadableFile(std::string_view name);

  const std::vector<std::string>& problems() const { return problems_; }
  void AddProblem(std::string problem) { problems_.push_back(std::move(problem)); }

 private:
  Lookup lookup_;
  FileCheck file_check_;
  std::vector<std::string> problems_;
};

}  // namespace vitrina::base
