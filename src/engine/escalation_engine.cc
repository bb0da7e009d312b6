#include "engine/escalation_engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>

#include "engine/deadline_rules.h"

namespace loom {

EscalationEngine::EscalationEngine(DeadlineStore& store, const Clock& clock,
                                   std::shared_ptr<const SeverityPolicy> policy,
                                   std::shared_ptr<Roster> roster, Options options)
    : store_(store),
      clock_(clock),
      policy_(std::move(policy)),
      roster_(std::move(roster)),
      options_(std::move(options)),
      empty_(EmptyOnCallSnapshot()) {}

EscalationEngine::~EscalationEngine() {
  Stop();
  store_.SetDeadlineHooks(nullptr, nullptr);
}

Status EscalationEngine::Load() {
  // Subscribe first: a deadline committed between the two steps is then seen at least once
  // (twice is harmless: the second firing finds it fired and does nothing). Once: Load runs
  // every second while a PostgreSQL instance leads.
  std::call_once(hooks_installed_, [this] {
    store_.SetDeadlineHooks(
        [this](const std::vector<Deadline>& created) { Add(created); },
        [this](const Deadline& d, const std::optional<Incident>& incident, TimePoint now) {
          return DecideDeadline(d, incident, now, *policy_, *Snapshot());
        });
  });
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Parked: nothing would be kept. Loaded since the last park: the hooks brought the rest.
    if (parked_ || loaded_) return OkStatus();
  }
  Result<std::vector<Deadline>> pending = store_.PendingDeadlines();
  if (!pending.ok()) return std::move(pending).error();
  Add(*pending);
  std::lock_guard<std::mutex> lock(mu_);
  loaded_ = !parked_;
  return OkStatus();
}

void EscalationEngine::Add(const std::vector<Deadline>& deadlines) {
  if (deadlines.empty()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (parked_) return;  // another instance fires them; Load() after Start() brings them back
    for (const Deadline& d : deadlines) {
      heap_.push({SteadyDeadline(clock_, d.due_at).time_since_epoch().count(), d.id,
                  ToUnixMicros(d.due_at)});
    }
  }
  timer_.Wake();
}

std::vector<EscalationEngine::Entry> EscalationEngine::PopDue(std::optional<SteadyTime>* next) {
  const int64_t now = clock_.Steady().time_since_epoch().count();
  std::vector<Entry> due;
  std::lock_guard<std::mutex> lock(mu_);
  while (!heap_.empty() && heap_.top().steady_us <= now && in_flight_ < options_.max_in_flight) {
    due.push_back(heap_.top());
    heap_.pop();
    ++in_flight_;
  }
  if (next != nullptr) {
    if (heap_.empty() || in_flight_ >= options_.max_in_flight) {
      *next = std::nullopt;  // woken by Add or by a completion
    } else {
      *next = SteadyTime(Duration(heap_.top().steady_us));
    }
  }
  return due;
}

void EscalationEngine::Fire(std::vector<Entry> due, std::function<void()> done) {
  if (due.empty()) {
    if (done) done();
    return;
  }
  auto remaining = std::make_shared<std::atomic<size_t>>(due.size());
  auto all_done = std::make_shared<std::function<void()>>(std::move(done));
  const std::shared_ptr<const SeverityPolicy> policy = policy_;
  const std::shared_ptr<const OnCallSnapshot> oncall = Snapshot();
  DeadlineHandler handler =
      [policy, oncall](const Deadline& d, const std::optional<Incident>& incident, TimePoint now) {
        return DecideDeadline(d, incident, now, *policy, *oncall);
      };
  {
    std::lock_guard<std::mutex> lock(mu_);
    callbacks_pending_ += due.size();
  }
  for (const Entry& e : due) {
    store_.FireDeadline(e.id, handler, [this, e, remaining, all_done](Result<DeadlineFiring> r) {
      Completed(e, r);
      if (remaining->fetch_sub(1) == 1 && *all_done) (*all_done)();
      std::lock_guard<std::mutex> lock(mu_);
      if (--callbacks_pending_ == 0) idle_.notify_all();
    });
  }
}

void EscalationEngine::Completed(const Entry& e, const Result<DeadlineFiring>& r) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    --in_flight_;
    if (!r.ok()) {
      // The store is busy or failing: try again later; the row is still pending.
      ++stats_.retries;
      heap_.push(
          {(clock_.Steady() + options_.retry_delay).time_since_epoch().count(), e.id, e.due_us});
    } else if (r->fired) {
      ++stats_.fired;
      const double late = std::max<int64_t>(0, ToUnixMicros(r->fired_at) - e.due_us) / 1e6;
      stats_.lateness_sum_seconds += late;
      size_t bucket = 0;
      while (bucket < std::size(EngineStats::kBounds) && late > EngineStats::kBounds[bucket]) {
        ++bucket;
      }
      ++stats_.lateness_buckets[bucket];
    }
  }
  if (!r.ok()) {
    spdlog::warn("deadline {} could not fire: {}", e.id, r.error().message);
  } else if (options_.on_fired) {
    options_.on_fired(e.id, FromUnixMicros(e.due_us), *r);
  }
  timer_.Wake();
}

size_t EscalationEngine::RunDue() {
  size_t fired = 0;
  while (true) {
    std::vector<Entry> due = PopDue(nullptr);
    if (due.empty()) return fired;
    fired += due.size();
    std::mutex m;
    std::condition_variable cv;
    bool finished = false;
    Fire(std::move(due), [&] {
      std::lock_guard<std::mutex> lock(m);
      finished = true;
      cv.notify_all();
    });
    std::unique_lock<std::mutex> lock(m);
    cv.wait(lock, [&] { return finished; });
  }
}

std::optional<SteadyTime> EscalationEngine::Tick() {
  std::optional<SteadyTime> next;
  std::vector<Entry> due = PopDue(&next);
  if (due.empty()) return next;
  Fire(std::move(due), nullptr);
  return clock_.Steady();  // at once again: firing may have made more due
}

void EscalationEngine::Start(DeadlineLoop& loop) {
  if (started_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    parked_ = false;
  }
  timer_.Attach(loop);
}

void EscalationEngine::Stop() {
  timer_.Detach();
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return callbacks_pending_ == 0; });
  // Parked: nothing is kept or added until the next Start().
  parked_ = true;
  loaded_ = false;
  heap_ = {};
  started_ = false;
}

std::shared_ptr<const OnCallSnapshot> EscalationEngine::Snapshot() const {
  return roster_ ? roster_->Current() : empty_;
}

EngineStats EscalationEngine::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  EngineStats s = stats_;
  s.pending = static_cast<int64_t>(heap_.size());
  // Cumulative buckets, as Prometheus wants them.
  for (size_t i = 1; i < std::size(s.lateness_buckets); ++i) {
    s.lateness_buckets[i] += s.lateness_buckets[i - 1];
  }
  return s;
}

}  // namespace loom
