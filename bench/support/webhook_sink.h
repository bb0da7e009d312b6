// The webhook sink of loom-bench-delivery-latency: an HTTP/1.1 server on 127.0.0.1 that answers
// every request 200 at once and records when each page arrived and which incidents it covers.
//
// Thread safety: Start/Stop from one thread; the waits and Snapshot from any thread.
#pragma once

#include <boost/asio.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace loom::bench {

using Steady = std::chrono::steady_clock;

// What the sink saw. Times are steady_clock, comparable with the load generator's.
struct SinkRecord {
  std::unordered_map<std::string, Steady::time_point> first_arrival;  // token → first page
  std::vector<std::pair<Steady::time_point, int>> messages;           // arrival, incidents in it
  int64_t duplicate_pages = 0;  // an incident's page arrived again (in another message)
  int64_t repeated_ids = 0;     // a webhook-id arrived again (a retry after a lost answer)
  int64_t bad_bodies = 0;       // not the notification JSON, or an incident without a token
  std::map<std::string, int64_t> types;  // "type" of each message
  // Distinct incidents by phase: a token is "<run>-l<n>" (latency) or "<run>-t<client>-<n>"
  // (throughput), its phase the part up to the letter after the first '-'.
  std::map<std::string, int64_t> incidents_by_phase;
};

// The phase of an incident token: its part up to the letter after the first '-'.
std::string PhaseOf(const std::string& token);

// An HTTP/1.1 server on 127.0.0.1 with one session per connection, on its own thread. Each
// request is answered 200 with an empty body as soon as it has been read; the arrival is the
// moment its last byte was read.
class Sink {
 public:
  Sink() : acceptor_(io_) {}
  ~Sink() { Stop(); }

  // Binds 127.0.0.1:0 and starts serving. Returns the port, or 0.
  uint16_t Start();

  // Stops serving (idempotent; the destructor calls it).
  void Stop();

  // Blocks until the page for `token` has arrived or `timeout` passed.
  std::optional<Steady::time_point> WaitFor(const std::string& token, Steady::duration timeout);

  // Blocks until the pages of `count` distinct incidents of `phase` have arrived, or nothing
  // arrived for `quiet`. Returns how many there are.
  int64_t WaitForCount(const std::string& phase, int64_t count, Steady::duration quiet);

  // A copy of what the sink saw so far.
  SinkRecord Snapshot();

  // Called by a session with a complete request body (any thread).
  void Arrived(Steady::time_point at, const std::string& webhook_id, const std::string& body);

 private:
  void Accept();

  boost::asio::io_context io_{1};
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  SinkRecord record_;          // GUARDED_BY(mu_)
  std::set<std::string> ids_;  // GUARDED_BY(mu_)
};

}  // namespace loom::bench
