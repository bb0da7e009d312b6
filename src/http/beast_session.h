// One client connection of the HTTP server (server.cc), after Beast's advanced server example:
// what the sessions share with the server (`Shared`), the interface the server and a pending
// reply use (`SessionBase`), and StartSession for an accepted socket. Internal to the HTTP layer:
// with server.cc and beast_session.cc, the only code that includes Beast and Asio.
//
// A session runs on its own strand: the header is read first so that the route's body limit
// applies before the body is read, every socket operation is under a deadline (tcp_stream's
// expires_after), and the complete request goes to http::Api, whose reply may arrive later from
// the store's writer thread and is posted back onto the strand.
//
// Thread safety: as marked on each member; the rest runs on the session's strand.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "http/api.h"
#include "http/server.h"

namespace loom::http_server {

using tcp = boost::asio::ip::tcp;
using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

// Nanoseconds on the steady clock (the sessions' idle stamps).
int64_t SteadyNanos();

class SessionBase;

// What sessions share with the server and with each other.
struct Shared {
  ServerOptions options;
  std::unique_ptr<http::Api> api;
  std::optional<boost::asio::ssl::context> tls;
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

// Serves the accepted `socket` on `strand`: over TLS when shared->tls is set. The session keeps
// itself alive (and registered in shared->registry) until its connection closes.
void StartSession(const std::shared_ptr<Shared>& shared, Strand strand, tcp::socket socket);

}  // namespace loom::http_server
