#include "engine/drill_deadline.h"

#include <exception>
#include <nlohmann/json.hpp>
#include <string>

#include "common/time_format.h"
#include "core/drill.h"
#include "engine/payload.h"

namespace loom {

Result<std::vector<Incident>> ListDrillIncidents(IncidentStore& store) {
  std::vector<Incident> out;
  IncidentFilter filter;
  filter.drill = true;
  filter.limit = 500;
  while (true) {
    Result<IncidentPage> page = store.ListIncidents(filter);
    if (!page.ok()) return std::move(page).error();
    for (Incident& inc : page->incidents) out.push_back(std::move(inc));
    if (!page->next_cursor) return out;
    filter.before_number = *page->next_cursor;
  }
}

std::vector<DrillRecord> DrillRecordsOf(const std::vector<Incident>& drills) {
  std::vector<DrillRecord> out;
  for (const Incident& inc : drills) out.push_back({inc.number, inc.kind, inc.created_at});
  return out;
}

Deadline DrillDueDeadline(const NextDrill& next, const DrillSettings& settings) {
  Deadline d;
  d.kind = DeadlineKind::kDrillDue;
  d.due_at = next.due_at;
  d.payload_json = nlohmann::json{{"scenario", IncidentKindName(next.scenario)},
                                  {"service", settings.service},
                                  {"every", DrillIntervalText(settings.every)},
                                  {"due", ToUnixMicros(next.due_at)}}
                       .dump();
  return d;
}

Result<NextDrill> RescheduleDrillDue(Store& store, const DrillSettings& settings, TimePoint anchor,
                                     TimePoint now) {
  Result<std::vector<Incident>> drills = ListDrillIncidents(store);
  if (!drills.ok()) return std::move(drills).error();
  NextDrill next = PlanNextDrill(DrillRecordsOf(*drills), settings, anchor, now);
  Result<Deadline> written = AwaitWrite<Deadline>([&](Callback<Deadline> done) {
    store.ScheduleDrillDue(DrillDueDeadline(next, settings), std::move(done));
  });
  if (!written.ok()) return std::move(written).error();
  return next;
}

Result<TimePoint> StartDrillSchedule(const DrillSettings& settings, Store& store, TimePoint now) {
  Result<std::string> anchor = store.GetOrCreateSetting(
      "drills.anchor", [now] { return std::to_string(ToUnixMicros(now)); });
  if (!anchor.ok()) return std::move(anchor).error();
  TimePoint start = now;
  try {
    start = FromUnixMicros(std::stoll(*anchor));
  } catch (const std::exception&) {
    return Error::Internal("the stored drills.anchor setting is not a time: " + *anchor);
  }
  Result<NextDrill> next = RescheduleDrillDue(store, settings, start, now);
  if (!next.ok()) return std::move(next).error();
  return start;
}

DeadlineEffects DecideDrillDue(const Deadline& d, TimePoint now, const OnCallSnapshot& oncall) {
  DeadlineEffects out;
  const nlohmann::json payload = ParsePayload(d.payload_json);
  const std::string service = PayloadString(payload, "service");
  const std::string scenario = PayloadString(payload, "scenario");
  const int64_t due_us = PayloadInt(payload, "due", ToUnixMicros(d.due_at));
  const std::string due = FormatRfc3339(FromUnixMicros(due_us));

  // The next reminder, one interval on, until a drill starts (which replaces it).
  if (Result<DrillInterval> every = ParseDrillInterval(PayloadString(payload, "every"));
      every.ok()) {
    Deadline next;
    next.kind = DeadlineKind::kDrillDue;
    next.due_at = AddDrillInterval(d.due_at, *every);
    // Long overdue (the server was down): one reminder now, the next an interval from now.
    if (next.due_at <= now) next.due_at = AddDrillInterval(now, *every);
    nlohmann::json next_payload = payload;
    next_payload["due"] = ToUnixMicros(next.due_at);
    next.payload_json = next_payload.dump();
    out.deadlines.push_back(std::move(next));
  }

  std::optional<std::string> manager =
      oncall.resolver.HolderAt(service, OnCallRole::kEscalationManager, now);
  if (!manager) return out;  // nobody to tell; the compliance report shows the gap
  const nlohmann::json body = {{"drill_overdue", true},    {"scenario", scenario},
                               {"service", service},       {"due_at", due},
                               {"title", "Drill overdue"}, {"urgency", "low"}};
  OutboxEntry e;
  e.role = OnCallRoleName(OnCallRole::kEscalationManager);
  e.recipient = *manager;
  e.channel = kDrillOverdueKind;
  e.payload_json = body.dump();
  const std::string key = std::string("drill/") + std::to_string(due_us) + "/" + *manager;
  const User* user = oncall.FindUser(*manager);
  std::vector<NotificationRule> rules;
  if (user != nullptr) {
    rules = RulesFor(*user, Urgency::kLow);
    if (rules.empty()) rules = RulesFor(*user, Urgency::kHigh);
  }
  bool added = false;
  for (const NotificationRule& rule : rules) {
    const ContactMethod* method = FindContactMethod(*user, rule.method);
    if (method == nullptr) continue;
    OutboxEntry m = e;
    m.method = method->id;
    m.method_type = method->type;
    m.unique_key = key + "/" + method->id;
    m.next_attempt_at = now + rule.after;
    out.outbox.push_back(std::move(m));
    added = true;
  }
  if (!added) {
    e.unique_key = key;
    e.state = OutboxState::kUndeliverable;
    e.last_error = user != nullptr ? "no contact method" : "not a configured user";
    out.outbox.push_back(std::move(e));
  }
  return out;
}

}  // namespace loom
