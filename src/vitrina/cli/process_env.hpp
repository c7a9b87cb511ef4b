#pragma once

#include "vitrina/base/env_reader.hpp"

namespace vitrina::cli {

// The process environment for the commands' settings, with files named by variables checked by
// opening them (base::EnvReader::ReadableFile: base itself does no file I/O).
base::EnvReader ProcessEnv();

}  // namespace vitrina::cli
