// The Boost.Beast server behind StartHttpServer: the only translation unit of the HTTP layer that
// includes Beast and Asio.
//
// Shape (after Beast's advanced server example): one io_context run by N threads; one Session per
// connection on its own strand; every socket operation under a deadline (tcp_stream's
// expires_after); the header is read first so that the route's body limit applies before the
// body is read; the complete request goes to http::Api, whose reply may arrive later from the
// store's writer thread and is posted back onto the session's strand.
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
#include "http/problem.h"
#include "http/types.h"

namespace loom {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using Strand = net::strand<net::io_context::executor_type>;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kWriteTimeout = std::chrono::seconds(30);
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr auto kShutdownTimeout = std::chrono::seconds(5);
// After answering a request whose body was not read (413), keep reading and discarding for a
// while before closing: closing a socket with unread data sends a RST that can destroy the
// answer before the client reads it.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr size_t kLingerMaxBytes = 8 * 1024 * 1024;
constexpr size_t kHeaderLimit = 16 * 1024;
constexpr size_t kReadBufferBytes = 8 * 1024;
constexpr auto kDrainTimeout = std::chrono::seconds(5);
constexpr auto kDrainPoll = std::chrono::milliseconds(20);
constexpr auto kReplyWaitTimeout = std::chrono::seconds(30);
// Accept failed: retry after this (after kShedRetry when an idle connection is being closed).
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
constexpr auto kShedRetry = std::chrono::milliseconds(2);

http::Method MethodOf(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get: return http::Method::kGet;
    case bhttp::verb::head: return http::Method::kHead;
    case bhttp::verb::post: return http::Method::kPost;
    case bhttp::verb::put: return http::Method::kPut;
    case bhttp::verb::patch: return http::Method::kPatch;
    case bhttp::verb::delete_: return http::Method::kDelete;
    case bhttp::verb::options: return http::Method::kOptions;
    default: return http::Method::kOther;
  }
}

class SessionBase;

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch())
      .count();
}

// What sessions share with the server and with each other.
struct Shared {
  ServerOptions options;
  std::unique_ptr<http::Api> api;
  std::optional<ssl::context> tls;
  std::atomic<bool> stopping{false};
  std::atomic<int64_t> sessions{0};  // live Session objects
  // PendingReply objects alive: requests handed to the Api whose reply has not been released.
  std::atomic<int64_t> inflight{0};

  std::mutex registry_mu;
  uint64_t next_session_id = 1;
  // `raw` may be read under registry_mu: a session leaves the registry first thing in its
  // destructor.
  struct Entry {
    std::weak_ptr<SessionBase> weak;
    SessionBase* raw = nullptr;
  };
  std::unordered_map<uint64_t, Entry> registry;

  // Closes the connection that has been idle longest (nothing of a next request received), to
  // make room for a new one. False when no connection is idle. Any thread.
  bool ShedOldestIdle();
};

class SessionBase : public std::enable_shared_from_this<SessionBase> {
 public:
  virtual ~SessionBase() = default;
  // Writes `response` for the request in progress. Any thread.
  virtual void Deliver(http::Response response) = 0;
  // Graceful stop: close when idle, else after the response in progress. Any thread.
  virtual void BeginShutdown() = 0;
  // Closes the connection if it is still idle. Any thread.
  virtual void Shed() = 0;

  // SteadyNanos() when the connection went idle (waiting for a next request, or for the TLS
  // handshake); 0 while a request is in progress or once it closes.
  std::atomic<int64_t> idle_since{0};
};

bool Shared::ShedOldestIdle() {
  std::shared_ptr<SessionBase> oldest;
  {
    std::lock_guard lock(registry_mu);
    // A linear scan: this runs only at the connection cap (or out of descriptors), never on a
    // request's path.
    int64_t oldest_since = 0;
    for (auto& [id, entry] : registry) {
      const int64_t since = entry.raw->idle_since.load(std::memory_order_relaxed);
      if (since == 0 || (oldest_since != 0 && since >= oldest_since)) continue;
      if (auto s = entry.weak.lock()) {
        oldest = std::move(s);
        oldest_since = since;
      }
    }
    // Not chosen again by the next accept while its close is on the way.
    if (oldest) oldest->idle_since.store(0, std::memory_order_relaxed);
  }
  if (!oldest) return false;
  oldest->Shed();
  return true;
}

