#pragma once

#include <memory>
#include <string>

#include "vitrina/base/byte_stream.hpp"

namespace vitrina::etl {

// Passes bytes through to `next`, inflating them first when the stream starts with the gzip magic
// bytes (1f 8b), whatever the source's name. Concatenated gzip members are supported.
class GunzipIfCompressed : public base::ByteSink {
 public:
  explicit GunzipIfCompressed(base::ByteSink& next);
  ~GunzipIfCompressed() override;

  void OnSize(std::uint64_t size) override;
  base::Status Consume(std::string_view bytes) override;
  // Call at the end of input: a gzip stream cut short is an error.
  base::Status Finish();

  bool compressed() const { return mode_ == Mode::kGzip; }

 private:
  enum class Mode { kUndecided, kPlain, kGzip };
  base::Status Inflate(std::string_view bytes);

  base::ByteSink& next_;
  Mode mode_ = Mode::kUndecided;
  std::string probe_;  // the first byte, while we cannot tell yet
  struct ZStream;
  std::unique_ptr<ZStream> zstream_;
  bool member_ended_ = false;
  std::string output_;
};

}  // namespace vitrina::etl
