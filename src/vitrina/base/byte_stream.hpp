#pragma once

#include <cstdint>
#include <string_view>

#include "vitrina/base/result.hpp"

namespace vitrina::base {

// Receives a source's bytes as they arrive. Returning an error stops the source.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // The total size, when the source knows it (a file, an HTTP Content-Length), before any bytes.
  virtual void OnSize(std::uint64_t /*size*/) {}
  virtual Status Consume(std::string_view bytes) = 0;
};

// Somewhere bytes come from: a file, an HTTP(S) URL, a blob. Streaming, so memory stays bounded
// whatever the size. StreamTo may be called more than once; each call reads from the start.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual Status StreamTo(ByteSink& sink) = 0;
};

}  // namespace vitrina::base
