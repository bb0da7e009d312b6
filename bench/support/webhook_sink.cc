#include "support/webhook_sink.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

namespace loom::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Json = nlohmann::json;

namespace {

// One connection to the sink: reads requests and answers each 200 at once.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Sink& sink) : stream_(std::move(socket)), sink_(sink) {}

  void Read() {
    parser_.emplace();
    parser_->body_limit(1 << 20);
    stream_.expires_after(std::chrono::seconds(60));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->Close();
                       self->OnRequest();
                     });
  }

 private:
  void OnRequest() {
    const Steady::time_point at = Steady::now();
    http::request<http::string_body> request = parser_->release();
    sink_.Arrived(at, std::string(request["webhook-id"]), request.body());
    response_ = {};
    response_.version(request.version());
    response_.result(http::status::ok);
    response_.keep_alive(request.keep_alive());
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec || !self->response_.keep_alive()) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  Sink& sink_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::empty_body> response_;
};

}  // namespace

std::string PhaseOf(const std::string& token) {
  const size_t dash = token.find('-');
  return dash == std::string::npos ? token : token.substr(0, dash + 2);
}

void Sink::Accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay(true));
      std::make_shared<Session>(std::move(socket), *this)->Read();
    }
    Accept();
  });
}

uint16_t Sink::Start() {
  boost::system::error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::cerr << "loom-bench-delivery-latency: sink: " << ec.message() << "\n";
    return 0;
  }
  Accept();
  thread_ = std::thread([this] { io_.run(); });
  return acceptor_.local_endpoint().port();
}

void Sink::Stop() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

std::optional<Steady::time_point> Sink::WaitFor(const std::string& token,
                                                Steady::duration timeout) {
  std::unique_lock lock(mu_);
  std::optional<Steady::time_point> at;
  cv_.wait_for(lock, timeout, [&] {
    auto it = record_.first_arrival.find(token);
    if (it != record_.first_arrival.end()) at = it->second;
    return at.has_value();
  });
  return at;
}

int64_t Sink::WaitForCount(const std::string& phase, int64_t count, Steady::duration quiet) {
  std::unique_lock lock(mu_);
  while (true) {
    const int64_t have = record_.incidents_by_phase[phase];
    if (have >= count) return have;
    const size_t seen = record_.messages.size();
    if (!cv_.wait_for(lock, quiet, [&] { return record_.messages.size() != seen; })) {
      return have;
    }
  }
}

SinkRecord Sink::Snapshot() {
  std::lock_guard lock(mu_);
  return record_;
}

void Sink::Arrived(Steady::time_point at, const std::string& webhook_id, const std::string& body) {
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  std::lock_guard lock(mu_);
  if (!webhook_id.empty() && !ids_.insert(webhook_id).second) ++record_.repeated_ids;
  if (!j.is_object() || !j.contains("incidents") || !j["incidents"].is_array()) {
    ++record_.bad_bodies;
    return;
  }
  record_.types[j.value("type", std::string("?"))]++;
  int incidents = 0;
  for (const Json& incident : j["incidents"]) {
    const std::string title = incident.is_object() ? incident.value("title", "") : "";
    const std::string token = title.substr(0, title.find(' '));
    if (token.empty()) {
      ++record_.bad_bodies;
      continue;
    }
    ++incidents;
    if (record_.first_arrival.emplace(token, at).second) {
      ++record_.incidents_by_phase[PhaseOf(token)];
    } else {
      ++record_.duplicate_pages;
    }
  }
  record_.messages.emplace_back(at, incidents);
  cv_.notify_all();
}

}  // namespace loom::bench
