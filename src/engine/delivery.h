// DeliveryService: the outbox workers. They send each pending outbox row through its channel
// (src/notify) and record every attempt in the row and the incident's timeline.
//
// Like the escalation engine, the outbox table is the truth and the service keeps a min-heap of
// (due, id): filled from Store::PendingOutbox() at start and from the store's outbox listener
// after every commit — so a fresh page is on its way within microseconds of the commit that
// wrote it, without polling. Before a message goes out its rows are re-read: rows cancelled
// meanwhile (the incident was acknowledged) are dropped. A crash between a send and its record
// resends it after the restart (at-least-once towards the channel; the message id stays the same
// so receivers can deduplicate) but never creates a second page: rows are unique per (incident,
// step, recipient, method).
//
// Messages and bundling: a message is one or more rows to one destination. With
// `bundle_window: 0s` every row is a message of its own, and up to `per_destination` of them are
// in flight to one destination at once (more wait for a free slot, then go, still one each). With
// a window, at most one new message per destination per window: rows that fall due inside it
// wait for its end and then go out as one `bundle` message that says how many notifications it
// carries — a storm of 500 alerts in a minute sends a handful of messages.
//
// A message keeps its id and its rows from its first attempt on: a bundle's rows are claimed
// for it in the store (Store::ClaimOutbox) before it is first sent, retries and a re-send after a
// crash carry the same rows under the same id, and a claimed row never goes into another message
// (rows acknowledged meanwhile are left out). A one-row message needs no claim while nothing is
// bundled: its id comes from the row's unique key (MessageId), and its attempts' records name it.
//
// Per-person limits (Options::hourly_limit, notify.providers.twilio.per_person_hourly for sms and
// voice): at most N new messages of the type to one person in any hour (engine/send_budget.h).
// Beyond it the rows wait for the next slot and then go out together as one bundle ("3 new
// incidents: ..."), whatever the bundle window; when more rows are due at once than slots are
// left, they go as one bundle now. Nothing is dropped.
//
// Failures: retried with exponential backoff and jitter (Retry-After honoured on 429); a 410
// disables the destination (kept in the store); after `max_attempts` the row is dead-lettered and
// the user's next contact method is tried. E-mail goes through one relay for every address: once
// it is unreachable, e-mail waits (unattempted, so no record is written) until one probe message
// gets through, with the retry policy's backoff between probes.
//
// Delivery never blocks ingest or the engine: sends run on their own worker threads and their
// records are ordinary (non-urgent) store writes.
//
// The heap orders rows by steady-clock time (engine/deadline_loop.h), converted from the row's
// wall-clock due time when it is pushed: a step of the wall clock moves no retry.
//
// Two ways to run it: Start(loop) schedules on the process's deadline loop and runs `workers`
// sender threads (production); RunDue() sends what is due at clock.Steady() on the calling thread
// and waits for the records (tests with a FakeClock).
//
// Thread safety: every public method is safe from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "core/roster.h"
#include "engine/deadline_loop.h"
#include "engine/delivery_rules.h"
#include "engine/push_followups.h"
#include "engine/send_budget.h"
#include "engine/stats.h"
#include "notify/action_link.h"
#include "notify/channel.h"
#include "store/outbox_store.h"

namespace loom {

class DeliveryService {
 public:
  struct Options {
    int workers = 4;
    RetryPolicy retry;
    Duration bundle_window = std::chrono::seconds(30);
    // Messages in flight to one destination at once.
    int per_destination = 4;
    // Random factor for backoffs, in [0.5, 1.5); tests pass a constant.
    std::function<double()> jitter;
    // One-click links for (incident number, recipient, via, now): LinkSigner::For in
    // production; null: messages carry no links.
    std::function<LinkSigner::Links(int64_t, const std::string&, const std::string&, TimePoint)>
        links;
    // New messages per person and hour, by channel type ("sms", "voice"); types not listed have
    // no such limit.
    std::map<std::string, int> hourly_limit;
    // Settles Pushover and Telegram pages once acknowledged (engine/push_followups.h): runs
    // while the service runs (Start/Stop); null: none.
    std::shared_ptr<PushFollowUps> followups;
  };

  // `channels`: by Destination::type (a name of notify/channels.h); a type without a channel
  // dead-letters its rows.
  DeliveryService(OutboxStore& store, const Clock& clock, std::shared_ptr<Roster> roster,
                  std::map<std::string, std::shared_ptr<Channel>> channels,
                  std::vector<IncidentChannel> incident_channels, Options options);
  ~DeliveryService();

  // Registers the store hooks (channel fan-out, new rows; once: they stay this service's until it
  // is destroyed) and loads the pending rows and the disabled destinations: before Start/RunDue,
  // and again after a Start() that follows a Stop(). Reads nothing while stopped, nor when it has
  // read them since the last Stop().
  Status Load();
  // Schedules on `loop` and starts the workers. REQUIRES: `loop` outlives the next Stop() (the
  // destructor's).
  void Start(DeadlineLoop& loop);
  // Takes the service off the loop and stops the workers; sends in progress finish and are
  // recorded; then forgets every row and keeps none until Start() (parked: another instance sends
  // them). Idempotent. Start() runs them again (an instance that leads again, see
  // Store::SetLeadershipHooks); call Load() then to bring back what is pending.
  void Stop();

