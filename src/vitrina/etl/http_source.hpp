#pragma once

#include <string>

#include "vitrina/base/byte_stream.hpp"

namespace vitrina::etl {

// An http:// or https:// URL, including a Blob Storage SAS URL. Messages never show the SAS
// signature.
class HttpSource : public base::ByteSource {
 public:
  explicit HttpSource(std::string url) : url_(std::move(url)) {}
  base::Status StreamTo(base::ByteSink& sink) override;

 private:
  std::string url_;
};

}  // namespace vitrina::etl
