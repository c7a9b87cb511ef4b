#pragma once

#include <string>

#include <boost/json/value.hpp>

namespace vitrina::base {

// Indented JSON for files people read and diff (generated Data Factory resources, OpenAPI).
std::string PrettyJson(const boost::json::value& value, int indent = 2);

}  // namespace vitrina::base
