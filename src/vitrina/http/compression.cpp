#include "vitrina/http/compression.hpp"

#include <algorithm>
#include <brotli/decode.h>
#include <brotli/encode.h>
#include <cstdint>
#include <new>
#include <zlib.h>

namespace vitrina::http {
namespace {

// Levels, measured on the full diamonds catalog (7.3 MB of JSON) in a release build here: see
// docs/cache.md, "Compression".
int GzipLevel(CompressionEffort effort) { return effort == CompressionEffort::kFast ? 1 : 6; }

int BrotliQuality(CompressionEffort effort) {
  switch (effort) {
    case CompressionEffort::kFast:
      return 1;
    case CompressionEffort::kSmall:
      return 6;
    case CompressionEffort::kSmallest:
      return 10;
  }
  return 6;
}

// Input fed to Brotli per step: between steps a cancellation is noticed.
constexpr std::size_t kBrotliStep = std::size_t{256} << 10;

std::string Gzip(std::string_view bytes, int level) {
  z_stream stream{};
  // 15 + 16: the largest window, with a gzip header and trailer instead of zlib's.
  if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::bad_alloc();
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(bytes.size())), '\0');
  // zlib's API takes non-const pointers but does not write through next_in.
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::bad_alloc();  // the bound was too small: cannot happen
  return out;
}

std::optional<std::string> Brotli(std::string_view bytes, int quality,
                                  const std::atomic<bool>* cancel) {
  BrotliEncoderState* state = BrotliEncoderCreateInstance(nullptr, nullptr, nullptr);
  if (state == nullptr) throw std::bad_alloc();
  BrotliEncoderSetParameter(state, BROTLI_PARAM_QUALITY, static_cast<std::uint32_t>(quality));
  BrotliEncoderSetParameter(state, BROTLI_PARAM_MODE, BROTLI_MODE_TEXT);
  BrotliEncoderSetParameter(
      state, BROTLI_PARAM_SIZE_HINT,
      static_cast<std::uint32_t>(std::min<std::size_t>(bytes.size(), 1U << 30)));
  std::string out;
  const auto* next_in = reinterpret_cast<const std::uint8_t*>(bytes.data());
  std::size_t left = bytes.size();
  bool ok = true;
  bool done = false;
  while (ok && !done) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
      BrotliEncoderDestroyInstance(state);
      return std::nullopt;
    }
    const std::size_t step = std::min(left, kBrotliStep);
    std::size_t available_in = step;
    const auto operation = step == left ? BROTLI_OPERATION_FINISH : BROTLI_OPERATION_PROCESS;
    do {
      // No output buffer of ours: BrotliEncoderTakeOutput hands over the encoder's own.
      std::size_t available_out = 0;
      std::uint8_t* next_out = nullptr;
      ok = BrotliEncoderCompressStream(state, operation, &available_in, &next_in, &available_out,
                                       &next_out, nullptr) == BROTLI_TRUE;
      std::size_t produced = 0;
      const std::uint8_t* output = BrotliEncoderTakeOutput(state, &produced);
      out.append(reinterpret_cast<const char*>(output), produced);
    } while (ok && (available_in > 0 || BrotliEncoderHasMoreOutput(state) == BROTLI_TRUE));
    left -= step;
    done = operation == BROTLI_OPERATION_FINISH && BrotliEncoderIsFinished(state) == BROTLI_TRUE;
  }
  BrotliEncoderDestroyInstance(state);
  if (!ok) throw std::bad_alloc();
  return out;
}

base::Error Corrupt(std::string_view coding) {
  return base::MakeError(base::ErrorCode::kInvalidArgument,
                         "the body is not valid " + std::string(coding));
}

base::Result<std::string> Gunzip(std::string_view bytes) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) throw std::bad_alloc();
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  std::string out;
  char chunk[65536];
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof chunk;
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - stream.avail_out);
    if (status == Z_BUF_ERROR && stream.avail_in == 0) break;  // truncated input
  }
  const bool complete = status == Z_STREAM_END && stream.avail_in == 0;
  inflateEnd(&stream);
  if (!complete) return Corrupt("gzip");
  return out;
}

base::Result<std::string> Unbrotli(std::string_view bytes) {
  BrotliDecoderState* state = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
  if (state == nullptr) throw std::bad_alloc();
  const auto* next_in = reinterpret_cast<const std::uint8_t*>(bytes.data());
  std::size_t available_in = bytes.size();
  std::string out;
  std::uint8_t chunk[65536];
  BrotliDecoderResult result = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
  while (result == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
    std::uint8_t* next_out = chunk;
    std::size_t available_out = sizeof chunk;
    result = BrotliDecoderDecompressStream(state, &available_in, &next_in, &available_out,
                                           &next_out, nullptr);
    out.append(reinterpret_cast<const char*>(chunk), sizeof chunk - available_out);
  }
  BrotliDecoderDestroyInstance(state);
  if (result != BROTLI_DECODER_RESULT_SUCCESS || available_in != 0) return Corrupt("br");
  return out;
}

// One encoder over a sequence of pieces: Feed() returns what the encoder produced for a piece
// (possibly nothing yet), Finish() the rest.
class StreamEncoder {
 public:
  virtual ~StreamEncoder() = default;
  virtual std::string Feed(std::string_view piece) = 0;
  virtual std::string Finish() = 0;
};

