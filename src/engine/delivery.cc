#include "engine/delivery.h"

#include <spdlog/spdlog.h>

#include <future>
#include <random>

#include "notify/channels.h"

namespace loom {
namespace {

double DefaultJitter() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.5, 1.5)(rng);
}

// Rows of one recipient's method go out together; every other pair is its own destination.
std::string GroupKey(const OutboxEntry& row) { return row.recipient + "\n" + row.method; }

}  // namespace

DeliveryService::DeliveryService(OutboxStore& store, const Clock& clock,
                                 std::shared_ptr<Roster> roster,
                                 std::map<std::string, std::shared_ptr<Channel>> channels,
                                 std::vector<IncidentChannel> incident_channels, Options options)
    : store_(store),
      clock_(clock),
      roster_(std::move(roster)),
      channels_(std::move(channels)),
      options_(std::move(options)),
      empty_(EmptyOnCallSnapshot()) {
  if (!options_.jitter) options_.jitter = DefaultJitter;
  for (const auto& [type, limit] : options_.hourly_limit) budgets_.emplace(type, limit);
  for (IncidentChannel& c : incident_channels) {
    channel_by_recipient_["channel:" + c.service + "/" + c.id] = c;
    channels_by_service_[c.service].push_back(std::move(c));
  }
}

DeliveryService::~DeliveryService() {
  Stop();
  store_.SetOutboxHooks(nullptr, nullptr);
}

SendResult DeliveryService::SendDirect(const Destination& to, const Notice& notice) {
  auto channel = channels_.find(to.type);
  if (channel == channels_.end() || channel->second == nullptr) {
    SendResult none;
    none.outcome = SendResult::Outcome::kRejected;
    none.error = "no " + to.type + " channel is configured";
    return none;
  }
  return channel->second->Send(to, notice);
}

std::shared_ptr<const OnCallSnapshot> DeliveryService::Snapshot() const {
  return roster_ ? roster_->Current() : empty_;
}

Status DeliveryService::Load() {
  // Subscribe first: a row committed between the two steps is then seen twice at worst, and
  // the second copy finds it sent (the re-read before sending drops it). Once: Load runs every
  // second while a PostgreSQL instance leads.
  std::call_once(hooks_installed_, [this] {
    store_.SetOutboxHooks(
        [this](const Incident& incident, const std::vector<TimelineEvent>& events) {
          return ChannelPosts(incident, events, channels_by_service_);
        },
        [this](const std::vector<OutboxEntry>& rows) { Add(rows); });
  });
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Parked: nothing would be kept. Loaded since the last park: the hooks brought the rest.
    if (parked_ || loaded_) return OkStatus();
  }
  Result<std::vector<std::string>> disabled = store_.DisabledDestinations();
  if (!disabled.ok()) return std::move(disabled).error();
  Result<std::vector<OutboxEntry>> pending = store_.PendingOutbox();
  if (!pending.ok()) return std::move(pending).error();
  {
    std::lock_guard<std::mutex> lock(mu_);
    disabled_.insert(disabled->begin(), disabled->end());
  }
  Add(*pending);
  std::lock_guard<std::mutex> lock(mu_);
  loaded_ = !parked_;
  return OkStatus();
}

void DeliveryService::Add(const std::vector<OutboxEntry>& rows) {
  if (rows.empty()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (parked_) return;  // another instance sends them; Load() after Start() brings them back
    for (const OutboxEntry& row : rows) {
      if (row.state != OutboxState::kPending) continue;
      rows_[row.id] = row;
      heap_.push({SteadyUs(row.next_attempt_at.value_or(row.created_at)), row.id});
    }
  }
  timer_.Wake();
}

