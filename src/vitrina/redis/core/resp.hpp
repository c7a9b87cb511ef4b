#pragma once

#include <string>
#include <vector>

namespace vitrina::redis::core {

// Appends one command in RESP2 request form (an array of bulk strings: "*2\r\n$3\r\nGET\r\n$1\r\n
// K\r\n") to `out`. Binary-safe: arguments may hold any byte, CR and LF included.
void AppendCommand(std::string& out, const std::vector<std::string>& args);

}  // namespace vitrina::redis::core
