#pragma once

#include <string>

#include "vitrina/base/byte_stream.hpp"

namespace vitrina::etl {

// A local file, read in 256 KiB chunks.
class FileSource : public base::ByteSource {
 public:
  explicit FileSource(std::string path) : path_(std::move(path)) {}
  base::Status StreamTo(base::ByteSink& sink) override;

 private:
  std::string path_;
};

}  // namespace vitrina::etl