// The Reply handed to the Api for one request. Send() forwards to the session once; releasing
// the last reference without Send() answers 500 so that a lost store callback never leaves the
// connection hanging.
class PendingReply final : public http::ResponseSink {
 public:
  PendingReply(std::shared_ptr<SessionBase> session, std::shared_ptr<Shared> shared)
      : session_(std::move(session)), shared_(std::move(shared)) {
    shared_->inflight.fetch_add(1, std::memory_order_relaxed);
  }
  ~PendingReply() override {
    if (!sent_.exchange(true, std::memory_order_acq_rel)) {
      spdlog::error("a request was dropped without an answer; sending 500");
      session_->Deliver(http::ProblemResponse(Error::Internal("no answer"), ""));
    }
    session_.reset();
    shared_->inflight.fetch_sub(1, std::memory_order_release);
  }
  void Send(http::Response response) override {
    if (sent_.exchange(true, std::memory_order_acq_rel)) return;
    session_->Deliver(std::move(response));
  }

 private:
  std::shared_ptr<SessionBase> session_;
  std::shared_ptr<Shared> shared_;
  std::atomic<bool> sent_{false};
};

template <bool kTls>
class Session final : public SessionBase {
 public:
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

  template <typename... StreamArgs>
  Session(std::shared_ptr<Shared> shared, Strand strand, StreamArgs&&... stream_args)
      : shared_(std::move(shared)),
        strand_(std::move(strand)),
        stream_(std::forward<StreamArgs>(stream_args)...) {
    shared_->sessions.fetch_add(1, std::memory_order_relaxed);
    shared_->api->metrics().ConnectionOpened();
  }

  ~Session() override {
    {
      std::lock_guard lock(shared_->registry_mu);
      shared_->registry.erase(id_);
    }
    shared_->api->metrics().ConnectionClosed();
    shared_->sessions.fetch_sub(1, std::memory_order_release);
  }

  void Start() {
    // Beast reads at most the buffer's free capacity (at least 512 bytes): room for a typical
    // request (header and a ~1 KiB event) means one recv per request instead of two or three.
    buffer_.reserve(kReadBufferBytes);
    {
      std::lock_guard lock(shared_->registry_mu);
      id_ = shared_->next_session_id++;
      shared_->registry.emplace(id_, Shared::Entry{weak_from_this(), this});
    }
    idle_since.store(SteadyNanos(), std::memory_order_relaxed);
    net::dispatch(strand_, [self = Self()] { self->OnStart(); });
  }

  void Deliver(http::Response response) override {
    net::dispatch(strand_, [self = Self(), r = std::move(response)]() mutable {
      self->WriteResponse(std::move(r));
    });
  }

  void BeginShutdown() override {
    net::dispatch(strand_, [self = Self()] { self->OnShutdown(); });
  }

  void Shed() override {
    net::dispatch(strand_, [self = Self()] {
      if (!self->Idle()) return;
      self->shared_->api->metrics().ConnectionShed();
      self->Abort();
    });
  }

 private:
  enum class State { kHandshake, kIdle, kReading, kHandling, kWriting, kClosing };

