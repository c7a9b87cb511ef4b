#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include <spdlog/sinks/base_sink.h>

namespace vitrina::cli {

// Access-log lines collected in memory and written to stdout in blocks: when 64 KiB are
// waiting, when spdlog's periodic flush runs (ACCESS_LOG_FLUSH_SECONDS), and at once after an error
// line (flush_on). One write(2) per block instead of one per request, as nginx's
// `access_log ... buffer=64k flush=1s`: under load that write was ~6% of the server's CPU. What a
// crash can lose is the last interval's lines; a normal shutdown flushes.
class BufferedStdoutSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  BufferedStdoutSink() = default;
  BufferedStdoutSink(const BufferedStdoutSink&) = delete;
  BufferedStdoutSink& operator=(const BufferedStdoutSink&) = delete;
  ~BufferedStdoutSink() override {
    const std::lock_guard lock(mutex_);
    WriteOut();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    buffer_.append(formatted.data(), formatted.size());
    if (buffer_.size() >= kBlockBytes) WriteOut();
  }
  void flush_() override { WriteOut(); }

 private:
  static constexpr std::size_t kBlockBytes = std::size_t{64} * 1024;

  void WriteOut() {
    if (buffer_.empty()) return;
    std::fwrite(buffer_.data(), 1, buffer_.size(), stdout);
    std::fflush(stdout);
    buffer_.clear();
  }

  std::string buffer_;
};

}  // namespace vitrina::cli
