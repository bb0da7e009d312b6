#include "engine/deadline_rules.h"

#include <nlohmann/json.hpp>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "core/cadence.h"
#include "core/escalation.h"
#include "core/maintenance.h"
#include "engine/drill_deadline.h"
#include "engine/followup_rules.h"
#include "engine/payload.h"

namespace loom {
namespace {

using nlohmann::json;

void AddEvent(DeadlineEffects& out, const char* type, const json& data) {
  out.events.push_back({type, data.dump()});
}

json IncidentSummary(const Incident& inc) {
  json summary = {{"incident", inc.id()},
                  {"title", inc.title},
                  {"severity", SeverityName(inc.severity)},
                  {"kind", IncidentKindName(inc.kind)},
                  {"service", inc.service_id}};
  if (inc.drill) summary["drill"] = true;  // every message about a drill says DRILL
  return summary;
}

}  // namespace

void AddUserMessages(const std::string& key_prefix, const std::string& kind,
                     const std::string& role, int step, const std::string& user, json body,
                     Urgency urgency, const OnCallSnapshot& oncall, TimePoint now,
                     DeadlineEffects& out) {
  body["urgency"] = UrgencyName(urgency);
  AddUserMessagesWithPayload(key_prefix, kind, role, step, user, body.dump(), urgency, oncall, now,
                             out);
}

void AddUserMessagesWithPayload(const std::string& key_prefix, const std::string& kind,
                                const std::string& role, int step, const std::string& user,
                                std::string payload_json, Urgency urgency,
                                const OnCallSnapshot& oncall, TimePoint now, DeadlineEffects& out) {
  OutboxEntry e;
  e.step = step;
  e.role = role;
  e.recipient = user;
  e.channel = kind;
  e.payload_json = std::move(payload_json);
  const User* u = oncall.FindUser(user);
  const std::vector<NotificationRule> rules =
      u != nullptr ? RulesFor(*u, urgency) : std::vector<NotificationRule>{};
  if (rules.empty()) {
    e.unique_key = key_prefix + "/" + user;
    e.state = OutboxState::kUndeliverable;
    e.last_error = u != nullptr ? "no contact method" : "not a configured user";
    out.outbox.push_back(std::move(e));
    return;
  }
  for (const NotificationRule& rule : rules) {
    const ContactMethod* method = FindContactMethod(*u, rule.method);
    if (method == nullptr) continue;  // the config loader refuses this; be safe
    OutboxEntry m = e;
    m.method = method->id;
    m.method_type = method->type;
    m.unique_key = key_prefix + "/" + user + "/" + method->id;
    m.next_attempt_at = now + rule.after;
    out.outbox.push_back(std::move(m));
  }
}

namespace {

// Outbox rows and timeline event for one notification of an escalation step. Every new incident
// takes this path, so its JSON is written directly: IncidentSummary's fields with the step, role
// and urgency, keys in nlohmann's (sorted) order as before.
void Notify(const Incident& inc, int64_t arm, int step, const std::string& role, ContactKind kind,
            const std::string& user, const OnCallSnapshot& oncall, TimePoint now,
            DeadlineEffects& out) {
  const std::string channel = ContactKindName(kind);
  const std::string id = inc.id();
  const Urgency urgency = UrgencyOf(inc.severity);
  JsonObjectWriter body;
  if (inc.drill) body.AddBool("drill", true);  // every message about a drill says DRILL
  body.Add("incident", id)
      .Add("kind", IncidentKindName(inc.kind))
      .Add("role", role)
      .Add("service", inc.service_id)
      .Add("severity", SeverityName(inc.severity))
      .Add("step", int64_t{step})
      .Add("title", inc.title)
      .Add("urgency", UrgencyName(urgency));
  AddUserMessagesWithPayload(
      id + "/arm" + std::to_string(arm) + "/step" + std::to_string(step) + "/" + channel, channel,
      role, step, user, body.Finish(), urgency, oncall, now, out);
  out.events.push_back({"escalation.notified", JsonObjectWriter()
                                                   .Add("method", channel)
                                                   .Add("role", role)
                                                   .Add("step", int64_t{step})
                                                   .Add("user", user)
                                                   .Finish()});
}

// Step 0 of a reassigned incident: page the assignee instead of the primary, then go on with the
// plan's step 1 one ack target later.
void PageAssignee(const Incident& inc, const std::string& assignee, int64_t arm,
                  const EscalationPlan& plan, const SeverityRule& rule,
                  const OnCallSnapshot& oncall, TimePoint now, DeadlineEffects& out) {
  if (inc.state != IncidentState::kTriggered) return;
  const BusinessCalendar* calendar = oncall.CalendarOf(inc.service_id);
  Notify(inc, arm, 0, "assignee", rule.page ? ContactKind::kPage : ContactKind::kTicket, assignee,
         oncall, now, out);
  if (plan.steps.size() < 2) {
    AddEvent(out, "escalation.exhausted", {{"step", 0}});
    return;
  }
  const Duration delay = plan.steps[1].delay;
  Deadline next;
  next.kind = DeadlineKind::kEscalate;
  next.due_at = calendar != nullptr && plan.basis != TimeBasis::kWall
                    ? calendar->AddBusinessTime(now, delay)
                    : now + delay;
  next.payload_json = json{{"arm", arm}, {"step", 1}}.dump();
  out.deadlines.push_back(std::move(next));
}

// The step waits for the end of the maintenance its service is in (core/maintenance.h): the same
// payload again at hold.until, marked "held" with the windows, so that ending one of them early
// finds it (store/maintenance_store.h).
void HoldStep(json payload, const MaintenanceHold& hold, int64_t arm, int step,
              DeadlineEffects& out) {
  AddEvent(out, "maintenance.held",
           {{"windows", hold.windows},
            {"reason", hold.reason},
            {"until", FormatRfc3339(hold.until)},
            {"step", step}});
  payload["arm"] = arm;  // the arm stays the same one: its pages keep their keys
  payload["held"] = hold.windows;
  Deadline again;
  again.kind = DeadlineKind::kEscalate;
  again.due_at = hold.until;
  again.payload_json = payload.dump();
  out.deadlines.push_back(std::move(again));
}

void Escalate(const Deadline& d, const Incident& inc, TimePoint now, const SeverityPolicy& policy,
              const OnCallSnapshot& oncall, DeadlineEffects& out) {
  const json payload = ParsePayload(d.payload_json);
  const int step = static_cast<int>(PayloadInt(payload, "step", 0));
  const int64_t arm = PayloadInt(payload, "arm", d.id);
  if (const MaintenanceHold* hold = EscalationHeldBy(inc, now)) {
    HoldStep(payload, *hold, arm, step, out);
    return;
  }
  if (auto held = payload.find("held");
      held != payload.end() && inc.state == IncidentState::kTriggered) {
    // Held until the scheduled end of the maintenance, which has come.
    AddEvent(out, "maintenance.ended", {{"windows", *held}, {"step", step}});
  }
  if (auto it = payload.find("assignee"); step == 0 && it != payload.end() && it->is_string()) {
    const SeverityRule& rule = policy.For(inc.severity);
    PageAssignee(inc, it->get<std::string>(), arm, PlanEscalation(rule, inc.kind, policy.repeat),
                 rule, oncall, now, out);
    return;
  }
  if (!oncall.resolver.HasService(inc.service_id)) {
    // No roles configured for the service at all: nobody can be paged; say so once.
    if (inc.state == IncidentState::kTriggered && step == 0) {
      AddEvent(out, "escalation.unrouted",
               {{"reason", "service " + inc.service_id + " has no on-call roles configured"}});
    }
    return;
  }
  const EscalationPlan plan = PlanEscalation(policy.For(inc.severity), inc.kind, policy.repeat);
  const StepDecision decision = DecideEscalationStep(inc, plan, step, oncall.resolver,
                                                     oncall.CalendarOf(inc.service_id), now);
  if (decision.stop) return;

  for (const Notification& n : decision.notifications) {
    Notify(inc, arm, step, OnCallRoleName(n.role), n.kind, n.user, oncall, now, out);
  }
  for (OnCallRole role : decision.skipped) {
    AddEvent(out, "escalation.role_skipped",
             {{"step", step}, {"role", OnCallRoleName(role)}, {"reason", "nobody on call"}});
  }
  if (decision.next_step && decision.next_due) {
    Deadline next;
    next.kind = DeadlineKind::kEscalate;
    next.due_at = *decision.next_due;
    next.payload_json = json{{"arm", arm}, {"step", *decision.next_step}}.dump();
    out.deadlines.push_back(std::move(next));
  } else {
    AddEvent(out, "escalation.exhausted", {{"step", step}});
  }
}

bool AwaitsUpdates(const Incident& inc) {
  return inc.state == IncidentState::kAcknowledged || inc.state == IncidentState::kMitigated;
}

void PlanUpdate(const Incident& inc, const SeverityRule& rule, const CadenceState& cadence,
                TimePoint now, DeadlineEffects& out) {
  std::optional<TimePoint> due = NextUpdateDue(inc, rule, cadence);
  if (!due) return;
  const std::string due_json = json{{"due", ToUnixMicros(*due)}}.dump();
  TimePoint remind = ReminderTime(*due, rule);
  if (remind < now) remind = now;
  if (remind < *due)
    out.deadlines.push_back({0, 0, DeadlineKind::kUpdateReminder, remind, due_json});
  out.deadlines.push_back({0, 0, DeadlineKind::kUpdateDue, *due, due_json});
}

void Cadence(const Deadline& d, const Incident& inc, TimePoint now, const SeverityPolicy& policy,
             DeadlineEffects& out) {
  if (!AwaitsUpdates(inc)) return;
  const json payload = ParsePayload(d.payload_json);
  CadenceState cadence;
  cadence.last_update_at = FromUnixMicros(PayloadInt(payload, "last_update_at", ToUnixMicros(now)));
  if (payload.contains("promised_next_at")) {
    cadence.promised_next_at = FromUnixMicros(PayloadInt(payload, "promised_next_at", 0));
  }
  PlanUpdate(inc, policy.For(inc.severity), cadence, now, out);
}

void UpdateReminder(const Deadline& d, const Incident& inc, const OnCallSnapshot& oncall,
                    TimePoint now, DeadlineEffects& out) {
  if (!AwaitsUpdates(inc) || inc.commander.empty()) return;
  const int64_t due = PayloadInt(ParsePayload(d.payload_json), "due", ToUnixMicros(d.due_at));
  json body = IncidentSummary(inc);
  body["update_due_at"] = FormatRfc3339(FromUnixMicros(due));
  // The commander is "user:<id>" or "token:<name>" or a bare user id.
  std::string commander = inc.commander;
  if (commander.rfind("user:", 0) == 0) commander = commander.substr(5);
  AddUserMessages(inc.id() + "/update" + std::to_string(due) + "/reminder", "reminder", "commander",
                  0, commander, std::move(body), UrgencyOf(inc.severity), oncall, now, out);
  AddEvent(out, "update.reminder",
           {{"commander", inc.commander}, {"due_at", FormatRfc3339(FromUnixMicros(due))}});
}

void UpdateDue(const Deadline& d, const Incident& inc, TimePoint now, const SeverityPolicy& policy,
               const OnCallSnapshot& oncall, DeadlineEffects& out) {
  if (!AwaitsUpdates(inc)) return;
  const int64_t due = PayloadInt(ParsePayload(d.payload_json), "due", ToUnixMicros(d.due_at));
  const SeverityRule& rule = policy.For(inc.severity);
  AddEvent(out, "update.missed", {{"due_at", FormatRfc3339(FromUnixMicros(due))}});
  if (rule.page) {
    std::optional<std::string> manager =
        oncall.resolver.HolderAt(inc.service_id, OnCallRole::kEscalationManager, now);
    if (manager) {
      const std::string role = OnCallRoleName(OnCallRole::kEscalationManager);
      const std::string channel = ContactKindName(ContactKind::kNotify);
      json body = IncidentSummary(inc);
      body["missed_update_due_at"] = FormatRfc3339(FromUnixMicros(due));
      AddUserMessages(inc.id() + "/update" + std::to_string(due) + "/" + channel, channel, role, 0,
                      *manager, std::move(body), UrgencyOf(inc.severity), oncall, now, out);
      AddEvent(out, "escalation.notified",
               {{"role", role},
                {"user", *manager},
                {"method", channel},
                {"reason", "missed status update"}});
    } else {
      AddEvent(
          out, "escalation.role_skipped",
          {{"role", OnCallRoleName(OnCallRole::kEscalationManager)}, {"reason", "nobody on call"}});
    }
  }
  // The next update is due one cadence after the missed one.
  CadenceState cadence;
  cadence.last_update_at = FromUnixMicros(due);
  PlanUpdate(inc, rule, cadence, now, out);
}

}  // namespace

DeadlineEffects DecideDeadline(const Deadline& deadline, const std::optional<Incident>& incident,
                               TimePoint now, const SeverityPolicy& policy,
                               const OnCallSnapshot& oncall) {
  if (IsFollowupDeadline(deadline.kind)) return DecideFollowupDeadline(deadline, now, oncall);
  if (deadline.kind == DeadlineKind::kDrillDue) return DecideDrillDue(deadline, now, oncall);
  DeadlineEffects out;
  if (!incident) return out;
  switch (deadline.kind) {
    case DeadlineKind::kEscalate: Escalate(deadline, *incident, now, policy, oncall, out); break;
    case DeadlineKind::kCadence: Cadence(deadline, *incident, now, policy, out); break;
    case DeadlineKind::kUpdateReminder:
      UpdateReminder(deadline, *incident, oncall, now, out);
      break;
    case DeadlineKind::kUpdateDue: UpdateDue(deadline, *incident, now, policy, oncall, out); break;
    case DeadlineKind::kFollowupReminder:
    case DeadlineKind::kFollowupDue:
    case DeadlineKind::kDrillDue:
      break;  // decided above
    // Decided by the store, which reads the heartbeat in the firing's transaction and applies
    // core/heartbeat.h CheckHeartbeat (an expiry opens an incident through the ingest path,
    // which deadline effects do not express). Never given to this function.
    case DeadlineKind::kHeartbeatExpire: break;
  }
  return out;
}

}  // namespace loom
