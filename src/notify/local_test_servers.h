// Tiny blocking servers on 127.0.0.1 (port 0) for the channel tests: an HTTP server answering a
// canned status, headers and body, an SMTP server with a canned RCPT reply, and a closed port. Each
// records what it received. One connection at a time on a background thread; test-only
// (header-only, so it is never part of loom_notify).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace loom::testing {

// A listening socket on 127.0.0.1 with a port the kernel picked; accepts on a thread until
// destroyed.
// Binds `fd` to 127.0.0.1 on a port the kernel picks; returns the port.
inline int BindLoopback(int fd) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

// A port on 127.0.0.1 that refuses connections: bound, never listening, so nothing else can
// take it while the test runs.
class ClosedPort {
 public:
  ClosedPort() : fd_(socket(AF_INET, SOCK_STREAM, 0)), port_(BindLoopback(fd_)) {}
  ~ClosedPort() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_;
  int port_;
};

class LocalServer {
 public:
  LocalServer() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    port_ = BindLoopback(listen_fd_);
    listen(listen_fd_, 8);
  }
  virtual ~LocalServer() {
    // Unblocks accept(): shutdown on a listening socket makes accept fail with EINVAL.
    shutdown(listen_fd_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    close(listen_fd_);
  }
  int port() const { return port_; }
  int connections() const { return connections_.load(); }

 protected:
  // Starts the accept loop; call at the end of the derived constructor.
  void Start() {
    thread_ = std::thread([this] {
      for (;;) {
        int fd = accept(listen_fd_, nullptr, nullptr);
        if (fd < 0) return;
        ++connections_;
        timeval tv{5, 0};  // a broken client must not hang the test forever
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        Serve(fd);
        close(fd);
      }
    });
  }
  virtual void Serve(int fd) = 0;

  static bool ReadMore(int fd, std::string& buffer) {
    char chunk[4096];
    ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
    return true;
  }
  static void SendAll(int fd, const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

 private:
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

// Answers every request with the same response; records the last request.
class CannedHttpServer final : public LocalServer {
 public:
  struct Request {
    std::string request_line;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
  };

  // `extra_headers`: "Name: value" lines.
  CannedHttpServer(int status, std::string body, std::vector<std::string> extra_headers = {})
      : status_(status), body_(std::move(body)), extra_headers_(std::move(extra_headers)) {
    Start();
  }
  ~CannedHttpServer() override = default;

  Request last_request() const {
    std::lock_guard lock(mu_);
    return last_;
  }
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port()) + path;
  }

 private:
  void Serve(int fd) override {
    std::string data;
    size_t header_end;
    while ((header_end = data.find("\r\n\r\n")) == std::string::npos) {
      if (!ReadMore(fd, data)) return;
    }
    Request request;
    std::string head = data.substr(0, header_end);
    size_t line_end = head.find("\r\n");
    request.request_line = head.substr(0, line_end);
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t next = head.find("\r\n", pos);
      if (next == std::string::npos) next = head.size();
      std::string line = head.substr(pos, next - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t value = line.find_first_not_of(' ', colon + 1);
        request.headers[name] = value == std::string::npos ? "" : line.substr(value);
      }
      pos = next + 2;
    }
    size_t length = 0;
    if (auto it = request.headers.find("content-length"); it != request.headers.end()) {
      length = std::stoul(it->second);
    }
    request.body = data.substr(header_end + 4);
    while (request.body.size() < length) {
      if (!ReadMore(fd, request.body)) break;
    }
    {
      std::lock_guard lock(mu_);
      last_ = request;
    }
    std::string response = "HTTP/1.1 " + std::to_string(status_) + " Canned\r\n";
    for (const std::string& h : extra_headers_) response += h + "\r\n";
    response += "Content-Length: " + std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n";
    SendAll(fd, response + body_);
  }

  int status_;
  std::string body_;
  std::vector<std::string> extra_headers_;
  mutable std::mutex mu_;
  Request last_;
};

// Speaks just enough SMTP for libcurl: no AUTH, no STARTTLS; RCPT answers `rcpt_reply`.
class CannedSmtpServer final : public LocalServer {
 public:
  explicit CannedSmtpServer(std::string rcpt_reply = "250 OK")
      : rcpt_reply_(std::move(rcpt_reply)) {
    Start();
  }
  ~CannedSmtpServer() override = default;

  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port()); }
  // The commands received (one per line) and the DATA content, without the final ".".
  std::vector<std::string> commands() const {
    std::lock_guard lock(mu_);
    return commands_;
  }
  std::string data() const {
    std::lock_guard lock(mu_);
    return data_;
  }

 private:
  void Serve(int fd) override {
    SendAll(fd, "220 fake ESMTP\r\n");
    std::string buffer;
    bool in_data = false;
    for (;;) {
      if (in_data) {
        size_t end = buffer.find("\r\n.\r\n");
        if (end == std::string::npos) {
          if (!ReadMore(fd, buffer)) return;
          continue;
        }
        {
          std::lock_guard lock(mu_);
          data_ = buffer.substr(0, end + 2);
        }
        buffer.erase(0, end + 5);
        in_data = false;
        SendAll(fd, "250 queued\r\n");
        continue;
      }
      size_t eol = buffer.find("\r\n");
      if (eol == std::string::npos) {
        if (!ReadMore(fd, buffer)) return;
        continue;
      }
      std::string line = buffer.substr(0, eol);
      buffer.erase(0, eol + 2);
      {
        std::lock_guard lock(mu_);
        commands_.push_back(line);
      }
      std::string verb = line.substr(0, 4);
      if (verb == "EHLO" || verb == "HELO") {
        SendAll(fd, "250 fake\r\n");
      } else if (verb == "RCPT") {
        SendAll(fd, rcpt_reply_ + "\r\n");
      } else if (verb == "DATA") {
        in_data = true;
        SendAll(fd, "354 go ahead\r\n");
      } else if (verb == "QUIT") {
        SendAll(fd, "221 bye\r\n");
        return;
      } else {
        SendAll(fd, "250 OK\r\n");
      }
    }
  }

  std::string rcpt_reply_;
  mutable std::mutex mu_;
  std::vector<std::string> commands_;
  std::string data_;
};

}  // namespace loom::testing
