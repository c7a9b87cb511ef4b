#include "vitrina/etl/gzip_decoder.hpp"

#include <zlib.h>

namespace vitrina::etl {

namespace {
constexpr std::size_t kOutputChunk = std::size_t{256} * 1024;

base::Error GzipError(const std::string& what) {
  return base::MakeError(base::ErrorCode::kInvalidArgument,
                         "the source looks gzip-compressed but cannot be decompressed: " + what);
}
}  // namespace

struct GunzipIfCompressed::ZStream {
  z_stream stream{};
  bool initialised = false;
  ~ZStream() {
    if (initialised) inflateEnd(&stream);
  }
};

GunzipIfCompressed::GunzipIfCompressed(base::ByteSink& next) : next_(next) {}
GunzipIfCompressed::~GunzipIfCompressed() = default;

void GunzipIfCompressed::OnSize(std::uint64_t size) {
  // The compressed size is what progress can measure against; the sink after us learns it too.
  next_.OnSize(size);
}

base::Status GunzipIfCompressed::Consume(std::string_view bytes) {
  if (mode_ == Mode::kUndecided) {
    const std::size_t take = std::min<std::size_t>(2 - probe_.size(), bytes.size());
    probe_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (probe_.size() < 2) return base::OkStatus();
    if (probe_ == "\x1f\x8b") {
      mode_ = Mode::kGzip;
      zstream_ = std::make_unique<ZStream>();
      // 15 + 16: a gzip wrapper, the largest window.
      if (inflateInit2(&zstream_->stream, 15 + 16) != Z_OK) return GzipError("zlib init failed");
      zstream_->initialised = true;
      output_.resize(kOutputChunk);
    } else {
      mode_ = Mode::kPlain;
    }
    const std::string start = std::move(probe_);
    probe_.clear();
    if (auto status = mode_ == Mode::kGzip ? Inflate(start) : next_.Consume(start); !status) {
      return status;
    }
  }
  if (bytes.empty()) return base::OkStatus();
  if (mode_ == Mode::kPlain) return next_.Consume(bytes);
  return Inflate(bytes);
}

base::Status GunzipIfCompressed::Inflate(std::string_view bytes) {
  z_stream& stream = zstream_->stream;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  while (stream.avail_in > 0) {
    if (member_ended_) {
      // Another gzip member follows (as `cat a.gz b.gz` produces).
      if (inflateReset(&stream) != Z_OK) return GzipError("zlib reset failed");
      member_ended_ = false;
    }
    stream.next_out = reinterpret_cast<Bytef*>(output_.data());
    stream.avail_out = static_cast<uInt>(output_.size());
    const int result = inflate(&stream, Z_NO_FLUSH);
    if (result != Z_OK && result != Z_STREAM_END && result != Z_BUF_ERROR) {
      return GzipError(stream.msg != nullptr ? stream.msg : "corrupt data");
    }
    const std::size_t produced = output_.size() - stream.avail_out;
    if (produced > 0) {
      if (auto status = next_.Consume(std::string_view(output_.data(), produced)); !status) {
        return status;
      }
    }
    if (result == Z_STREAM_END) member_ended_ = true;
    if (result == Z_BUF_ERROR && produced == 0) break;
  }
  return base::OkStatus();
}

base::Status GunzipIfCompressed::Finish() {
  if (mode_ == Mode::kUndecided && !probe_.empty()) {
    mode_ = Mode::kPlain;
    const std::string start = std::move(probe_);
    return next_.Consume(start);
  }
  if (mode_ == Mode::kGzip && !member_ended_) {
    return GzipError("the compressed stream ends early (truncated file?)");
  }
  return base::OkStatus();
}

}  // namespace vitrina::etl