std::vector<DeliveryService::Job> DeliveryService::TakeDue(std::optional<SteadyTime>* next) {
  const TimePoint now = clock_.Now();
  const int64_t steady_now = clock_.Steady().time_since_epoch().count();
  std::vector<int64_t> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    while (!heap_.empty() && heap_.top().due_us <= steady_now) {
      if (rows_.count(heap_.top().id) != 0) due.push_back(heap_.top().id);
      heap_.pop();
    }
  }
  std::vector<Job> jobs;
  std::vector<DeliveryRecord> dead;
  if (!due.empty()) {
    // Re-read: rows cancelled (acknowledged) or recorded meanwhile are no longer pending.
    Result<std::vector<OutboxEntry>> fresh = store_.PendingOutboxByIds(due);
    const std::shared_ptr<const OnCallSnapshot> oncall = Snapshot();
    std::lock_guard<std::mutex> lock(mu_);
    if (!fresh.ok()) {
      spdlog::warn("delivery: cannot read the outbox: {}", fresh.error().message);
      for (int64_t id : due) {
        heap_.push({SteadyUs(now + std::chrono::seconds(1)), id});
      }
    } else {
      for (int64_t id : due) rows_.erase(id);
      std::map<std::string, std::vector<OutboxEntry>> groups;
      for (OutboxEntry& row : *fresh) {
        rows_[row.id] = row;
        groups[GroupKey(row)].push_back(std::move(row));
      }
      for (auto& [group, rows] : groups) {
        std::string why;
        std::optional<Destination> dest =
            ResolveDestination(rows.front(), *oncall, channel_by_recipient_, &why);
        std::string key = dest ? DestinationKey(*dest) : std::string();
        if (dest && disabled_.count(key) != 0) {
          why = "destination disabled after it answered 410";
        } else if (dest && channels_.count(dest->type) == 0) {
          why = SendsThroughSmtp(dest->type) ? "no SMTP server configured (notify.smtp)"
                                             : "no " + dest->type + " channel configured";
        }
        if (!why.empty()) {
          for (DeliveryRecord& r : DeadRecords(rows, why, now, *oncall)) {
            dead.push_back(std::move(r));
          }
          continue;
        }
        // E-mail while the relay is unreachable: one probe at a time, after its backoff.
        const bool via_relay = SendsThroughSmtp(dest->type);
        const TimePoint relay_retry = std::max(relay_.down_until, now + std::chrono::seconds(1));
        if (via_relay && relay_.failures > 0) {
          if (relay_.probing || now < relay_.down_until) {
            for (const OutboxEntry& row : rows) heap_.push({SteadyUs(relay_retry), row.id});
            continue;
          }
        }
        // The messages: each claimed one as it was first sent (a retry, or a re-send after a
        // restart), then the rows in no message yet — one each, or with a window one bundle.
        std::vector<std::vector<OutboxEntry>> messages;
        std::map<std::string, size_t> by_message;
        std::vector<OutboxEntry> fresh_rows;
        for (OutboxEntry& row : rows) {
          if (row.message_id.empty()) {
            fresh_rows.push_back(std::move(row));
            continue;
          }
          auto [it, added] = by_message.try_emplace(row.message_id, messages.size());
          if (added) messages.emplace_back();
          messages[it->second].push_back(std::move(row));
        }
        const size_t claimed = messages.size();
        const bool bundling = options_.bundle_window > Duration::zero();
        // The person's budget of the type (sms, voice): none left, the rows wait for the next
        // slot; fewer left than messages, they go as one bundle.
        SendBudget* budget = nullptr;
        const std::string person = rows.front().recipient;
        bool bundle_now = false;
        if (auto b = budgets_.find(dest->type); b != budgets_.end() && !fresh_rows.empty()) {
          budget = &b->second;
          const int left = budget->Remaining(person, now);
          // Rows that waited for their slot go together, as do more rows than slots.
          for (const OutboxEntry& row : fresh_rows) {
            if (held_.erase(row.id) > 0) bundle_now = true;
          }
          if (left == 0) {
            const TimePoint slot = budget->NextSlot(person, now);
            for (const OutboxEntry& row : fresh_rows) {
              held_.insert(row.id);
              heap_.push({SteadyUs(slot), row.id});
            }
            fresh_rows.clear();
            bundle_now = false;
          } else if (fresh_rows.size() > static_cast<size_t>(left)) {
            bundle_now = true;
          }
        }
        if (bundle_now) {
          messages.push_back(std::move(fresh_rows));
        } else if (bundling && !fresh_rows.empty()) {
          // At most one new message per window.
          TimePoint not_before = now;
          if (auto last = last_sent_.find(key); last != last_sent_.end()) {
            not_before = last->second + options_.bundle_window;
          }
          if (not_before > now) {
            for (const OutboxEntry& row : fresh_rows) heap_.push({SteadyUs(not_before), row.id});
          } else {
            messages.push_back(std::move(fresh_rows));
          }
        } else {
          for (OutboxEntry& row : fresh_rows) messages.push_back({std::move(row)});
        }
        int& in_flight = in_flight_[key];
        for (size_t i = 0; i < messages.size(); ++i) {
          std::vector<OutboxEntry>& message = messages[i];
          if (via_relay && relay_.failures > 0 && relay_.probing) {
            for (const OutboxEntry& row : message) heap_.push({SteadyUs(relay_retry), row.id});
            continue;
          }
          if (in_flight >= std::max(1, options_.per_destination)) {
            // Sent once a message in flight there finishes (Finished).
            std::vector<int64_t> ids;
            for (const OutboxEntry& row : message) ids.push_back(row.id);
            waiting_rows_ += ids.size();
            waiting_[key].push_back(std::move(ids));
            continue;
          }
          ++in_flight;
          if (bundling) last_sent_[key] = now;
          if (budget != nullptr && i >= claimed) budget->Record(person, now);
          if (via_relay && relay_.failures > 0) relay_.probing = true;
          // A new message claims its rows when later ones may be bundled with them.
          const bool several = message.size() > 1;
          jobs.push_back(
              {key, *dest, std::move(message), /*claim=*/i >= claimed && (bundling || several)});
        }
        if (in_flight == 0) in_flight_.erase(key);
      }
    }
  }
  if (next != nullptr) {
    std::lock_guard<std::mutex> lock(mu_);
    *next = heap_.empty() ? std::nullopt
                          : std::optional<SteadyTime>(SteadyTime(Duration(heap_.top().due_us)));
    stats_.pending = static_cast<int64_t>(heap_.size() + waiting_rows_);
  }
  if (!dead.empty()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.dead += static_cast<int64_t>(dead.size());
    }
    Record(std::move(dead), /*wait=*/next == nullptr);
  }
  return jobs;
}