  // Sends every message due at clock.Steady() on this thread and returns after their records
  // committed. Returns how many messages were attempted.
  size_t RunDue();

  DeliveryStats Stats() const;

  // One attempt to send `notice` to `to` through the channel of its type, on the calling thread
  // (blocks up to notify.timeout), outside the outbox: no retry, no record. For what a person
  // waits for on screen (a contact method's verification code, a test notification); kRejected
  // when no channel of the type is configured.
  SendResult SendDirect(const Destination& to, const Notice& notice);

 private:
  struct Job {
    std::string key;  // destination key
    Destination destination;
    std::vector<OutboxEntry> rows;  // one message
    bool claim = false;             // a new message to claim its rows for before the send
  };
  struct HeapEntry {
    int64_t due_us;  // when it is due: SteadyTime's count (see SteadyUs)
    int64_t id;
    bool operator>(const HeapEntry& o) const {
      return due_us != o.due_us ? due_us > o.due_us : id > o.id;
    }
  };

  void Add(const std::vector<OutboxEntry>& rows);
  // Pops what is due, groups it by destination; jobs to send now, the rest rescheduled.
  std::vector<Job> TakeDue(std::optional<SteadyTime>* next);
  // The heap time of the wall-clock instant `due`.
  int64_t SteadyUs(TimePoint due) const {
    return SteadyDeadline(clock_, due).time_since_epoch().count();
  }
  // Sends one job and records its outcome; `wait` blocks until the record committed.
  void Run(Job job, bool wait);
  // Claims a new message's rows for it and waits for the commit; false (the rows rescheduled)
  // when the store could not record it.
  bool Claim(const Job& job);
  void Record(std::vector<DeliveryRecord> records, bool wait);
  void Finished(const std::string& key);
  std::shared_ptr<const OnCallSnapshot> Snapshot() const;
  // The loop timer's callback: hands what is due to the workers; answers when to look again.
  std::optional<SteadyTime> Tick();
  void WorkerLoop();

  OutboxStore& store_;
  const Clock& clock_;
  std::shared_ptr<Roster> roster_;
  std::map<std::string, std::shared_ptr<Channel>> channels_;
  std::map<std::string, IncidentChannel> channel_by_recipient_;
  std::map<std::string, std::vector<IncidentChannel>> channels_by_service_;
  Options options_;
  std::shared_ptr<const OnCallSnapshot> empty_;

  mutable std::mutex mu_;
  std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<>> heap_;  // GUARDED_BY(mu_)
  std::map<int64_t, OutboxEntry> rows_;                                          // GUARDED_BY(mu_)
  bool parked_ = false;  // GUARDED_BY(mu_): stopped; new rows are not kept
  bool loaded_ = false;  // GUARDED_BY(mu_): the pending rows were read since the park
  // Messages in flight per destination, and what waits there for a free slot: each entry the
  // rows of one message (or of one row not yet in a message).
  std::map<std::string, int> in_flight_;                             // GUARDED_BY(mu_)
  std::map<std::string, std::deque<std::vector<int64_t>>> waiting_;  // GUARDED_BY(mu_)
  size_t waiting_rows_ = 0;                                          // GUARDED_BY(mu_)
  std::map<std::string, TimePoint> last_sent_;                       // GUARDED_BY(mu_)
  std::set<std::string> disabled_;                                   // GUARDED_BY(mu_)
  std::map<std::string, SendBudget> budgets_;  // GUARDED_BY(mu_): by channel type, keyed by person
  // GUARDED_BY(mu_): rows waiting for their person's budget (one cancelled meanwhile stays
  // until Stop).
  std::set<int64_t> held_;
  // The SMTP relay's health (see the header comment).
  struct RelayHealth {
    int failures = 0;  // transport failures in a row; 0 = up
    TimePoint down_until{};
    bool probing = false;
  };
  RelayHealth relay_;             // GUARDED_BY(mu_)
  DeliveryStats stats_;           // GUARDED_BY(mu_)
  size_t callbacks_pending_ = 0;  // GUARDED_BY(mu_): store callbacks not yet returned
  std::condition_variable idle_;  // signalled when callbacks_pending_ drops to 0

  std::mutex jobs_mu_;
  std::condition_variable jobs_cv_;
  std::deque<Job> jobs_;   // GUARDED_BY(jobs_mu_)
  bool stopping_ = false;  // GUARDED_BY(jobs_mu_)

  std::vector<std::thread> workers_;  // GUARDED_BY(jobs_mu_) in Start; joined by Stop
  std::once_flag hooks_installed_;
  LoopTimer timer_{[this] { return Tick(); }};  // last: detached before the rest goes
};

}  // namespace loom