class GzipEncoder final : public StreamEncoder {
 public:
  explicit GzipEncoder(int level) {
    if (deflateInit2(&stream_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw std::bad_alloc();
    }
  }
  ~GzipEncoder() override { deflateEnd(&stream_); }
  GzipEncoder(const GzipEncoder&) = delete;
  GzipEncoder& operator=(const GzipEncoder&) = delete;

  std::string Feed(std::string_view piece) override { return Run(piece, Z_NO_FLUSH); }
  std::string Finish() override { return Run({}, Z_FINISH); }

 private:
  std::string Run(std::string_view piece, int flush) {
    std::string out;
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));
    stream_.avail_in = static_cast<uInt>(piece.size());
    char chunk[65536];
    int status = Z_OK;
    do {
      stream_.next_out = reinterpret_cast<Bytef*>(chunk);
      stream_.avail_out = sizeof chunk;
      status = deflate(&stream_, flush);
      out.append(chunk, sizeof chunk - stream_.avail_out);
    } while (stream_.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END));
    return out;
  }

  z_stream stream_{};
};

class BrotliEncoder final : public StreamEncoder {
 public:
  explicit BrotliEncoder(int quality)
      : state_(BrotliEncoderCreateInstance(nullptr, nullptr, nullptr)) {
    if (state_ == nullptr) throw std::bad_alloc();
    BrotliEncoderSetParameter(state_, BROTLI_PARAM_QUALITY, static_cast<std::uint32_t>(quality));
    BrotliEncoderSetParameter(state_, BROTLI_PARAM_MODE, BROTLI_MODE_TEXT);
  }
  ~BrotliEncoder() override { BrotliEncoderDestroyInstance(state_); }
  BrotliEncoder(const BrotliEncoder&) = delete;
  BrotliEncoder& operator=(const BrotliEncoder&) = delete;

  std::string Feed(std::string_view piece) override { return Run(piece, BROTLI_OPERATION_PROCESS); }
  std::string Finish() override { return Run({}, BROTLI_OPERATION_FINISH); }

 private:
  std::string Run(std::string_view piece, BrotliEncoderOperation operation) {
    std::string out;
    const auto* next_in = reinterpret_cast<const std::uint8_t*>(piece.data());
    std::size_t available_in = piece.size();
    do {
      std::size_t available_out = 0;
      std::uint8_t* next_out = nullptr;
      if (BrotliEncoderCompressStream(state_, operation, &available_in, &next_in, &available_out,
                                      &next_out, nullptr) != BROTLI_TRUE) {
        throw std::bad_alloc();
      }
      std::size_t produced = 0;
      const std::uint8_t* output = BrotliEncoderTakeOutput(state_, &produced);
      out.append(reinterpret_cast<const char*>(output), produced);
    } while (
        available_in > 0 || BrotliEncoderHasMoreOutput(state_) == BROTLI_TRUE ||
        (operation == BROTLI_OPERATION_FINISH && BrotliEncoderIsFinished(state_) != BROTLI_TRUE));
    return out;
  }

  BrotliEncoderState* state_;
};

class CompressedStream final : public core::BodyStream {
 public:
  CompressedStream(std::unique_ptr<StreamEncoder> encoder, std::shared_ptr<core::BodyStream> inner)
      : encoder_(std::move(encoder)), inner_(std::move(inner)) {}

  boost::asio::awaitable<base::Result<std::string>> Next() override {
    // A piece may compress to nothing yet: ask for more until there is output or the end.
    while (!finished_) {
      auto piece = co_await inner_->Next();
      if (!piece.ok()) co_return piece.error();
      std::string out;
      if (piece->empty()) {
        finished_ = true;
        out = encoder_->Finish();
      } else {
        out = encoder_->Feed(*piece);
      }
      if (!out.empty()) co_return out;
    }
    co_return std::string();
  }

 private:
  std::unique_ptr<StreamEncoder> encoder_;
  std::shared_ptr<core::BodyStream> inner_;
  bool finished_ = false;
};

}  // namespace

std::shared_ptr<core::BodyStream> CompressStream(core::ContentCoding coding,
                                                 std::shared_ptr<core::BodyStream> inner,
                                                 CompressionEffort effort) {
  switch (coding) {
    case core::ContentCoding::kGzip:
      return std::make_shared<CompressedStream>(std::make_unique<GzipEncoder>(GzipLevel(effort)),
                                                std::move(inner));
    case core::ContentCoding::kBrotli:
      return std::make_shared<CompressedStream>(
          std::make_unique<BrotliEncoder>(BrotliQuality(effort)), std::move(inner));
    case core::ContentCoding::kIdentity:
      break;
  }
  return inner;
}

std::optional<std::string> Compress(core::ContentCoding coding, std::string_view bytes,
                                    CompressionEffort effort, const std::atomic<bool>& cancel) {
  switch (coding) {
    case core::ContentCoding::kGzip:
      if (cancel.load(std::memory_order_relaxed)) return std::nullopt;
      return Gzip(bytes, GzipLevel(effort));
    case core::ContentCoding::kBrotli:
      return Brotli(bytes, BrotliQuality(effort), &cancel);
    case core::ContentCoding::kIdentity:
      break;
  }
  return std::string(bytes);
}

std::string Compress(core::ContentCoding coding, std::string_view bytes, CompressionEffort effort) {
  const std::atomic<bool> never{false};
  return *Compress(coding, bytes, effort, never);
}

base::Result<std::string> Decompress(core::ContentCoding coding, std::string_view bytes) {
  switch (coding) {
    case core::ContentCoding::kGzip:
      return Gunzip(bytes);
    case core::ContentCoding::kBrotli:
      return Unbrotli(bytes);
    case core::ContentCoding::kIdentity:
      break;
  }
  return std::string(bytes);
}

}  // namespace vitrina::http