  std::shared_ptr<Session> Self() { return std::static_pointer_cast<Session>(shared_from_this()); }
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void OnStart() {
    if constexpr (kTls) {
      state_ = State::kHandshake;
      Lowest().expires_after(kHandshakeTimeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = Self()](beast::error_code ec) { self->OnHandshake(ec); });
    } else {
      DoRead();
    }
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) return Abort();
    DoRead();
  }

  void DoRead() {
    if (stopping_ || shared_->stopping.load(std::memory_order_relaxed)) return DoClose();
    state_ = State::kIdle;
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    // No limit while the header is read (Beast would check Content-Length against it at the end
    // of the header); OnHeader checks Content-Length itself and sets the route's limit. Not
    // boost::none: Beast 1.74 compares Content-Length with the optional, and anything > none.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    body_unread_ = false;
    head_request_ = false;
    // Pipelined bytes already buffered: a request is on its way.
    idle_since.store(buffer_.size() == 0 ? SteadyNanos() : 0, std::memory_order_relaxed);
    Lowest().expires_after(std::chrono::seconds(shared_->options.read_timeout_seconds));
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = Self()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    idle_since.store(0, std::memory_order_relaxed);
    if (ec) {
      if (IsParseError(ec)) return RejectMalformed(ec);
      return Abort();
    }
    state_ = State::kReading;
    started_ = SteadyClock::now();
    auto& req = parser_->get();
    version_ = req.version();
    head_request_ = req.method() == bhttp::verb::head;
    std::string_view target = req.target();
    std::string_view path = target.substr(0, target.find('?'));
    // HEAD is GET without the body.
    http::Method method = head_request_ ? http::Method::kGet : MethodOf(req.method());
    match_ = shared_->api->Match(method, path);
    const size_t limit = shared_->api->BodyLimit(match_);
    if (auto length = parser_->content_length(); length && *length > limit) {
      body_unread_ = true;
      return WriteResponse(shared_->api->PayloadTooLarge(match_, path));
    }
    parser_->body_limit(limit);
    if (parser_->is_done()) return Dispatch();
    // Usually the whole (small) body arrived with the header: parse it from the buffer instead of
    // starting another read operation.
    if (buffer_.size() > 0) {
      ec = ParseBuffered();
      if (ec) return OnBody(ec);
      if (parser_->is_done()) return Dispatch();
    } else if (beast::iequals(req[bhttp::field::expect], "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      Lowest().expires_after(kWriteTimeout);
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = Self()](beast::error_code ec, size_t) {
                         if (ec) return self->Abort();
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  // Feeds the body bytes already in `buffer_` to the parser.
  beast::error_code ParseBuffered() {
    beast::error_code ec;
    parser_->eager(true);
    while (buffer_.size() > 0 && !parser_->is_done()) {
      size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_more) return {};
      if (ec || used == 0) break;
    }
    return ec;
  }

  static bool IsParseError(beast::error_code ec) {
    return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
           ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
  }

  // A request the parser refuses: say so, then close (the parser cannot resynchronise).
  void RejectMalformed(beast::error_code ec) {
    body_unread_ = true;
    match_ = {};
    started_ = SteadyClock::now();
    version_ = 11;
    head_request_ = false;
    http::Response r = http::ProblemResponse(
        Error::Invalid(std::string("malformed HTTP request: ") + ec.message()), "");
    if (ec == bhttp::error::header_limit) {
      r.status = 431;
      r.body = http::RenderProblem(431, ErrorCodeName(ErrorCode::kInvalidArgument),
                                   "the request header is larger than 16 KiB", "");
    }
    r.close = true;
    WriteResponse(std::move(r));
  }

  void ReadBody() {
    Lowest().expires_after(std::chrono::seconds(shared_->options.read_timeout_seconds));
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = Self()](beast::error_code ec, size_t) { self->OnBody(ec); });
  }

  void OnBody(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      body_unread_ = true;
      std::string_view target = parser_->get().target();
      return WriteResponse(
          shared_->api->PayloadTooLarge(match_, target.substr(0, target.find('?'))));
    }
    if (ec) {
      if (IsParseError(ec)) return RejectMalformed(ec);
      return Abort();
    }
    Dispatch();
  }

  void Dispatch() {
    state_ = State::kHandling;
    auto& req = parser_->get();
    http::Request request;
    request.method = head_request_ ? http::Method::kGet : MethodOf(req.method());
    request.target = req.target();
    size_t q = request.target.find('?');
    request.path = request.target.substr(0, q);
    if (q != std::string_view::npos) request.query = request.target.substr(q + 1);
    request.authorization = req[bhttp::field::authorization];
    request.admin_token = req["x-loom-admin-token"];
    request.body = req.body();
    request.cookie = req[bhttp::field::cookie];
    request.origin = req[bhttp::field::origin];
    request.host = req[bhttp::field::host];
    request.csrf_token = req["x-csrf-token"];
    request.tls = kTls;
    // The views into `req` stay valid: the parser is only reset after the response is written.
    shared_->api->Handle(match_, request, std::make_shared<PendingReply>(Self(), shared_));
  }

  // Serialises the response head by hand (a few appends into a reused string) rather than
  // through Beast's header container: this runs once per request on the hot path.
  void WriteResponse(http::Response r) {
    if (state_ == State::kClosing) return;
    state_ = State::kWriting;
    shared_->api->metrics().ObserveRequest(
        shared_->api->MetricsIndex(match_),
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started_)
            .count());
    keep_alive_ = !r.close && !body_unread_ && !stopping_ &&
                  !shared_->stopping.load(std::memory_order_relaxed) && parser_ &&
                  parser_->is_header_done() && parser_->get().keep_alive();
    const bool http10 = version_ == 10;
    head_.clear();
    head_ += http10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    head_ += std::to_string(r.status);
    head_ += ' ';
    head_ += bhttp::obsolete_reason(bhttp::int_to_status(static_cast<unsigned>(r.status)));
    head_ += "\r\nContent-Type: ";
    head_ += r.content_type;
    head_ += "\r\nX-Content-Type-Options: nosniff";  // every answer: its type is the one named
    head_ += "\r\nContent-Length: ";
    head_ += std::to_string(r.body.size());
    if (!r.allow.empty()) {
      head_ += "\r\nAllow: ";
      head_ += r.allow;
    }
    if (r.retry_after_seconds > 0) {
      head_ += "\r\nRetry-After: ";
      head_ += std::to_string(r.retry_after_seconds);
    }
    for (const auto& [name, value] : r.headers) {
      head_ += "\r\n";
      head_ += name;
      head_ += ": ";
      head_ += value;
    }
    if (!keep_alive_ && !http10) head_ += "\r\nConnection: close";
    if (keep_alive_ && http10) head_ += "\r\nConnection: keep-alive";
    head_ += "\r\n\r\n";
    body_ = std::move(r.body);
    std::array<net::const_buffer, 2> buffers = {
        net::buffer(head_), head_request_ ? net::const_buffer() : net::buffer(body_)};
    Lowest().expires_after(kWriteTimeout);
    net::async_write(stream_, buffers,
                     [self = Self()](beast::error_code ec, size_t) { self->OnWrite(ec); });
  }

  void OnWrite(beast::error_code ec) {
    std::string().swap(body_);  // an idle keep-alive connection holds no response memory
    if (ec) return Abort();
    if (body_unread_) return Linger();
    if (!keep_alive_) return DoClose();
    DoRead();
  }

  // Nothing of a next request received (or the TLS handshake not done).
  bool Idle() const {
    return state_ == State::kHandshake ||
           (state_ == State::kIdle && buffer_.size() == 0 && parser_ && !parser_->got_some());
  }

  void OnShutdown() {
    stopping_ = true;
    // Idle keep-alive connections close now; a request in progress finishes and its response
    // carries "Connection: close".
    if (Idle()) Abort();
  }

  // Reads and discards what the client still sends (the unread body), then closes.
  void Linger() {
    state_ = State::kClosing;
    if constexpr (!kTls) {
      beast::error_code ignored;
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
    linger_buffer_ = std::make_unique<std::array<char, 16384>>();
    lingered_ = 0;
    Lowest().expires_after(kLingerTimeout);
    ContinueLinger();
  }

  void ContinueLinger() {
    stream_.async_read_some(net::buffer(*linger_buffer_),
                            [self = Self()](beast::error_code ec, size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kLingerMaxBytes) return self->Abort();
                              self->ContinueLinger();
                            });
  }

  // Orderly close: TLS close_notify (under a deadline), then the socket.
  void DoClose() {
    state_ = State::kClosing;
    if constexpr (kTls) {
      Lowest().expires_after(kShutdownTimeout);
      stream_.async_shutdown([self = Self()](beast::error_code) { self->Abort(); });
    } else {
      beast::error_code ignored;
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      Abort();
    }
  }

  // Closes the socket now; pending operations complete with errors and release the session.
  void Abort() {
    state_ = State::kClosing;
    idle_since.store(0, std::memory_order_relaxed);
    Lowest().close();
  }

  std::shared_ptr<Shared> shared_;
  Strand strand_;
  Stream stream_;
  uint64_t id_ = 0;
  State state_ = State::kIdle;
  bool stopping_ = false;
  bool keep_alive_ = false;
  bool body_unread_ = false;
  unsigned version_ = 11;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string head_;  // the response head being written; capacity reused
  std::string body_;  // the response body being written
  bool head_request_ = false;
  http::RouteMatch match_;
  SteadyClock::time_point started_ = SteadyClock::now();
  std::unique_ptr<std::array<char, 16384>> linger_buffer_;
  size_t lingered_ = 0;
};

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
                         options.drills, options.drill_anchor},
        std::move(deps.policy), std::move(deps.oncall), std::move(deps.engine_stats),
        std::move(deps.links), std::move(deps.probes));
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
    if (shared_->tls) {
      std::make_shared<Session<true>>(shared_, strand, std::move(socket), *shared_->tls)->Start();
    } else {
      std::make_shared<Session<false>>(shared_, strand, std::move(socket))->Start();
    }
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
