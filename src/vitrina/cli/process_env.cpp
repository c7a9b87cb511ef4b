#include "vitrina/cli/process_env.hpp"

#include <fstream>
#include <string>

namespace vitrina::cli {

base::EnvReader ProcessEnv() {
  auto env = base::EnvReader::FromProcess();
  env.set_file_check([](const std::string& path) { return std::ifstream(path).good(); });
  return env;
}

}  // namespace vitrina::cli
