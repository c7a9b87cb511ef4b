#include "vitrina/telemetry/gzip.hpp"

#include <stdexcept>
#include <string>
#include <zlib.h>

namespace vitrina::telemetry {

std::string Gzip(std::string_view input, int level) {
  z_stream stream{};
  // 15 + 16: the largest window, with a gzip header and trailer instead of zlib's. Memory level
  // 8 is zlib's default.
  if (const int init = deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
      init != Z_OK) {
    throw std::runtime_error("zlib deflateInit2 failed (" + std::to_string(init) + ")");
  }
  // deflateBound covers the zlib wrapper; the gzip one is 12 bytes longer at most.
  std::string output(deflateBound(&stream, static_cast<uLong>(input.size())) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(output.data());
  stream.avail_out = static_cast<uInt>(output.size());
  // With room for the whole bound, one call consumes all input and writes the trailer.
  const int result = deflate(&stream, Z_FINISH);
  const std::size_t written = output.size() - stream.avail_out;
  deflateEnd(&stream);
  if (result != Z_STREAM_END) {
    throw std::runtime_error("zlib deflate failed (" + std::to_string(result) + ")");
  }
  output.resize(written);
  return output;
}

}  // namespace vitrina::telemetry
