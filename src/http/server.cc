// The Boost.Beast server behind StartHttpServer: with beast_session.{h,cc} (one connection), the
// only code of the HTTP layer that includes Beast and Asio.
//
// Shape (after Beast's advanced server example): one io_context run by N threads; one session per
// connection on its own strand (beast_session.h); the acceptor on a strand of its own, shedding
// the longest-idle connection at the connection cap; a graceful stop that drains the sessions.
//
// Lifetimes: sessions share ownership of `Shared` (the Api, the TLS context, counters), so a
// store callback that outlives the server's threads still finds what it touches. Only the
// io_context must outlive every socket: the server destroys it after every pending reply has been
// released (bounded wait; on timeout it is deliberately leaked rather than destroyed under a live
// socket).

#include "http/server.h"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/api.h"
#include "http/beast_session.h"

namespace loom {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using http_server::SessionBase;
using http_server::Shared;
using http_server::Strand;
using http_server::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kDrainTimeout = std::chrono::seconds(5);
constexpr auto kDrainPoll = std::chrono::milliseconds(20);
constexpr auto kReplyWaitTimeout = std::chrono::seconds(30);
// Accept failed: retry after this (after kShedRetry when an idle connection is being closed).
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
constexpr auto kShedRetry = std::chrono::milliseconds(2);

Result<tcp::endpoint> ResolveListen(net::io_context& ioc, const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return Error::Invalid("listen address '" + listen + "' is not HOST:PORT");
  }
  std::string host = listen.substr(0, colon);
  std::string port = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  unsigned long port_number = 0;
  try {
    size_t used = 0;
    port_number = std::stoul(port, &used);
    if (used != port.size() || port_number > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    return Error::Invalid("listen address '" + listen + "': '" + port + "' is not a port number");
  }
  beast::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (!ec) return tcp::endpoint(address, static_cast<unsigned short>(port_number));
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(host, port, ec);
  if (ec || results.empty()) {
    return Error::Invalid("listen address '" + listen + "': cannot resolve '" + host +
                          "': " + ec.message());
  }
  return results.begin()->endpoint();
}

class BeastServer final : public HttpServer {
 public:
  BeastServer(const ServerOptions& options, ServerDeps deps, int threads)
      : shared_(std::make_shared<Shared>()), ioc_(std::make_unique<net::io_context>(threads)) {
    acceptor_.emplace(net::make_strand(*ioc_));
    drain_timer_.emplace(*ioc_);
    shared_->options = options;
    shared_->api = std::make_unique<http::Api>(
        deps.store, deps.clock, std::move(deps.admin_token_hash),
        http::ApiOptions{options.ingest_body_limit, options.api_body_limit, options.version,
                         options.drills, options.drill_anchor, options.accounts, options.public_url,
                         options.twilio_auth_token, options.telegram_secret_token},
        std::move(deps.policy), std::move(deps.oncall), std::move(deps.engine_stats),
        std::move(deps.links), std::move(deps.probes), std::move(deps.sign_on));
  }

  ~BeastServer() override {
    Stop();
    Wait();
    // Store callbacks still holding a reply also hold a session whose socket needs the
    // io_context: wait for them before destroying it.
    const auto deadline = SteadyClock::now() + kReplyWaitTimeout;
    while (shared_->inflight.load(std::memory_order_acquire) > 0 && SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (shared_->inflight.load(std::memory_order_acquire) > 0) {
      spdlog::error("HTTP server: {} replies still pending after {} s; leaking the I/O context",
                    shared_->inflight.load(), kReplyWaitTimeout.count());
      (void)ioc_.release();
      return;
    }
    // Every I/O object before the io_context it belongs to.
    acceptor_.reset();
    drain_timer_.reset();
    ioc_.reset();
  }

  Status Listen(const std::string& listen) {
    auto endpoint = ResolveListen(*ioc_, listen);
    if (!endpoint.ok()) return std::move(endpoint).error();
    beast::error_code ec;
    acceptor_->open(endpoint->protocol(), ec);
    if (!ec) acceptor_->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_->bind(*endpoint, ec);
    if (!ec) acceptor_->listen(net::socket_base::max_listen_connections, ec);
    if (ec) return Error::Unavailable("cannot listen on " + listen + ": " + ec.message());
    port_ = acceptor_->local_endpoint(ec).port();
    return OkStatus();
  }

  Status LoadTls(const std::string& cert, const std::string& key) {
    try {
      ssl::context ctx(ssl::context::tls_server);
      ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                      ssl::context::single_dh_use);
      // An encrypted key must fail here, not prompt on the terminal.
      ctx.set_password_callback(
          [](std::size_t, ssl::context::password_purpose) { return std::string(); });
      ctx.use_certificate_chain_file(cert);
      ctx.use_private_key_file(key, ssl::context::pem);
      shared_->tls.emplace(std::move(ctx));
    } catch (const boost::system::system_error& e) {
      return Error::Invalid("cannot load TLS certificate '" + cert + "' / key '" + key +
                            "': " + e.code().message());
    }
    return OkStatus();
  }

