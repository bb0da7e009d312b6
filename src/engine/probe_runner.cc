#include "engine/probe_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/time_format.h"

namespace loom {
namespace {

using nlohmann::json;

constexpr char kProbeResult[] = "probe.result";
constexpr char kProbeUnchanged[] = "probe.unchanged";
constexpr Duration kTick = std::chrono::seconds(1);

// What makes two rounds the same result: everything but when and why they ran.
std::string ResultKey(json round) {
  round.erase("at");
  round.erase("trigger");
  return round.dump();
}

bool Active(const Alert& a) { return a.status != "resolved"; }
bool Critical(const Alert& a) {
  return a.raw_severity == "critical" || a.severity == Severity::kSev1;
}

}  // namespace

ProbeRunner::ProbeRunner(IncidentStore& store, const Clock& clock, std::shared_ptr<ProbeHttp> http,
                         std::vector<ProbedService> services)
    : store_(store), clock_(clock), http_(std::move(http)), services_(std::move(services)) {}

ProbeRunner::~ProbeRunner() { Stop(); }

const ProbedService* ProbeRunner::Find(const std::string& service_id) const {
  for (const ProbedService& s : services_) {
    if (s.service_id == service_id) return &s;
  }
  return nullptr;
}

bool ProbeRunner::Probes(const std::string& service_id) const {
  return Find(service_id) != nullptr;
}

Result<std::vector<int64_t>> ProbeRunner::OpenAvailabilityIncidents(const std::string& service_id) {
  IncidentFilter filter;
  filter.service_id = service_id;
  filter.open_only = true;
  filter.limit = 500;
  auto page = store_.ListIncidents(filter);
  if (!page.ok()) return std::move(page).error();
  std::vector<int64_t> out;
  for (const Incident& in : page->incidents) {
    if (in.kind == IncidentKind::kAvailability) out.push_back(in.number);
  }
  return out;
}

std::vector<BlockingAlert> ProbeRunner::ActiveCriticalAlerts(const std::string& service_id) {
  AlertFilter filter;
  filter.service_id = service_id;
  filter.limit = 500;
  auto page = store_.ListAlerts(filter);
  if (!page.ok()) {
    spdlog::warn("probe {}: cannot count firing alerts: {}", service_id, page.error().message);
    return {};
  }
  std::vector<BlockingAlert> out;
  for (const Alert& a : page->alerts) {
    if (!Active(a) || !Critical(a)) continue;
    BlockingAlert b;
    b.incident_number = a.incident_number;
    b.alert_id = a.id;
    b.summary = a.summary;
    b.status = a.status;
    const json details = json::parse(a.details_json, nullptr, false);
    if (const auto labels = details.is_object() ? details.find("labels") : details.end();
        details.is_object() && labels != details.end() && labels->is_object()) {
      for (const auto& [name, value] : labels->items()) {
        if (value.is_string()) b.labels.emplace_back(name, value.get<std::string>());
      }
      if (auto name = labels->find("alertname"); name != labels->end() && name->is_string()) {
        b.name = name->get<std::string>();
      }
    }
    if (b.name.empty()) b.name = a.summary;
    out.push_back(std::move(b));
  }
  // Oldest first: the alert that has blocked longest leads the list.
  std::reverse(out.begin(), out.end());
  return out;
}

Status ProbeRunner::Record(int64_t incident_number, const std::string& type,
                           const std::string& actor, const json& data) {
  Result<TimelineEvent> written = AwaitWrite<TimelineEvent>([&](auto done) {
    store_.RecordIncidentEvent(incident_number, type, actor, data.dump(), done);
  });
  if (!written.ok()) return std::move(written).error();
  return OkStatus();
}

Result<RecordedRound> ProbeRunner::RunRound(const std::string& service_id,
                                            const std::string& trigger, const std::string& actor,
                                            int64_t incident_number) {
  const ProbedService* service = Find(service_id);
  if (service == nullptr) return Error::NotFound("service " + service_id + " has no probe");
  const TimePoint now = clock_.Now();
  RecordedRound out;
  ProbeRound& round = out.round;
  round.reading = ProbeLoomNode(*http_, service->target, now);
  const std::vector<BlockingAlert> critical = ActiveCriticalAlerts(service_id);
  round.firing_critical_alerts = static_cast<int>(critical.size());
  {
    std::lock_guard lock(mu_);
    ServiceState& state = state_[service_id];
    const LoomReading* previous = state.last_reading ? &*state.last_reading : nullptr;
    round.triage = ClassifyLoomSignals(round.reading, previous, service->thresholds);
    round.recovery = CheckRecovery(round.reading, service->thresholds, critical);
    state.last_reading = round.reading;
    state.last_round_at = now;
    state.last_round = round;
  }
  out.json = ProbeRoundJson(round, service_id, service->target.base_url, trigger);

  auto incidents = OpenAvailabilityIncidents(service_id);
  if (!incidents.ok()) return std::move(incidents).error();
  std::vector<int64_t> targets = std::move(*incidents);
  if (incident_number != 0 &&
      std::find(targets.begin(), targets.end(), incident_number) == targets.end()) {
    targets.push_back(incident_number);
  }
  for (int64_t number : targets) {
    Result<bool> folded = RecordRound(number, service_id, trigger, actor, out, now);
    if (!folded.ok()) return std::move(folded).error();
    out.recorded.push_back(number);
    if (*folded) out.folded.push_back(number);
  }
  return out;
}

Result<bool> ProbeRunner::RecordRound(int64_t incident_number, const std::string& service_id,
                                      const std::string& trigger, const std::string& actor,
                                      const RecordedRound& round, TimePoint now) {
  std::string result = ResultKey(round.json);
  bool fold = false;
  {
    std::lock_guard lock(mu_);
    auto it = streaks_.find(incident_number);
    if (trigger == "schedule" && it != streaks_.end() && it->second.result == result) {
      Streak& streak = it->second;
      if (streak.pending == 0) streak.from = now;
      streak.through = now;
      ++streak.pending;
      ++streak.total;
      if (now < streak.last_entry_at + kUnchangedEvery) return true;
      fold = true;  // counted, and the streak is due an entry
    }
  }
  // The count so far goes before a new result (or is the entry the streak is due).
  if (Status s = FlushUnchanged(incident_number); !s.ok()) return std::move(s).error();
  if (fold) return true;
  Result<TimelineEvent> written = AwaitWrite<TimelineEvent>([&](auto done) {
    store_.RecordIncidentEvent(incident_number, kProbeResult, actor, round.json.dump(), done);
  });
  if (!written.ok()) return std::move(written).error();
  std::lock_guard lock(mu_);
  Streak& streak = streaks_[incident_number];
  streak = Streak{};
  streak.service_id = service_id;
  streak.result = std::move(result);
  streak.result_seq = written->seq;
  streak.last_entry_at = now;
  return false;
}

Status ProbeRunner::FlushUnchanged(int64_t incident_number) {
  json data;
  {
    std::lock_guard lock(mu_);
    auto it = streaks_.find(incident_number);
    if (it == streaks_.end() || it->second.pending == 0) return OkStatus();
    Streak& streak = it->second;
    data = {{"result_seq", streak.result_seq},
            {"count", streak.pending},
            {"total", streak.total},
            {"from", FormatRfc3339(streak.from)},
            {"through", FormatRfc3339(streak.through)}};
    streak.pending = 0;
    streak.last_entry_at = streak.through;
  }
  return Record(incident_number, kProbeUnchanged, "system", data);
}

void ProbeRunner::FlushClosed(const std::string& service_id, const std::vector<int64_t>& open) {
  std::vector<int64_t> closed;
  {
    std::lock_guard lock(mu_);
    for (const auto& [number, streak] : streaks_) {
      if (streak.service_id == service_id &&
          std::find(open.begin(), open.end(), number) == open.end()) {
        closed.push_back(number);
      }
    }
  }
  for (int64_t number : closed) {
    if (Status s = FlushUnchanged(number); !s.ok()) {
      spdlog::warn("probe {}: cannot record the unchanged rounds: {}", service_id,
                   s.error().message);
    }
    std::lock_guard lock(mu_);
    streaks_.erase(number);
  }
}

void ProbeRunner::FlushAll() {
  for (const ProbedService& service : services_) FlushClosed(service.service_id, {});
}

int ProbeRunner::RunDue() {
  if (!scheduled_) {
    // Another instance runs the scheduled rounds now: the counts end here, on the timeline.
    FlushAll();
    return 0;
  }
  int rounds = 0;
  for (const ProbedService& service : services_) {
    CheckAutoResolved(service);
    auto open = OpenAvailabilityIncidents(service.service_id);
    if (!open.ok()) {
      spdlog::warn("probe {}: cannot list incidents: {}", service.service_id, open.error().message);
      continue;
    }
    FlushClosed(service.service_id, *open);
    if (open->empty()) continue;
    {
      std::lock_guard lock(mu_);
      const ServiceState& state = state_[service.service_id];
      const bool unread = std::any_of(open->begin(), open->end(),
                                      [&](int64_t number) { return !streaks_.contains(number); });
      if (!unread && state.last_round_at &&
          clock_.Now() < *state.last_round_at + service.interval) {
        continue;
      }
    }
    auto round = RunRound(service.service_id, "schedule", "system", 0);
    if (!round.ok()) {
      spdlog::warn("probe {}: cannot record the round: {}", service.service_id,
                   round.error().message);
    }
    ++rounds;
  }
  return rounds;
}

// PagerDuty and Alertmanager users expect a resolve from the monitoring source to resolve the
// incident (with `auto_resolve`): it is not gated, but the node is probed once afterwards and
// the verdict recorded, so the timeline says whether the node had really recovered.
void ProbeRunner::CheckAutoResolved(const ProbedService& service) {
  IncidentFilter filter;
  filter.service_id = service.service_id;
  filter.state = IncidentState::kResolved;
  filter.limit = 10;
  auto page = store_.ListIncidents(filter);
  if (!page.ok()) return;
  const TimePoint now = clock_.Now();
  for (const Incident& in : page->incidents) {
    if (in.kind != IncidentKind::kAvailability || !in.resolved_at ||
        *in.resolved_at + kAutoResolveWindow < now) {
      continue;
    }
    {
      std::lock_guard lock(mu_);
      if (!auto_resolve_checked_.insert(in.number).second) continue;
    }
    auto detail = store_.GetIncident(in.number);
    if (!detail.ok() || !detail->has_value()) continue;
    bool by_source = false, checked = false;
    for (const TimelineEvent& e : (*detail)->timeline) {
      if (e.type == "incident.resolved") by_source = e.actor.starts_with("integration:");
      if (e.type == "recovery.auto_resolve_checked") checked = true;
    }
    if (!by_source || checked) continue;
    auto round = RunRound(service.service_id, "auto_resolve", "system", in.number);
    if (!round.ok()) continue;
    const RecoveryCheck& rc = round->round.recovery;
    Status s = Record(in.number, "recovery.auto_resolve_checked", "system",
                      {{"passed", rc.passed},
                       {"failures", rc.failures},
                       {"failed_checks", rc.failed_checks},
                       {"notes", rc.notes}});
    if (!s.ok()) spdlog::warn("probe {}: {}", service.service_id, s.error().message);
  }
}

Result<RecoveryDecision> ProbeRunner::VerifyForResolve(int64_t incident_number,
                                                       const std::string& service_id,
                                                       const std::string& override_reason,
                                                       const std::string& actor) {
  const ProbedService* service = Find(service_id);
  if (service == nullptr) return Error::NotFound("service " + service_id + " has no probe");
  RecoveryDecision decision;
  std::optional<ProbeRound> fresh;
  {
    std::lock_guard lock(mu_);
    const ServiceState& state = state_[service_id];
    if (state.last_round && state.last_round_at &&
        clock_.Now() < *state.last_round_at + kFreshRound) {
      fresh = state.last_round;
    }
  }
  if (fresh) {
    // Alerts may have been resolved since the round: count them again.
    const std::vector<BlockingAlert> critical = ActiveCriticalAlerts(service_id);
    fresh->firing_critical_alerts = static_cast<int>(critical.size());
    fresh->recovery = CheckRecovery(fresh->reading, service->thresholds, critical);
  }
  if (fresh && fresh->recovery.passed) {
    decision.round = ProbeRoundJson(*fresh, service_id, service->target.base_url, "resolve");
    decision.recovery = fresh->recovery;
  } else {
    auto round = RunRound(service_id, "resolve", actor, incident_number);
    if (!round.ok()) return std::move(round).error();
    decision.round = std::move(round->json);
    decision.recovery = round->round.recovery;
  }
  decision.passed = decision.recovery.passed;
  // The identical rounds counted before a reused round go on the timeline before the verdict.
  if (Status s = FlushUnchanged(incident_number); !s.ok()) return std::move(s).error();
  const RecoveryCheck& rc = decision.recovery;
  if (decision.passed) {
    Status s = Record(incident_number, "recovery.verified", actor,
                      {{"probe_at", decision.round["at"]}, {"notes", rc.notes}});
    if (!s.ok()) return std::move(s).error();
  } else if (!override_reason.empty()) {
    decision.overridden = true;
    Status s = Record(incident_number, "recovery.override", actor,
                      {{"reason", override_reason},
                       {"probe_at", decision.round["at"]},
                       {"failures", rc.failures},
                       {"failed_checks", rc.failed_checks}});
    if (!s.ok()) return std::move(s).error();
  }
  return decision;
}

void ProbeRunner::Post(std::function<void()> job) {
  {
    std::lock_guard lock(jobs_mu_);
    if (stopping_) return;
    jobs_.push_back(std::move(job));
  }
  jobs_cv_.notify_all();
}

void ProbeRunner::Start(DeadlineLoop& loop) {
  if (services_.empty() || worker_.joinable()) return;
  timer_.Attach(loop);
  worker_ = std::thread([this] { WorkerLoop(); });
}

std::optional<SteadyTime> ProbeRunner::Tick() {
  {
    std::lock_guard lock(jobs_mu_);
    tick_ = true;
  }
  jobs_cv_.notify_all();
  return std::nullopt;  // the worker schedules the next tick after its RunDue
}

void ProbeRunner::Stop() {
  {
    std::lock_guard lock(jobs_mu_);
    // The counts of identical rounds not yet written go on the timeline before the worker ends.
    if (!stopping_ && worker_.joinable()) jobs_.push_back([this] { FlushAll(); });
    stopping_ = true;
  }
  jobs_cv_.notify_all();
  timer_.Detach();
  if (worker_.joinable()) worker_.join();
}

void ProbeRunner::WorkerLoop() {
  while (true) {
    while (true) {
      std::function<void()> job;
      {
        std::lock_guard lock(jobs_mu_);
        if (jobs_.empty()) break;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
    {
      std::lock_guard lock(jobs_mu_);
      if (stopping_) return;
      tick_ = false;
    }
    RunDue();
    timer_.Schedule(clock_.Steady() + kTick);
    std::unique_lock lock(jobs_mu_);
    jobs_cv_.wait(lock, [this] { return tick_ || stopping_ || !jobs_.empty(); });
  }
}

}  // namespace loom
