#include "http/beast_session.h"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <limits>
#include <string>

#include "http/problem.h"
#include "http/types.h"

namespace loom::http_server {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
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
    request.twilio_signature = req["x-twilio-signature"];
    request.telegram_secret_token = req["x-telegram-bot-api-secret-token"];
    request.tls = kTls;
    if (peer_.empty()) {
      beast::error_code peer_ec;
      auto peer = Lowest().socket().remote_endpoint(peer_ec);
      if (!peer_ec) peer_ = peer.address().to_string();
    }
    request.client_address = peer_;
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
  std::string peer_;  // the client's IP address, read once per connection (Request::client_address)
  bool head_request_ = false;
  http::RouteMatch match_;
  SteadyClock::time_point started_ = SteadyClock::now();
  std::unique_ptr<std::array<char, 16384>> linger_buffer_;
  size_t lingered_ = 0;
};

}  // namespace

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch())
      .count();
}

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

void StartSession(const std::shared_ptr<Shared>& shared, Strand strand, tcp::socket socket) {
  if (shared->tls) {
    std::make_shared<Session<true>>(shared, std::move(strand), std::move(socket), *shared->tls)
        ->Start();
  } else {
    std::make_shared<Session<false>>(shared, std::move(strand), std::move(socket))->Start();
  }
}

}  // namespace loom::http_server