bool DeliveryService::Claim(const Job& job) {
  std::vector<OutboxClaim> claims;
  for (const OutboxEntry& row : job.rows) claims.push_back({row.id, row.message_id});
  std::promise<Result<int64_t>> claimed;
  std::future<Result<int64_t>> done = claimed.get_future();
  store_.ClaimOutbox(std::move(claims),
                     [&claimed](Result<int64_t> r) { claimed.set_value(std::move(r)); });
  Result<int64_t> r = done.get();
  if (r.ok()) return true;
  // Not sent: the rows are still in no message; try again shortly.
  spdlog::warn("delivery: cannot record a message before sending it: {}", r.error().message);
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_sent_.erase(job.key);
    if (SendsThroughSmtp(job.destination.type)) relay_.probing = false;
    for (const OutboxEntry& row : job.rows) {
      heap_.push({SteadyUs(clock_.Now() + std::chrono::seconds(1)), row.id});
    }
  }
  return false;
}

void DeliveryService::Run(Job job, bool wait) {
  if (job.rows.front().message_id.empty()) {
    const std::string id = MessageId(job.rows);
    for (OutboxEntry& row : job.rows) row.message_id = id;
  }
  if (job.claim && !Claim(job)) {
    Finished(job.key);
    return;
  }
  const TimePoint now = clock_.Now();
  const std::shared_ptr<const OnCallSnapshot> oncall = Snapshot();
  Notice notice = BuildNotice(job.rows, *oncall);
  if (options_.links) {
    const bool to_user = job.rows.front().channel != "channel";
    for (NoticeIncident& incident : notice.incidents) {
      LinkSigner::Links links =
          options_.links(incident.number, notice.recipient, job.destination.type, now);
      if (to_user) incident.ack_url = std::move(links.ack_url);
      incident.open_url = std::move(links.open_url);
      notice.public_url = std::move(links.public_url);
      notice.links_expire_at = links.expires_at;
    }
  }
  SendResult result = channels_.at(job.destination.type)->Send(job.destination, notice);
  const int bundle = static_cast<int>(job.rows.size());
  std::vector<DeliveryRecord> records =
      RecordsFor(job.rows, result, options_.retry, options_.jitter(), bundle, now, *oncall);
  for (DeliveryRecord& r : records) {
    r.message_id = notice.id;
    r.provider_id = result.provider_id;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    switch (result.outcome) {
      case SendResult::Outcome::kDelivered:
        ++stats_.sent;
        if (bundle > 1) stats_.bundled += bundle;
        break;
      case SendResult::Outcome::kRetry: ++stats_.failed; break;
      case SendResult::Outcome::kGone: disabled_.insert(job.key); break;
      case SendResult::Outcome::kRejected: break;
    }
    for (const DeliveryRecord& r : records) {
      if (r.state == OutboxState::kDead) ++stats_.dead;
    }
    // A failed attempt does not hold the window: the retry follows the backoff.
    if (result.outcome != SendResult::Outcome::kDelivered) last_sent_.erase(job.key);
    if (SendsThroughSmtp(job.destination.type)) {
      relay_.probing = false;
      // No SMTP reply at all: the relay itself is unreachable, not this address.
      if (result.outcome == SendResult::Outcome::kRetry && result.status == 0) {
        ++relay_.failures;
        relay_.down_until = now + Backoff(options_.retry, relay_.failures, options_.jitter());
      } else {
        relay_.failures = 0;
      }
    }
  }
  if (result.outcome == SendResult::Outcome::kGone) {
    store_.DisableDestination(
        job.key, "answered " + std::to_string(result.status), [](Result<bool> r) {
          if (!r.ok()) {
            spdlog::warn("delivery: cannot record a disabled destination: {}", r.error().message);
          }
        });
  }
  const std::string key = job.key;
  Record(std::move(records), wait);
  Finished(key);
}