  void Run(int threads) {
    net::dispatch(acceptor_->get_executor(), [this] { DoAccept(); });
    threads_.reserve(static_cast<size_t>(threads));
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this] {
        for (;;) {
          try {
            ioc_->run();
            return;
          } catch (const std::exception& e) {
            spdlog::error("HTTP I/O thread: unexpected exception: {}", e.what());
          }
        }
      });
    }
  }

  uint16_t port() const override { return port_; }

  void Stop() override {
    if (shared_->stopping.exchange(true)) return;
    shared_->api->SetDraining(true);
    net::post(acceptor_->get_executor(), [this] {
      beast::error_code ignored;
      acceptor_->close(ignored);
    });
    std::vector<std::shared_ptr<SessionBase>> live;
    {
      std::lock_guard lock(shared_->registry_mu);
      for (auto& [id, entry] : shared_->registry) {
        if (auto s = entry.weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->BeginShutdown();
    drain_deadline_ = SteadyClock::now() + kDrainTimeout;
    net::post(drain_timer_->get_executor(), [this] { DrainCheck(); });
  }

  void Wait() override {
    std::call_once(joined_, [this] {
      for (auto& t : threads_) t.join();
    });
  }

 private:
  void DoAccept() {
    Strand strand = net::make_strand(*ioc_);
    acceptor_->async_accept(strand, [this, strand](beast::error_code ec, tcp::socket socket) {
      OnAccept(ec, std::move(socket), strand);
    });
  }

  void OnAccept(beast::error_code ec, tcp::socket socket, Strand strand) {
    if (ec == net::error::operation_aborted || !acceptor_->is_open()) return;
    if (ec) {
      // Out of descriptors (EMFILE, ENFILE: something else holds more than its share): close the
      // longest-idle connection and try again at once; otherwise back off briefly instead of
      // spinning. Said once per episode.
      const bool out_of_descriptors = ec == net::error::no_descriptors ||
                                      ec == boost::system::errc::too_many_files_open_in_system;
      const bool shed = out_of_descriptors && shared_->ShedOldestIdle();
      if (!warned_accept_) {
        spdlog::warn("HTTP accept failed: {}{}", ec.message(),
                     shed ? "; closing the longest-idle connections to make room" : "");
        warned_accept_ = true;
      }
      auto timer = std::make_shared<net::steady_timer>(acceptor_->get_executor());
      timer->expires_after(shed ? kShedRetry : kAcceptRetry);
      timer->async_wait([this, timer](beast::error_code) { DoAccept(); });
      return;
    }
    warned_accept_ = false;
    if (shared_->stopping.load(std::memory_order_relaxed)) return;
    // At the cap: the longest-idle connection makes room; refused only when none is idle.
    if (shared_->sessions.load(std::memory_order_relaxed) >= shared_->options.max_connections) {
      const bool shed = shared_->ShedOldestIdle();
      if (!warned_full_) {
        spdlog::warn("HTTP: {} connections open (the cap); {}", shared_->options.max_connections,
                     shed ? "closing the longest-idle ones to accept new ones"
                          : "none idle: refusing new ones until some close");
        warned_full_ = true;
      }
      if (!shed) {
        beast::error_code ignored;
        socket.close(ignored);
        return DoAccept();
      }
    } else {
      warned_full_ = false;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    http_server::StartSession(shared_, strand, std::move(socket));
    DoAccept();
  }

  // Stops the io_context once every session has closed, or at the drain deadline.
  void DrainCheck() {
    if (shared_->sessions.load(std::memory_order_acquire) == 0 ||
        SteadyClock::now() >= drain_deadline_) {
      if (shared_->sessions.load() > 0) {
        spdlog::warn("HTTP: {} connections still busy after {} s; stopping anyway",
                     shared_->sessions.load(), kDrainTimeout.count());
      }
      ioc_->stop();
      return;
    }
    drain_timer_->expires_after(kDrainPoll);
    drain_timer_->async_wait([this](beast::error_code) { DrainCheck(); });
  }

  std::shared_ptr<Shared> shared_;
  std::unique_ptr<net::io_context> ioc_;
  std::optional<tcp::acceptor> acceptor_;  // on its own strand
  std::optional<net::steady_timer> drain_timer_;
  std::vector<std::thread> threads_;
  std::once_flag joined_;
  SteadyClock::time_point drain_deadline_{};
  uint16_t port_ = 0;
  bool warned_full_ = false;    // accept strand only
  bool warned_accept_ = false;  // accept strand only
};

}  // namespace

Result<std::unique_ptr<HttpServer>> StartHttpServer(const ServerOptions& options, ServerDeps deps) {
  int threads =
      options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  if (threads <= 0) threads = 1;
  auto server = std::make_unique<BeastServer>(options, std::move(deps), threads);
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return Error::Invalid("TLS needs both a certificate and a key");
  }
  if (!options.tls_cert.empty()) {
    Status tls = server->LoadTls(options.tls_cert, options.tls_key);
    if (!tls.ok()) return std::move(tls).error();
  }
  Status listening = server->Listen(options.listen);
  if (!listening.ok()) return std::move(listening).error();
  server->Run(threads);
  spdlog::info("HTTP server listening on port {} ({} I/O threads{}, at most {} connections)",
               server->port(), threads, options.tls_cert.empty() ? "" : ", TLS",
               options.max_connections);
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace loom
