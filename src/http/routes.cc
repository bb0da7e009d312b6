// The route table of the Api: the ingest routes, one per entry of ingest/ingest_formats.h,
// served by Api::Ingest; then the native routes and their handlers. docs/api.md documents each.
// Each route names its access (http/route_access.h): what Api::Handle checks before the handler
// and what docs/authentication.md "Route by route" lists.

#include <string>
#include <vector>

#include "http/api.h"
#include "ingest/ingest_formats.h"

namespace loom::http {
namespace {

struct NativeRoute {
  Method method;
  const char* pattern;
  RouteAccess access;
  void (Api::*handler)(const Request&, const PathParams&, Reply);
};

}  // namespace

const std::vector<Api::RouteInfo>& Api::Routes() {
  static const std::vector<RouteInfo> routes = [] {
    std::vector<RouteInfo> all;
    // The ingest routes first, the hot PagerDuty route leading: Match scans in order.
    const auto formats = IngestFormats();
    for (size_t i = 0; i < formats.size(); ++i) {
      all.push_back({Method::kPost, std::string(formats[i]->path), Own(Credential::kIntegrationKey),
                     nullptr, formats[i], i});
    }
    static const NativeRoute kNative[] = {
        {Method::kGet, "/v1/incidents", OnTeam(Role::kViewer), &Api::ListIncidents},
        {Method::kGet, "/v1/incidents/{id}", OnTeam(Role::kViewer), &Api::GetIncident},
        {Method::kPost, "/v1/incidents/{id}/acknowledge", OnTeam(Role::kResponder),
         &Api::Acknowledge},
        {Method::kPost, "/v1/incidents/{id}/mitigate", OnTeam(Role::kResponder), &Api::Mitigate},
        {Method::kPost, "/v1/incidents/{id}/resolve", OnTeam(Role::kResponder), &Api::Resolve},
        {Method::kPost, "/v1/incidents/{id}/close", OnTeam(Role::kResponder), &Api::Close},
        {Method::kPost, "/v1/incidents/{id}/commander", OnTeam(Role::kResponder),
         &Api::SetCommander},
        {Method::kPost, "/v1/incidents/{id}/severity", OnTeam(Role::kResponder), &Api::SetSeverity},
        {Method::kPost, "/v1/incidents/{id}/notes", OnTeam(Role::kResponder), &Api::AddNote},
        {Method::kPost, "/v1/incidents/{id}/unacknowledge", OnTeam(Role::kResponder),
         &Api::Unacknowledge},
        {Method::kPost, "/v1/incidents/{id}/reassign", OnTeam(Role::kResponder), &Api::Reassign},
        {Method::kPost, "/v1/incidents/{id}/escalate", OnTeam(Role::kResponder), &Api::Escalate},
        // Twilio's callbacks (twilio_handlers.cc): signed, no API token.
        {Method::kPost, "/v1/providers/twilio/sms", Own(Credential::kProvider), &Api::TwilioSms},
        {Method::kPost, "/v1/providers/twilio/sms/status", Own(Credential::kProvider),
         &Api::TwilioStatus},
        {Method::kPost, "/v1/providers/twilio/voice", Own(Credential::kProvider),
         &Api::TwilioVoice},
        {Method::kPost, "/v1/providers/twilio/voice/status", Own(Credential::kProvider),
         &Api::TwilioStatus},
        {Method::kPost, "/v1/incidents/{id}/updates", OnTeam(Role::kResponder),
         &Api::PostStatusUpdate},
        {Method::kGet, "/v1/incidents/{id}/notifications", OnTeam(Role::kViewer),
         &Api::ListNotifications},
        {Method::kGet, "/v1/incidents/{id}/alerts", OnTeam(Role::kViewer),
         &Api::ListIncidentAlerts},
        {Method::kPost, "/v1/incidents/{id}/probe", OnTeam(Role::kResponder), &Api::ProbeIncident},
        {Method::kPost, "/v1/services/{id}/probe", OnTeam(Role::kResponder), &Api::ProbeService},
        // Security playbook (security_handlers.cc).
        {Method::kPost, "/v1/incidents/{id}/evidence", OnTeam(Role::kResponder), &Api::AddEvidence},
        {Method::kGet, "/v1/incidents/{id}/evidence", OnTeam(Role::kViewer), &Api::ListEvidence},
        {Method::kGet, "/v1/incidents/{id}/evidence/export", OnTeam(Role::kResponder),
         &Api::ExportEvidence},
        {Method::kGet, "/v1/incidents/{id}/checklist", OnTeam(Role::kViewer), &Api::GetChecklist},
        {Method::kPost, "/v1/incidents/{id}/checklist/{item}", OnTeam(Role::kResponder),
         &Api::UpdateChecklistItem},
        {Method::kGet, "/v1/incidents/{id}/security-report", OnTeam(Role::kViewer),
         &Api::GetSecurityReport},
        {Method::kPut, "/v1/incidents/{id}/security-report", OnTeam(Role::kResponder),
         &Api::PutSecurityReport},
        {Method::kGet, "/v1/alerts", OnTeam(Role::kViewer), &Api::ListAlerts},
        {Method::kPut, "/v1/incidents/{id}/summary", OnTeam(Role::kResponder), &Api::PutSummary},
        {Method::kGet, "/v1/incidents/{id}/summary", OnTeam(Role::kViewer), &Api::GetSummary},
        {Method::kPost, "/v1/incidents/{id}/review", OnTeam(Role::kResponder), &Api::DraftReview},
        {Method::kGet, "/v1/incidents/{id}/review", OnTeam(Role::kViewer), &Api::GetReview},
        {Method::kPut, "/v1/incidents/{id}/review", OnTeam(Role::kResponder), &Api::PutReview},
        {Method::kGet, "/v1/incidents/{id}/review.md", OnTeam(Role::kViewer),
         &Api::GetReviewMarkdown},
        {Method::kPost, "/v1/incidents/{id}/review/publish", OnTeam(Role::kResponder),
         &Api::PublishReview},
        {Method::kGet, "/v1/followups", OnTeam(Role::kViewer), &Api::ListFollowups},
        {Method::kPost, "/v1/followups", OnTeam(Role::kResponder), &Api::CreateFollowup},
        {Method::kPatch, "/v1/followups/{id}", OnTeam(Role::kResponder), &Api::PatchFollowup},
        {Method::kGet, "/v1/reports/response", OnTeam(Role::kViewer), &Api::ResponseReport},
        {Method::kGet, "/v1/reports/pages", OnTeam(Role::kViewer), &Api::PagesReport},
        {Method::kGet, "/v1/services", OnTeam(Role::kViewer), &Api::ListServices},
        {Method::kPost, "/v1/services", Server(Role::kAdmin), &Api::CreateService},
        {Method::kPost, "/v1/tokens", Server(Role::kAdmin), &Api::CreateToken},
        {Method::kGet, "/v1/policy", Server(Role::kViewer), &Api::GetPolicy},
        // Heartbeats (heartbeat_handlers.cc).
        {Method::kPost, "/v1/heartbeats/{id}/ping", Own(Credential::kIntegrationKey),
         &Api::PingHeartbeat},
        {Method::kGet, "/v1/heartbeats/{id}/ping", Own(Credential::kIntegrationKey),
         &Api::PingHeartbeat},
        {Method::kPost, "/v2/heartbeats/{name}/ping", Own(Credential::kIntegrationKey),
         &Api::PingOpsgenieHeartbeat},
        {Method::kGet, "/v2/heartbeats/{name}/ping", Own(Credential::kIntegrationKey),
         &Api::PingOpsgenieHeartbeat},
        {Method::kGet, "/v1/heartbeats", OnTeam(Role::kViewer), &Api::ListHeartbeats},
        {Method::kPost, "/v1/heartbeats", OnTeam(Role::kAdmin), &Api::CreateHeartbeat},
        {Method::kGet, "/v1/heartbeats/{id}", OnTeam(Role::kViewer), &Api::GetHeartbeat},
        {Method::kPatch, "/v1/heartbeats/{id}", OnTeam(Role::kAdmin), &Api::PatchHeartbeat},
        {Method::kDelete, "/v1/heartbeats/{id}", OnTeam(Role::kAdmin), &Api::DeleteHeartbeat},
        // Maintenance windows (maintenance_handlers.cc).
        {Method::kGet, "/v1/maintenance", OnTeam(Role::kViewer), &Api::ListMaintenance},
        {Method::kPost, "/v1/maintenance", Server(Role::kResponder), &Api::CreateMaintenance},
        {Method::kGet, "/v1/maintenance/{id}", OnTeam(Role::kViewer), &Api::GetMaintenance},
        {Method::kPost, "/v1/maintenance/{id}/end", Server(Role::kResponder), &Api::EndMaintenance},
        {Method::kDelete, "/v1/maintenance/{id}", Server(Role::kResponder),
         &Api::DeleteMaintenance},
        {Method::kGet, "/v1/drills", Server(Role::kViewer), &Api::ListDrills},
        {Method::kPost, "/v1/drills", Server(Role::kResponder), &Api::StartDrill},
        {Method::kPost, "/v1/drills/{id}/finish", Server(Role::kResponder), &Api::FinishDrill},
        {Method::kGet, "/v1/drills/{id}/notes", OnTeam(Role::kViewer), &Api::GetDrillNotes},
        {Method::kGet, "/v1/reports/compliance", Server(Role::kViewer), &Api::GetComplianceReport},
        {Method::kPost, "/v1/providers/pushover/callback", Own(Credential::kProvider),
         &Api::PushoverCallback},
        {Method::kPost, "/v1/providers/telegram", Own(Credential::kProvider), &Api::TelegramUpdate},
        {Method::kGet, "/v1/oncall", OnTeam(Role::kViewer), &Api::GetOnCall},
        {Method::kGet, "/v1/schedules", OnTeam(Role::kViewer), &Api::ListSchedules},
        {Method::kGet, "/v1/schedules/{id}/shifts", OnTeam(Role::kViewer), &Api::GetShifts},
        {Method::kGet, "/v1/schedules/{id}/calendar.ics", CalendarFeed(), &Api::ScheduleCalendar},
        {Method::kGet, "/v1/schedules/{id}/overrides", OnTeam(Role::kViewer), &Api::ListOverrides},
        {Method::kPost, "/v1/schedules/{id}/overrides", OnShifts(), &Api::CreateOverride},
        {Method::kDelete, "/v1/schedules/{id}/overrides/{override_id}", OnShifts(),
         &Api::DeleteOverride},
        {Method::kGet, "/v1/users", Server(Role::kViewer), &Api::ListUsers},
        {Method::kGet, "/v1/teams", OnTeam(Role::kViewer), &Api::ListTeams},
        {Method::kGet, "/v1/teams/{id}", OnTeam(Role::kViewer), &Api::GetTeam},
        {Method::kGet, "/v1/users/{id}/calendar.ics", CalendarFeed(), &Api::UserCalendar},
        // People: accounts, passwords, sign-in (account_handlers.cc).
        {Method::kPost, "/v1/users", Server(Role::kAdmin), &Api::CreateUser},
        {Method::kPut, "/v1/users/{id}/password", Own(Credential::kPassword), &Api::SetPassword},
        {Method::kGet, "/v1/users/{id}/contact-methods", OfPerson(Role::kResponder),
         &Api::ListContactMethods},
        {Method::kGet, "/v1/users/{id}/contact-history", OfPerson(Role::kResponder),
         &Api::ListContactHistory},
        {Method::kPost, "/v1/users/{id}/contact-methods", OfPerson(Role::kResponder),
         &Api::CreateContactMethod},
        {Method::kDelete, "/v1/users/{id}/contact-methods/{mid}", OfPerson(Role::kResponder),
         &Api::DeleteContactMethod},
        {Method::kPost, "/v1/users/{id}/contact-methods/{mid}/verify", OfPerson(Role::kResponder),
         &Api::VerifyContactMethod},
        {Method::kPost, "/v1/users/{id}/contact-methods/{mid}/send-code",
         OfPerson(Role::kResponder), &Api::SendContactCode},
        {Method::kPost, "/v1/users/{id}/contact-methods/{mid}/test", OfPerson(Role::kResponder),
         &Api::TestContactMethod},
        {Method::kPut, "/v1/users/{id}/notification-rules", OfPerson(Role::kResponder),
         &Api::PutNotificationRules},
        {Method::kPost, "/ui/login", Own(Credential::kSignIn), &Api::SignIn},
        {Method::kPost, "/ui/logout", Own(Credential::kSession), &Api::DeleteSession},
        {Method::kPost, "/ui/logout-everywhere", Own(Credential::kSession),
         &Api::SignOutEverywhere},
        {Method::kPost, "/ui/password-reset", Own(Credential::kSignIn), &Api::RequestPasswordReset},
        {Method::kGet, "/ui/reset/{user}/{token}", Own(Credential::kLink), &Api::ShowResetPage},
        {Method::kPost, "/ui/reset/{user}/{token}", Own(Credential::kLink), &Api::UseResetPage},
        {Method::kGet, "/a/{token}", Own(Credential::kLink), &Api::ShowLink},
        {Method::kPost, "/a/{token}", Own(Credential::kLink), &Api::UseLink},
        {Method::kPost, "/v1/providers/mattermost/action", Own(Credential::kProvider),
         &Api::MattermostAction},
        {Method::kGet, "/", Own(Credential::kNone), &Api::RedirectToConsole},
        {Method::kGet, "/ui", Own(Credential::kNone), &Api::RedirectToConsole},
        {Method::kGet, "/ui/", Own(Credential::kNone), &Api::ConsoleIndex},
        {Method::kGet, "/ui/session", Own(Credential::kSession), &Api::GetSession},
        {Method::kPost, "/ui/session", Own(Credential::kSignIn), &Api::CreateSession},
        {Method::kDelete, "/ui/session", Own(Credential::kSession), &Api::DeleteSession},
        {Method::kGet, "/ui/auth/methods", Own(Credential::kNone), &Api::AuthMethods},
        {Method::kGet, "/ui/auth/oidc/start", Own(Credential::kSignIn), &Api::OidcStart},
        {Method::kGet, "/ui/auth/oidc/callback", Own(Credential::kSignIn), &Api::OidcCallback},
        {Method::kGet, "/ui/{file}", Own(Credential::kNone), &Api::ConsoleFile},
        {Method::kGet, "/health", Own(Credential::kNone), &Api::Health},
        {Method::kGet, "/ready", Own(Credential::kNone), &Api::Ready},
        {Method::kGet, "/metrics", Own(Credential::kNone), &Api::MetricsText},
        {Method::kGet, "/v1/admin/status",
         RouteAccess(Credential::kAdminToken, Role::kAdmin, Scope::kServer), &Api::AdminStatus},
    };
    for (const NativeRoute& r : kNative) all.push_back({r.method, r.pattern, r.access, r.handler});
    return all;
  }();
  return routes;
}

std::vector<Api::RouteEntry> Api::RouteTable() {
  std::vector<RouteEntry> table;
  for (const RouteInfo& r : Routes()) table.push_back({r.method, r.pattern, r.access});
  return table;
}

std::vector<std::string> Api::RouteLabels() {
  std::vector<std::string> labels;
  for (const RouteInfo& r : Routes()) {
    labels.push_back(std::string(MethodName(r.method)) + " " + r.pattern);
  }
  return labels;
}

}  // namespace loom::http