void DeliveryService::Record(std::vector<DeliveryRecord> records, bool wait) {
  if (records.empty()) return;
  // What the rows look like after the record, for the heap.
  std::vector<std::pair<int64_t, std::optional<TimePoint>>> after;
  for (const DeliveryRecord& r : records) {
    after.emplace_back(r.outbox_id, r.state == OutboxState::kPending ? r.next_attempt_at
                                                                     : std::optional<TimePoint>());
  }
  auto promise = std::make_shared<std::promise<void>>();
  std::future<void> done = promise->get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++callbacks_pending_;
  }
  store_.RecordDeliveries(
      std::move(records), [this, after = std::move(after), promise](Result<int64_t> r) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          for (const auto& [id, retry_at] : after) {
            auto row = rows_.find(id);
            if (row == rows_.end()) continue;
            if (!r.ok()) {
              // Not recorded: the row is still pending in the store; try it again shortly
              // (at-least-once towards the channel).
              heap_.push({SteadyUs(clock_.Now() + std::chrono::seconds(1)), id});
            } else if (retry_at) {
              ++row->second.attempts;
              row->second.next_attempt_at = retry_at;
              heap_.push({SteadyUs(*retry_at), id});
            } else {
              rows_.erase(row);
            }
          }
        }
        if (!r.ok()) spdlog::warn("delivery: cannot record an attempt: {}", r.error().message);
        timer_.Wake();
        promise->set_value();
        std::lock_guard<std::mutex> lock(mu_);
        if (--callbacks_pending_ == 0) idle_.notify_all();
      });
  if (wait) done.wait();
}

void DeliveryService::Finished(const std::string& key) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    int busy = 0;
    if (auto in_flight = in_flight_.find(key); in_flight != in_flight_.end()) {
      busy = --in_flight->second;
      if (busy <= 0) in_flight_.erase(in_flight);
    }
    auto waiting = waiting_.find(key);
    if (waiting == waiting_.end()) return;
    // What waited goes next: with a window all of it (the rows in no message yet as one
    // bundle, once the window allows), else as many messages as there are free slots.
    size_t release = options_.bundle_window > Duration::zero()
                         ? waiting->second.size()
                         : static_cast<size_t>(std::max(1, options_.per_destination - busy));
    const int64_t due = clock_.Steady().time_since_epoch().count();
    while (release-- > 0 && !waiting->second.empty()) {
      for (int64_t id : waiting->second.front()) heap_.push({due, id});
      waiting_rows_ -= waiting->second.front().size();
      waiting->second.pop_front();
    }
    if (waiting->second.empty()) waiting_.erase(waiting);
  }
  timer_.Wake();
}

size_t DeliveryService::RunDue() {
  size_t attempted = 0;
  while (true) {
    std::vector<Job> jobs = TakeDue(nullptr);
    if (jobs.empty()) return attempted;
    for (Job& job : jobs) {
      Run(std::move(job), /*wait=*/true);
      ++attempted;
    }
  }
}

void DeliveryService::Start(DeadlineLoop& loop) {
  {
    std::lock_guard<std::mutex> lock(jobs_mu_);
    if (!workers_.empty()) return;
    stopping_ = false;
    {
      std::lock_guard<std::mutex> rows_lock(mu_);
      parked_ = false;
    }
    for (int i = 0; i < std::max(1, options_.workers); ++i) {
      workers_.emplace_back([this] { WorkerLoop(); });
    }
  }
  timer_.Attach(loop);
  if (options_.followups) options_.followups->Start(loop);
}

void DeliveryService::Stop() {
  if (options_.followups) options_.followups->Stop();
  // Off the loop first: no job is handed to the workers once they are told to stop.
  timer_.Detach();
  {
    std::lock_guard<std::mutex> lock(jobs_mu_);
    stopping_ = true;
  }
  jobs_cv_.notify_all();
  for (std::thread& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
  // Records already handed to the store call back into this object.
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return callbacks_pending_ == 0; });
  // Parked: nothing is kept or added until the next Start().
  parked_ = true;
  loaded_ = false;
  heap_ = {};
  rows_.clear();
  held_.clear();
  waiting_.clear();
  waiting_rows_ = 0;
}

std::optional<SteadyTime> DeliveryService::Tick() {
  std::optional<SteadyTime> next;
  std::vector<Job> jobs = TakeDue(&next);
  if (!jobs.empty()) {
    {
      std::lock_guard<std::mutex> lock(jobs_mu_);
      for (Job& job : jobs) jobs_.push_back(std::move(job));
    }
    jobs_cv_.notify_all();
  }
  return next;
}

void DeliveryService::WorkerLoop() {
  while (true) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(jobs_mu_);
      jobs_cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, nothing left
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    Run(std::move(job), /*wait=*/false);
  }
}

DeliveryStats DeliveryService::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  DeliveryStats s = stats_;
  s.pending = static_cast<int64_t>(heap_.size() + waiting_rows_);
  return s;
}

}  // namespace loom
