#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vitrina/base/result.hpp"
#include "vitrina/http/core/content_coding.hpp"
#include "vitrina/http/core/message.hpp"

namespace vitrina::http {

// How hard to compress (levels and measured costs: docs/cache.md, "Compression"):
//   kFast      gzip 1, br 1: a large answer a request is waiting for (a cache miss, a bypass);
//   kSmall     gzip 6, br 6: a smaller answer on the request's path, static files at start-up;
//   kSmallest  gzip 6, br 10: in the background, for a cached answer sent many times.
enum class CompressionEffort { kFast, kSmall, kSmallest };

// `bytes` in `coding` (gzip: zlib with a gzip wrapper; br: Brotli, text mode). Identity returns
// the bytes as they are. Never fails for an in-memory input (zlib and Brotli fail only on bad
// parameters or allocation, which throws std::bad_alloc).
std::string Compress(core::ContentCoding coding, std::string_view bytes, CompressionEffort effort);

// The same, giving up (nullopt) soon after `cancel` becomes true: Brotli at kSmallest takes
// seconds for megabytes, and a server stopping must not wait for it.
std::optional<std::string> Compress(core::ContentCoding coding, std::string_view bytes,
                                    CompressionEffort effort, const std::atomic<bool>& cancel);

// A streamed body compressed as it passes (gzip: zlib deflate; br: BrotliEncoderCompressStream),
// at `effort`: each piece of `inner` is fed to the encoder and what it produced is sent, so memory
// stays one piece plus the encoder's window. Runs on the thread that asks for the pieces (the
// I/O thread): use kFast. Identity returns `inner`.
std::shared_ptr<core::BodyStream> CompressStream(core::ContentCoding coding,
                                                 std::shared_ptr<core::BodyStream> inner,
                                                 CompressionEffort effort);

// The bytes a body in `coding` decodes to; kInvalidArgument when they are not valid. For tests
// and measurement tools (the server never decodes a request body).
base::Result<std::string> Decompress(core::ContentCoding coding, std::string_view bytes);

}  // namespace vitrina::http
