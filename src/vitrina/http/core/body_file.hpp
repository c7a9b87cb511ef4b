#pragma once

#include <cstddef>

namespace vitrina::http::core {

// The bytes of a response body, also held in a file the HTTP server can send with sendfile(2):
// a cached answer sent many times is then not copied from user memory into the socket each time
// (for a 213 kB answer that copy was the largest single cost of a hit). Implemented by an adapter
// (cache::SealBody, a sealed memfd); core only carries it next to the body it duplicates.
class BodyFile {
 public:
  BodyFile() = default;
  BodyFile(const BodyFile&) = delete;
  BodyFile& operator=(const BodyFile&) = delete;
  virtual ~BodyFile() = default;

  // Open for reading and owned by the object; its content never changes.
  virtual int descriptor() const = 0;
  virtual std::size_t size() const = 0;
};

}  // namespace vitrina::http::core
