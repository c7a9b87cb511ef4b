#pragma once

// A plain TCP connection for the hostile-client tests: bytes in, bytes out, exactly as sent, with
// no HTTP library smoothing anything over.

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace vitrina::itest {

class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect failed");
    }
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool Send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Everything that arrives until the peer closes or nothing came for `quiet`. `closed` tells
  // which of the two ended it.
  std::string Receive(std::chrono::milliseconds quiet = std::chrono::milliseconds(1500)) {
    std::string received;
    char buffer[16384];
    for (;;) {
      pollfd ready{fd_, POLLIN, 0};
      if (::poll(&ready, 1, static_cast<int>(quiet.count())) <= 0) return received;
      const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        closed_ = true;
        return received;
      }
      received.append(buffer, static_cast<std::size_t>(n));
    }
  }

  bool closed() const { return closed_; }

 private:
  int fd_;
  bool closed_ = false;
};

// The status code of the first response in `bytes`, or 0.
inline int FirstStatus(const std::string& bytes) {
  if (bytes.size() < 12 || bytes.compare(0, 5, "HTTP/") != 0) return 0;
  return std::stoi(bytes.substr(9, 3));
}

// How many responses `bytes` holds (status lines).
inline int ResponseCount(const std::string& bytes) {
  int count = 0;
  for (std::size_t at = bytes.find("HTTP/1."); at != std::string::npos;
       at = bytes.find("HTTP/1.", at + 1)) {
    ++count;
  }
  return count;
}

}  // namespace vitrina::itest
