#include "engine/delivery_rules.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/crypto.h"
#include "common/time_format.h"
#include "engine/payload.h"

namespace loom {
namespace {

using nlohmann::json;

constexpr const char* kChannelEvents[] = {
    "incident.triggered",        "incident.acknowledged",
    "incident.unacknowledged",   "incident.mitigated",
    "incident.resolved",         "incident.closed",
    "incident.severity_changed", "incident.commander_assigned",
    "incident.reassigned",       "incident.status_update",
    "incident.summary",          "commander.handover",
};

bool IsChannelEvent(const std::string& type) {
  return std::any_of(std::begin(kChannelEvents), std::end(kChannelEvents),
                     [&](const char* t) { return type == t; });
}

std::string Headline(const json& p) {
  return PayloadString(p, "incident") + " (" + PayloadString(p, "severity") + ") " +
         PayloadString(p, "title");
}

// "sev1" → "Sev1".
std::string Capitalized(std::string words) {
  if (!words.empty()) words[0] = static_cast<char>(std::toupper(words[0]));
  return words;
}
std::string SeverityWord(const json& p) { return Capitalized(PayloadString(p, "severity")); }

// "escalation_manager" → "escalation manager".
std::string RoleWords(std::string role) {
  std::replace(role.begin(), role.end(), '_', ' ');
  return role;
}

// The summary of an incident-channel post: what happened, in the event's own words. The values
// (severities, who) are in the detail; a bundle lists each post as "<summary>: <incident>".
std::string ChannelSummary(const std::string& event) {
  static const std::map<std::string, std::string, std::less<>> kWords = {
      {"incident.triggered", "Incident opened"},
      {"incident.acknowledged", "Acknowledged"},
      {"incident.unacknowledged", "Acknowledgement withdrawn, paging again"},
      {"incident.mitigated", "Mitigated"},
      {"incident.resolved", "Resolved"},
      {"incident.closed", "Closed"},
      {"incident.severity_changed", "Severity changed"},
      {"incident.commander_assigned", "Commander assigned"},
      {"commander.handover", "Commander handed over"},
      {"incident.reassigned", "Reassigned"},
      {"incident.status_update", "Status update"},
      {"incident.summary", "Final summary posted"},
  };
  if (auto it = kWords.find(event); it != kWords.end()) return it->second;
  // An event this version does not know (a newer one's row): its type, readable.
  std::string words = event.starts_with("incident.") ? event.substr(9) : event;
  std::replace(words.begin(), words.end(), '_', ' ');
  std::replace(words.begin(), words.end(), '.', ' ');
  return Capitalized(words);
}

// A page or ticket of an escalation step: the first of a plan (step 0), a later step reached
// because nobody acknowledged, or the page of the user the incident was reassigned to.
void DescribeStep(const OutboxEntry& row, const json& p, Notice& n) {
  const std::string& kind = row.channel;  // "page" or "ticket"
  const std::string role = RoleWords(row.role);
  const std::string service = PayloadString(p, "service");
  const std::string step = std::to_string(row.step);
  if (row.role == "assignee") {
    n.summary = SeverityWord(p) + " " + kind + ": reassigned to you";
    n.detail = "The incident of service " + service +
               " was reassigned to you; acknowledge it, or the escalation goes on without you.";
  } else if (row.step > 0) {
    n.summary = SeverityWord(p) + " " + kind + ", escalated (" + row.role + ", step " + step + ")";
    n.detail = "Nobody has acknowledged it yet, so the escalation reached you: you are " +
               std::string(kind == "page" ? "paged" : "notified") + " as " + role + " of service " +
               service + " (escalation step " + step + ").";
  } else {
    n.summary = SeverityWord(p) + " " + kind + " (" + row.role + ", step " + step + ")";
    n.detail = "You are " + std::string(kind == "page" ? "paged" : "notified") + " as " + role +
               " of service " + service + " (escalation step " + step + ").";
  }
}

// The one-line summary and the longer detail of a single row's message. The summary says what
// happened, not which incident: every channel shows the incident (id, title, links) next to it.
// Each kind of notification has its own words (docs/webhooks.md lists them).
void Describe(const OutboxEntry& row, const json& p, Notice& n) {
  const std::string& kind = row.channel;
  if (p.contains("followup")) {  // engine/followup_rules.h
    n.summary = std::string(kind == "overdue" ? "Follow-up overdue: " : "Follow-up due soon: ") +
                PayloadString(p, "followup") + " " + PayloadString(p, "title");
    n.detail =
        "Owner " + PayloadString(p, "owner") + ", due " + PayloadString(p, "due_at") +
        (kind == "overdue" && row.role != "owner" ? "; you are notified as " + RoleWords(row.role)
                                                  : std::string()) +
        ".";
  } else if (kind == "page" || kind == "ticket") {
    DescribeStep(row, p, n);
  } else if (kind == "reminder") {
    n.summary = "Status update due";
    n.detail = "As incident commander, post the next status update before " +
               PayloadString(p, "update_due_at") + ".";
  } else if (kind == "notify" && p.contains("missed_update_due_at")) {
    n.summary = "Missed status update";
    n.detail = "The status update due at " + PayloadString(p, "missed_update_due_at") +
               " was not posted; you are notified as " + RoleWords(row.role) + ".";
  } else if (kind == "notify") {
    // An escalation step's notice (the escalation manager when a paging incident opens): told,
    // not paged.
    const std::string role = RoleWords(row.role);
    if (row.step > 0) {
      n.summary = SeverityWord(p) + " notice, escalated (" + row.role + ", step " +
                  std::to_string(row.step) + ")";
    } else {
      n.summary = SeverityWord(p) + " incident opened: notice to the " + role;
    }
    n.detail = "For your information as " + role + " of service " + PayloadString(p, "service") +
               ": the on-call responders are paged. Nothing to do unless it escalates to you.";
  } else if (kind == "drill_overdue") {
    n.summary = "Drill overdue: the " + PayloadString(p, "scenario") + " drill of service " +
                PayloadString(p, "service") + " was due " + PayloadString(p, "due_at");
    n.detail =
        "No drill has started since it was due (runbook: at least one tabletop drill per "
        "month). Start one with `loom-oncall drill start --scenario " +
        PayloadString(p, "scenario") + "`; you are notified as " + RoleWords(row.role) + ".";
  } else if (kind == "channel") {
    const json data = p.contains("data") && p["data"].is_object() ? p["data"] : json::object();
    n.summary = ChannelSummary(PayloadString(p, "event"));
    std::string detail = "By " + PayloadString(p, "actor") + ".";
    for (const char* field :
         {"impact", "scope", "mitigation", "note", "from", "to", "commander", "assignee",
          "root_cause", "customer_impact", "remediation", "no_followups_reason"}) {
      const std::string v = PayloadString(data, field);
      if (!v.empty()) detail += std::string("\n") + field + ": " + v;
    }
    n.detail = detail;
  } else {
    n.summary = kind;
  }
}

NoticeIncident IncidentOf(const OutboxEntry& row, const json& p) {
  NoticeIncident i;
  i.number = row.incident_number;
  i.id = PayloadString(p, "incident");
  i.title = PayloadString(p, "title");
  i.severity = PayloadString(p, "severity");
  i.kind = PayloadString(p, "kind");
  i.service = PayloadString(p, "service");
  i.state = PayloadString(p, "state");
  if (i.state.empty()) i.state = "triggered";
  i.drill = p.contains("drill") && p["drill"].is_boolean() && p["drill"].get<bool>();
  return i;
}

// A message about a drill says so first, on every channel (each renders the summary first).
void MarkDrill(Notice& n) {
  if (std::any_of(n.incidents.begin(), n.incidents.end(),
                  [](const NoticeIncident& i) { return i.drill; })) {
    n.summary = "[DRILL] " + n.summary;
  }
}

// The user's next contact method after `row`'s, as a row due now: its rule's delay no longer
// matters once the method before it failed.
std::vector<OutboxEntry> NextMethod(const OutboxEntry& row, TimePoint now,
                                    const OnCallSnapshot& oncall) {
  if (row.channel == "channel" || row.method.empty()) return {};
  const User* user = oncall.FindUser(row.recipient);
  if (user == nullptr) return {};
  const json p = ParsePayload(row.payload_json);
  const Urgency urgency = PayloadString(p, "urgency") == "low" ? Urgency::kLow : Urgency::kHigh;
  const std::vector<NotificationRule> rules = RulesFor(*user, urgency);
  const NotificationRule* next = NextRuleAfter(rules, row.method);
  if (next == nullptr) return {};
  const ContactMethod* method = FindContactMethod(*user, next->method);
  if (method == nullptr) return {};
  const std::string suffix = "/" + row.method;
  if (row.unique_key.size() < suffix.size() ||
      row.unique_key.compare(row.unique_key.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return {};
  }
  OutboxEntry e = row;
  e.id = 0;
  e.unique_key = row.unique_key.substr(0, row.unique_key.size() - suffix.size()) + "/" + method->id;
  e.method = method->id;
  e.method_type = method->type;
  e.state = OutboxState::kPending;
  e.attempts = 0;
  e.last_error.clear();
  e.next_attempt_at = now;
  return {std::move(e)};
}

json EventData(const OutboxEntry& row, int attempt, const char* outcome, int bundle_size) {
  json data = {{"user", row.recipient},   {"kind", row.channel}, {"method", row.method},
               {"type", row.method_type}, {"attempt", attempt},  {"outcome", outcome}};
  if (bundle_size > 1) data["bundled"] = bundle_size;
  return data;
}

DeliveryRecord Dead(const OutboxEntry& row, const std::string& why, int attempt, TimePoint now,
                    const OnCallSnapshot& oncall) {
  DeliveryRecord r;
  r.outbox_id = row.id;
  r.incident_number = row.incident_number;
  r.state = OutboxState::kDead;
  r.last_error = why;
  r.event_type = "notification.dead_lettered";
  json data = EventData(row, attempt, "dead", 1);
  data["error"] = why;
  r.follow_up = NextMethod(row, now, oncall);
  if (!r.follow_up.empty()) data["next_method"] = r.follow_up.front().method;
  r.event_data_json = data.dump();
  return r;
}

}  // namespace

std::string DestinationKey(const Destination& d) {
  return d.type + ":" + Sha256Hex(d.type + " " + d.address).substr(0, 32);
}

std::optional<Destination> ResolveDestination(
    const OutboxEntry& row, const OnCallSnapshot& oncall,
    const std::map<std::string, IncidentChannel>& channels, std::string* why) {
  if (row.channel == "channel") {
    auto it = channels.find(row.recipient);
    if (it == channels.end()) {
      *why = "incident channel " + row.recipient + " is no longer configured";
      return std::nullopt;
    }
    return it->second.destination;
  }
  const User* user = oncall.FindUser(row.recipient);
  const ContactMethod* method = user != nullptr ? FindContactMethod(*user, row.method) : nullptr;
  if (method == nullptr) {
    *why = "contact method " + row.method + " of " + row.recipient + " is no longer configured";
    return std::nullopt;
  }
  return Destination{method->type, method->address, method->secrets};
}

std::string MessageId(const std::vector<OutboxEntry>& rows) {
  // Stable across retries and restarts.
  if (rows.size() == 1) return "msg_" + Sha256Hex(rows.front().unique_key).substr(0, 32);
  std::vector<int64_t> ids;
  ids.reserve(rows.size());
  for (const OutboxEntry& row : rows) ids.push_back(row.id);
  std::sort(ids.begin(), ids.end());
  std::string joined;
  for (int64_t id : ids) joined += std::to_string(id) + ",";
  return "msg_" + Sha256Hex(joined).substr(0, 32);
}

Notice BuildNotice(const std::vector<OutboxEntry>& rows, const OnCallSnapshot& oncall) {
  Notice n;
  n.id = rows.front().message_id.empty() ? MessageId(rows) : rows.front().message_id;
  n.bundled = static_cast<int>(rows.size());
  const OutboxEntry& first = rows.front();
  n.recipient = first.recipient;
  n.role = first.role;
  n.created_at = first.created_at;
  if (first.channel != "channel") {
    const User* user = oncall.FindUser(first.recipient);
    n.recipient_name = user != nullptr ? user->name : first.recipient;
  }
  std::set<int64_t> seen;
  for (const OutboxEntry& row : rows) {
    // About no incident (a follow-up's reminder, an overdue drill): no incident block, no link.
    if (row.incident_number == 0 || !seen.insert(row.incident_number).second) continue;
    n.incidents.push_back(IncidentOf(row, ParsePayload(row.payload_json)));
  }
  if (rows.size() == 1) {
    const json p = ParsePayload(first.payload_json);
    n.type = first.channel == "channel" ? PayloadString(p, "event") : first.channel;
    Describe(first, p, n);
    MarkDrill(n);
    return n;
  }
  n.type = "bundle";
  n.summary = std::to_string(rows.size()) + " notifications about " +
              std::to_string(n.incidents.size()) + " incidents";
  std::string detail = "Bundled because several arrived within the rate limit:";
  for (const OutboxEntry& row : rows) {
    Notice one;
    const json p = ParsePayload(row.payload_json);
    Describe(row, p, one);
    detail += "\n" + one.summary + ": " + Headline(p);
  }
  n.detail = detail;
  MarkDrill(n);
  return n;
}

Duration Backoff(const RetryPolicy& policy, int attempt, double jitter) {
  Duration d = policy.initial;
  for (int i = 1; i < attempt && d < policy.max; ++i) d *= 2;
  d = std::min(d, policy.max);
  const auto scaled = static_cast<int64_t>(static_cast<double>(d.count()) * jitter);
  return Duration(std::max<int64_t>(scaled, 1000));
}

std::vector<DeliveryRecord> RecordsFor(const std::vector<OutboxEntry>& rows,
                                       const SendResult& result, const RetryPolicy& policy,
                                       double jitter, int bundle_size, TimePoint now,
                                       const OnCallSnapshot& oncall) {
  std::vector<DeliveryRecord> out;
  for (const OutboxEntry& row : rows) {
    const int attempt = row.attempts + 1;
    std::string error = result.error;
    if (result.status != 0 && error.find(std::to_string(result.status)) == std::string::npos) {
      error = std::to_string(result.status) + (error.empty() ? "" : " " + error);
    }
    switch (result.outcome) {
      case SendResult::Outcome::kDelivered: {
        DeliveryRecord r;
        r.outbox_id = row.id;
        r.incident_number = row.incident_number;
        r.state = OutboxState::kDelivered;
        r.event_type = "notification.sent";
        r.event_data_json = EventData(row, attempt, "delivered", bundle_size).dump();
        out.push_back(std::move(r));
        break;
      }
      case SendResult::Outcome::kRetry: {
        if (attempt >= policy.max_attempts) {
          out.push_back(Dead(row,
                             "gave up after " + std::to_string(attempt) + " attempts: " + error,
                             attempt, now, oncall));
          break;
        }
        const Duration wait = result.retry_after ? std::max(*result.retry_after, Duration(1000))
                                                 : Backoff(policy, attempt, jitter);
        DeliveryRecord r;
        r.outbox_id = row.id;
        r.incident_number = row.incident_number;
        r.state = OutboxState::kPending;
        r.next_attempt_at = now + wait;
        r.last_error = error;
        r.event_type = "notification.failed";
        json data = EventData(row, attempt, "retry", bundle_size);
        data["error"] = error;
        data["next_attempt_at"] = FormatRfc3339(now + wait);
        r.event_data_json = data.dump();
        out.push_back(std::move(r));
        break;
      }
      case SendResult::Outcome::kGone:
        out.push_back(
            Dead(row, "destination answered " + error + ": disabled", attempt, now, oncall));
        break;
      case SendResult::Outcome::kRejected:
        out.push_back(Dead(row, "rejected: " + error, attempt, now, oncall));
        break;
    }
  }
  return out;
}

std::vector<DeliveryRecord> DeadRecords(const std::vector<OutboxEntry>& rows,
                                        const std::string& why, TimePoint now,
                                        const OnCallSnapshot& oncall) {
  std::vector<DeliveryRecord> out;
  for (const OutboxEntry& row : rows) {
    out.push_back(Dead(row, why, row.attempts, now, oncall));
    out.back().attempted = false;
  }
  return out;
}

std::vector<OutboxEntry> ChannelPosts(
    const Incident& incident, const std::vector<TimelineEvent>& events,
    const std::map<std::string, std::vector<IncidentChannel>>& by_service) {
  auto it = by_service.find(incident.service_id);
  if (it == by_service.end() || it->second.empty()) return {};
  std::vector<OutboxEntry> out;
  for (const TimelineEvent& event : events) {
    if (!IsChannelEvent(event.type)) continue;
    json payload = {{"incident", incident.id()},
                    {"title", incident.title},
                    {"severity", SeverityName(incident.severity)},
                    {"kind", IncidentKindName(incident.kind)},
                    {"service", incident.service_id},
                    {"state", IncidentStateName(incident.state)},
                    {"event", event.type},
                    {"seq", event.seq},
                    {"actor", event.actor},
                    {"data", ParsePayload(event.data_json)}};
    if (incident.drill) payload["drill"] = true;
    const std::string body = payload.dump();
    for (const IncidentChannel& channel : it->second) {
      OutboxEntry e;
      e.incident_number = incident.number;
      e.channel = "channel";
      e.recipient = "channel:" + channel.service + "/" + channel.id;
      e.method = channel.id;
      e.method_type = channel.destination.type;
      e.unique_key = incident.id() + "/event" + std::to_string(event.seq) + "/" + e.recipient;
      e.payload_json = body;
      out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace loom
