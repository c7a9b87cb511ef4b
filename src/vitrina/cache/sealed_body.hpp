#pragma once

#include <memory>
#include <string_view>

#include "vitrina/http/core/body_file.hpp"

namespace vitrina::cache {

// `bytes` in an anonymous in-memory file (memfd) sealed against any change, so a send in flight
// reads exactly what was cached even after the cache dropped its copy. Null when the kernel
// refuses (no memfd support, out of descriptors or memory): the body is then sent from memory.
std::shared_ptr<const http::core::BodyFile> SealBody(std::string_view bytes);

}  // namespace vitrina::cache
