// The route table of the Api: the ingest routes, one per entry of ingest/ingest_formats.h,
// served by Api::Ingest; then the native routes and their handlers. docs/api.md documents each.

#include <string>
#include <vector>

#include "http/api.h"
#include "ingest/ingest_formats.h"

namespace loom::http {
namespace {

struct NativeRoute {
  Method method;
  const char* pattern;
  void (Api::*handler)(const Request&, const PathParams&, Reply);
};

}  // namespace

const std::vector<Api::RouteInfo>& Api::Routes() {
  static const std::vector<RouteInfo> routes = [] {
    std::vector<RouteInfo> all;
    // The ingest routes first, the hot PagerDuty route leading: Match scans in order.
    const auto formats = IngestFormats();
    for (size_t i = 0; i < formats.size(); ++i) {
      all.push_back({Method::kPost, std::string(formats[i]->path), nullptr, formats[i], i});
    }
    static const NativeRoute kNative[] = {
        {Method::kGet, "/v1/incidents", &Api::ListIncidents},
        {Method::kGet, "/v1/incidents/{id}", &Api::GetIncident},
        {Method::kPost, "/v1/incidents/{id}/acknowledge", &Api::Acknowledge},
        {Method::kPost, "/v1/incidents/{id}/mitigate", &Api::Mitigate},
        {Method::kPost, "/v1/incidents/{id}/resolve", &Api::Resolve},
        {Method::kPost, "/v1/incidents/{id}/close", &Api::Close},
        {Method::kPost, "/v1/incidents/{id}/commander", &Api::SetCommander},
        {Method::kPost, "/v1/incidents/{id}/severity", &Api::SetSeverity},
        {Method::kPost, "/v1/incidents/{id}/notes", &Api::AddNote},
        {Method::kPost, "/v1/incidents/{id}/unacknowledge", &Api::Unacknowledge},
        {Method::kPost, "/v1/incidents/{id}/reassign", &Api::Reassign},
        {Method::kPost, "/v1/incidents/{id}/escalate", &Api::Escalate},
        // Twilio's callbacks (twilio_handlers.cc): signed, no API token.
        {Method::kPost, "/v1/providers/twilio/sms", &Api::TwilioSms},
        {Method::kPost, "/v1/providers/twilio/sms/status", &Api::TwilioStatus},
        {Method::kPost, "/v1/providers/twilio/voice", &Api::TwilioVoice},
        {Method::kPost, "/v1/providers/twilio/voice/status", &Api::TwilioStatus},
        {Method::kPost, "/v1/incidents/{id}/updates", &Api::PostStatusUpdate},
        {Method::kGet, "/v1/incidents/{id}/notifications", &Api::ListNotifications},
        {Method::kGet, "/v1/incidents/{id}/alerts", &Api::ListIncidentAlerts},
        {Method::kPost, "/v1/incidents/{id}/probe", &Api::ProbeIncident},
        {Method::kPost, "/v1/services/{id}/probe", &Api::ProbeService},
        // Security playbook (security_handlers.cc).
        {Method::kPost, "/v1/incidents/{id}/evidence", &Api::AddEvidence},
        {Method::kGet, "/v1/incidents/{id}/evidence", &Api::ListEvidence},
        {Method::kGet, "/v1/incidents/{id}/evidence/export", &Api::ExportEvidence},
        {Method::kGet, "/v1/incidents/{id}/checklist", &Api::GetChecklist},
        {Method::kPost, "/v1/incidents/{id}/checklist/{item}", &Api::UpdateChecklistItem},
        {Method::kGet, "/v1/incidents/{id}/security-report", &Api::GetSecurityReport},
        {Method::kPut, "/v1/incidents/{id}/security-report", &Api::PutSecurityReport},
        {Method::kGet, "/v1/alerts", &Api::ListAlerts},
        {Method::kPut, "/v1/incidents/{id}/summary", &Api::PutSummary},
        {Method::kGet, "/v1/incidents/{id}/summary", &Api::GetSummary},
        {Method::kPost, "/v1/incidents/{id}/review", &Api::DraftReview},
        {Method::kGet, "/v1/incidents/{id}/review", &Api::GetReview},
        {Method::kPut, "/v1/incidents/{id}/review", &Api::PutReview},
        {Method::kGet, "/v1/incidents/{id}/review.md", &Api::GetReviewMarkdown},
        {Method::kPost, "/v1/incidents/{id}/review/publish", &Api::PublishReview},
        {Method::kGet, "/v1/followups", &Api::ListFollowups},
        {Method::kPost, "/v1/followups", &Api::CreateFollowup},
        {Method::kPatch, "/v1/followups/{id}", &Api::PatchFollowup},
        {Method::kGet, "/v1/reports/response", &Api::ResponseReport},
        {Method::kGet, "/v1/reports/pages", &Api::PagesReport},
        {Method::kGet, "/v1/services", &Api::ListServices},
        {Method::kPost, "/v1/services", &Api::CreateService},
        {Method::kPost, "/v1/tokens", &Api::CreateToken},
        {Method::kGet, "/v1/policy", &Api::GetPolicy},
        // Heartbeats (heartbeat_handlers.cc).
        {Method::kPost, "/v1/heartbeats/{id}/ping", &Api::PingHeartbeat},
        {Method::kGet, "/v1/heartbeats/{id}/ping", &Api::PingHeartbeat},
        {Method::kPost, "/v2/heartbeats/{name}/ping", &Api::PingOpsgenieHeartbeat},
        {Method::kGet, "/v2/heartbeats/{name}/ping", &Api::PingOpsgenieHeartbeat},
        {Method::kGet, "/v1/heartbeats", &Api::ListHeartbeats},
        {Method::kPost, "/v1/heartbeats", &Api::CreateHeartbeat},
        {Method::kGet, "/v1/heartbeats/{id}", &Api::GetHeartbeat},
        {Method::kPatch, "/v1/heartbeats/{id}", &Api::PatchHeartbeat},
        {Method::kDelete, "/v1/heartbeats/{id}", &Api::DeleteHeartbeat},
        // Maintenance windows (maintenance_handlers.cc).
        {Method::kGet, "/v1/maintenance", &Api::ListMaintenance},
        {Method::kPost, "/v1/maintenance", &Api::CreateMaintenance},
        {Method::kGet, "/v1/maintenance/{id}", &Api::GetMaintenance},
        {Method::kPost, "/v1/maintenance/{id}/end", &Api::EndMaintenance},
        {Method::kDelete, "/v1/maintenance/{id}", &Api::DeleteMaintenance},
        {Method::kGet, "/v1/drills", &Api::ListDrills},
        {Method::kPost, "/v1/drills", &Api::StartDrill},
        {Method::kPost, "/v1/drills/{id}/finish", &Api::FinishDrill},
        {Method::kGet, "/v1/drills/{id}/notes", &Api::GetDrillNotes},
        {Method::kGet, "/v1/reports/compliance", &Api::GetComplianceReport},
        {Method::kPost, "/v1/providers/pushover/callback", &Api::PushoverCallback},
        {Method::kPost, "/v1/providers/telegram", &Api::TelegramUpdate},
        {Method::kGet, "/v1/oncall", &Api::GetOnCall},
        {Method::kGet, "/v1/schedules", &Api::ListSchedules},
        {Method::kGet, "/v1/schedules/{id}/shifts", &Api::GetShifts},
        {Method::kGet, "/v1/schedules/{id}/calendar.ics", &Api::ScheduleCalendar},
        {Method::kGet, "/v1/schedules/{id}/overrides", &Api::ListOverrides},
        {Method::kPost, "/v1/schedules/{id}/overrides", &Api::CreateOverride},
        {Method::kDelete, "/v1/schedules/{id}/overrides/{override_id}", &Api::DeleteOverride},
        {Method::kGet, "/v1/users", &Api::ListUsers},
        {Method::kGet, "/v1/teams", &Api::ListTeams},
        {Method::kGet, "/v1/teams/{id}", &Api::GetTeam},
        {Method::kGet, "/v1/users/{id}/calendar.ics", &Api::UserCalendar},
        // People: accounts, passwords, sign-in (account_handlers.cc).
        {Method::kPost, "/v1/users", &Api::CreateUser},
        {Method::kPut, "/v1/users/{id}/password", &Api::SetPassword},
        {Method::kGet, "/v1/users/{id}/contact-methods", &Api::ListContactMethods},
        {Method::kPost, "/v1/users/{id}/contact-methods", &Api::CreateContactMethod},
        {Method::kDelete, "/v1/users/{id}/contact-methods/{mid}", &Api::DeleteContactMethod},
        {Method::kPost, "/v1/users/{id}/contact-methods/{mid}/verify", &Api::VerifyContactMethod},
        {Method::kPost, "/v1/users/{id}/contact-methods/{mid}/send-code", &Api::SendContactCode},
        {Method::kPost, "/v1/users/{id}/contact-methods/{mid}/test", &Api::TestContactMethod},
        {Method::kPut, "/v1/users/{id}/notification-rules", &Api::PutNotificationRules},
        {Method::kGet, "/v1/users/{id}/contact-history", &Api::ListContactHistory},
        {Method::kPost, "/ui/login", &Api::SignIn},
        {Method::kPost, "/ui/logout", &Api::DeleteSession},
        {Method::kPost, "/ui/logout-everywhere", &Api::SignOutEverywhere},
        {Method::kPost, "/ui/password-reset", &Api::RequestPasswordReset},
        {Method::kGet, "/ui/reset/{user}/{token}", &Api::ShowResetPage},
        {Method::kPost, "/ui/reset/{user}/{token}", &Api::UseResetPage},
        {Method::kGet, "/a/{token}", &Api::ShowLink},
        {Method::kPost, "/a/{token}", &Api::UseLink},
        {Method::kPost, "/v1/providers/mattermost/action", &Api::MattermostAction},
        {Method::kGet, "/", &Api::RedirectToConsole},
        {Method::kGet, "/ui", &Api::RedirectToConsole},
        {Method::kGet, "/ui/", &Api::ConsoleIndex},
        {Method::kGet, "/ui/session", &Api::GetSession},
        {Method::kPost, "/ui/session", &Api::CreateSession},
        {Method::kDelete, "/ui/session", &Api::DeleteSession},
        {Method::kGet, "/ui/auth/methods", &Api::AuthMethods},
        {Method::kGet, "/ui/auth/oidc/start", &Api::OidcStart},
        {Method::kGet, "/ui/auth/oidc/callback", &Api::OidcCallback},
        {Method::kGet, "/ui/{file}", &Api::ConsoleFile},
        {Method::kGet, "/health", &Api::Health},
        {Method::kGet, "/ready", &Api::Ready},
        {Method::kGet, "/metrics", &Api::MetricsText},
        {Method::kGet, "/v1/admin/status", &Api::AdminStatus},

    };
    for (const NativeRoute& r : kNative) all.push_back({r.method, r.pattern, r.handler});
    return all;
  }();
  return routes;
}

std::vector<std::string> Api::RouteLabels() {
  std::vector<std::string> labels;
  for (const RouteInfo& r : Routes()) {
    labels.push_back(std::string(MethodName(r.method)) + " " + r.pattern);
  }
  return labels;
}

}  // namespace loom::http
