#pragma once

#include <string>

#include "vitrina/etl/byte_stream.hpp"

namespace vitrina::etl {

// A local file, read in 256 KiB chunks.
class FileSource : public ByteSource {
 public:
  explicit FileSource(std::string path) : path_(std::move(path)) {}
  base::Status StreamTo(ByteSink& sink) override;

 private:
  std::string path_;
};

}  // namespace vitrina::etl
