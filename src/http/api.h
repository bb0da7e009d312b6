// Api: the route table (routes.cc) and the thin handlers behind it (docs/api.md is the contract).
//
// Each handler parses (ingest parsers, query strings, small JSON bodies), calls the Store, and
// maps the Result to a response: problem documents on native routes, PagerDuty's own bodies on
// /v2/*. Store writes complete on the store's writer thread; the handler's callback only renders
// the response and hands it to the Reply, which posts it to the connection's executor.
//
// Knows nothing about sockets: the server calls Match() once the header is in (to pick the body
// limit), then Handle() with the complete request. Unit tests drive it directly.
//
// Thread safety: Match/Handle and the accessors are safe from any thread. Callbacks may run on
// the store's writer thread.
// REQUIRES: the Store and Clock outlive the Api, and the Api outlives every pending store
// callback (the server waits for all replies before destroying it).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "accounts/sign_in_limiter.h"
#include "common/clock.h"
#include "common/job_thread.h"
#include "common/result.h"
#include "core/authorization.h"
#include "core/drill.h"
#include "core/roster.h"
#include "core/service.h"
#include "core/severity_policy.h"
#include "engine/drill_notes_writer.h"
#include "engine/drill_service.h"
#include "http/account_options.h"
#include "http/auth.h"
#include "http/json_codec.h"
#include "http/metrics.h"
#include "http/oncall_deps.h"
#include "http/per_thread.h"
#include "http/query.h"
#include "http/rate_limiter.h"
#include "http/route_access.h"
#include "http/router.h"
#include "http/session.h"
#include "http/types.h"
#include "ingest/ingest_format.h"
#include "notify/action_link.h"
#include "notify/channel.h"
#include "store/store.h"

namespace loom {
class ProbeRunner;  // engine/probe_runner.h
}  // namespace loom
namespace loom::oidc {
class SignOn;  // oidc/sign_on.h
}  // namespace loom::oidc

namespace loom::http {

struct ApiOptions {
  size_t ingest_body_limit = 512 * 1024;
  size_t api_body_limit = 1024 * 1024;
  std::string version = "0.1.0";
  DrillSettings drills;      // `drills:` (drill_handlers.cc)
  TimePoint drill_anchor{};  // when the drill schedule started (0: when the Api started)
  AccountOptions accounts;   // `auth:` (people signing in)
  // server.public_url without a trailing '/': the URL Twilio signs its callbacks over.
  std::string public_url;
  // notify.providers.twilio's Auth Token (a secret); "": the /v1/providers/twilio routes answer
  // 404 (twilio_handlers.cc).
  std::string twilio_auth_token;
  // notify.providers.telegram's secret_token ("" = no Telegram webhook: 404).
  std::string telegram_secret_token;
};

// What acknowledging through a push page did (push_ack.cc).
struct PushAckOutcome {
  std::vector<int64_t> acknowledged;  // incidents acknowledged now
  std::vector<int64_t> unchanged;     // the page was used before, or the incident moved on
  std::optional<Error> failed;        // the store failed on at least one
};

class Api {
 public:
  // `policy` is what GET /v1/policy shows; null answers it with 503. `incident_writes` is where
  // alerts (Ingest, RecordChangeEvent) and incident commands (Execute) go; null: `store`
  // (tests pass one that fails or holds them). Everything else, reads included, goes to `store`.
  // Both must outlive the Api.
  Api(Store& store, const Clock& clock, std::string admin_token_hash, ApiOptions options,
      std::shared_ptr<const SeverityPolicy> policy = nullptr, OnCallDeps oncall = {},
      std::function<EngineStats()> engine_stats = nullptr,
      std::shared_ptr<const LinkSigner> links = nullptr,
      std::shared_ptr<ProbeRunner> probes = nullptr,
      std::shared_ptr<oidc::SignOn> sign_on = nullptr, IncidentStore* incident_writes = nullptr);
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  RouteMatch Match(Method method, std::string_view path) const;
  // The body limit of the matched route (ingest routes: ingest_body_limit; else api_body_limit).
  size_t BodyLimit(const RouteMatch& match) const;
  // The 413 answer for a body over BodyLimit(match): PagerDuty's body on /v2/*, else a problem.
  // Counts a too_large event on ingest routes. The response closes the connection.
  Response PayloadTooLarge(const RouteMatch& match, std::string_view path);

  // Answers `request` through `reply` exactly once, now or later from another thread. Never
  // throws: an exception inside a handler becomes a 500. First checks the route's access (its
  // RouteAccess in routes.cc): a route that needs a caller answers 401/403 here, before its
  // handler, which finds the admitted caller in Request::caller.
  void Handle(const RouteMatch& match, const Request& request, Reply reply);

  // The route label of `match` for the latency histogram index (-1 when unmatched).
  int MetricsIndex(const RouteMatch& match) const { return match.route_id; }
  Metrics& metrics() { return metrics_; }

  // While draining (graceful stop), GET /ready answers 503 so load balancers move away.
  void SetDraining(bool draining) { draining_.store(draining, std::memory_order_relaxed); }

  // Forgets cached integration keys (called when a service is created through the API).
  void InvalidateKeyCache() { key_generation_.fetch_add(1, std::memory_order_relaxed); }

  // The console's sessions (a sign-in creates one; tests mint sessions of people with it).
  SessionStore& sessions() { return sessions_; }

  // One route of the table (routes.cc), in match order: what the role matrix tests and the docs
  // check.
  struct RouteEntry {
    Method method;
    std::string pattern;
    RouteAccess access;
  };
  static std::vector<RouteEntry> RouteTable();

 private:
  using Handler = void (Api::*)(const Request&, const PathParams&, Reply);
  // One route (routes.cc): a native one with its handler, or an ingest one served by Ingest()
  // from its format's entry.
  struct RouteInfo {
    Method method;
    std::string pattern;
    RouteAccess access;                    // checked by Handle before the handler
    Handler handler = nullptr;             // null on an ingest route
    const IngestFormat* format = nullptr;  // an ingest route: its entry in IngestFormats()
    size_t endpoint = 0;                   // an ingest route: that entry's index (metrics)
  };

  // An integration key resolved to its service's ingest settings; cached per thread.
  struct ResolvedKey {
    int64_t key_id = 0;
    std::string service_id;
    ServiceSettings settings;
    RateBucket* bucket = nullptr;
    int64_t expires_us = 0;
    uint64_t generation = 0;
  };
  using KeyCache = std::unordered_map<std::string, ResolvedKey>;
  static constexpr int64_t kKeyCacheTtlMicros = 5'000'000;
  static constexpr size_t kKeyCacheMaxEntries = 4096;

  static const std::vector<RouteInfo>& Routes();
  static std::vector<std::string> RouteLabels();

  // The service behind an integration key, or nullptr for an unknown key. The pointer is valid
  // until the next ResolveKey on this thread.
  Result<const ResolvedKey*> ResolveKey(std::string_view key);

  // ---- ingest (ingest_handlers.cc) ----
  // Serves every ingest route from its format's entry (ingest/ingest_format.h has the flow).
  void Ingest(const RouteInfo& route, const Request& req, Reply reply);
  // The integration key of a KeyFrom::kRequest format: Bearer token or ?key=.
  static std::string IntegrationKeyOf(const Request& req);
  // Resolves the integration key of a request to `route` (`body_key`: the key a KeyFrom::kBody
  // parser found). On failure (missing or unknown key, store failure) the refusal is sent in the
  // format's error style and counted, and the result is nullptr.
  const ResolvedKey* AdmitKey(const RouteInfo& route, const std::string& body_key,
                              const Request& req, const Reply& reply);
  // Counts `outcome` and sends the answer to `error` on an ingest route, in its format's error
  // style (a problem's instance is req.path); logs nothing.
  void RefuseIngest(const RouteInfo& route, EventOutcome outcome, const Error& error,
                    const Request& req, const Reply& reply, int retry_after_seconds = 0);
  // The store's answer to an accepted event: the format's success body, or its refusal.
  void FinishIngest(const RouteInfo& route, Result<IngestOutcome> out, const Reply& reply);

  // ---- incidents and alerts (incident_handlers.cc) ----
  void ListIncidents(const Request& req, const PathParams& params, Reply reply);
  void GetIncident(const Request& req, const PathParams& params, Reply reply);
  void Acknowledge(const Request& req, const PathParams& params, Reply reply);
  void Mitigate(const Request& req, const PathParams& params, Reply reply);
  void Resolve(const Request& req, const PathParams& params, Reply reply);
  void Close(const Request& req, const PathParams& params, Reply reply);
  void SetCommander(const Request& req, const PathParams& params, Reply reply);
  void SetSeverity(const Request& req, const PathParams& params, Reply reply);
  void AddNote(const Request& req, const PathParams& params, Reply reply);
  void Unacknowledge(const Request& req, const PathParams& params, Reply reply);
  void Reassign(const Request& req, const PathParams& params, Reply reply);
  void Escalate(const Request& req, const PathParams& params, Reply reply);
  void PostStatusUpdate(const Request& req, const PathParams& params, Reply reply);
  void ListNotifications(const Request& req, const PathParams& params, Reply reply);
  // Authenticates the caller, loads the {id} incident and checks `action` on it (on its service's
  // team, core/authorization.h); otherwise answers the problem (401, 403, 404 also for an
  // incident hidden from the caller, store failure) through `reply` and returns nullopt.
  // `caller` (optional) receives who asked, for answers that depend on the caller's role.
  std::optional<IncidentDetail> ReadableIncident(const Request& req, const PathParams& params,
                                                 const Reply& reply, Principal* caller = nullptr,
                                                 Action action = Action::kRead);
  void ExecuteCommand(IncidentCommand::Type type, const Request& req, const PathParams& params,
                      Reply reply);
  void ListAlerts(const Request& req, const PathParams& params, Reply reply);
  // The incident's member alerts, oldest first, after the `alerts_next` of its answer.
  void ListIncidentAlerts(const Request& req, const PathParams& params, Reply reply);

  // ---- availability playbook (playbook_handlers.cc) ----
  // POST /v1/incidents/{id}/probe and /v1/services/{id}/probe: one probe round now.
  void ProbeIncident(const Request& req, const PathParams& params, Reply reply);
  void ProbeService(const Request& req, const PathParams& params, Reply reply);
  // Adds `playbook` to an availability incident's JSON.
  void AddPlaybook(const IncidentDetail& detail, Json& body) const;
  // ---- security playbook: evidence, checklist, report (security_handlers.cc) ----
  void AddEvidence(const Request& req, const PathParams& params, Reply reply);
  void ListEvidence(const Request& req, const PathParams& params, Reply reply);
  void ExportEvidence(const Request& req, const PathParams& params, Reply reply);
  void GetChecklist(const Request& req, const PathParams& params, Reply reply);
  void UpdateChecklistItem(const Request& req, const PathParams& params, Reply reply);
  void GetSecurityReport(const Request& req, const PathParams& params, Reply reply);
  void PutSecurityReport(const Request& req, const PathParams& params, Reply reply);
  // The incident JSON's "security" member: checklist progress and report presence of a security
  // incident, null for other kinds.
  Result<nlohmann::ordered_json> SecuritySummary(const Incident& incident);
  // ---- final summary, follow-ups, reviews (followup_handlers.cc); reports (report_handlers.cc)
  // ----
  void PutSummary(const Request& req, const PathParams& params, Reply reply);
  void GetSummary(const Request& req, const PathParams& params, Reply reply);
  void ListFollowups(const Request& req, const PathParams& params, Reply reply);
  void CreateFollowup(const Request& req, const PathParams& params, Reply reply);
  void PatchFollowup(const Request& req, const PathParams& params, Reply reply);
  void DraftReview(const Request& req, const PathParams& params, Reply reply);
  void GetReview(const Request& req, const PathParams& params, Reply reply);
  void GetReviewMarkdown(const Request& req, const PathParams& params, Reply reply);
  void PutReview(const Request& req, const PathParams& params, Reply reply);
  void PublishReview(const Request& req, const PathParams& params, Reply reply);
  void ResponseReport(const Request& req, const PathParams& params, Reply reply);
  void PagesReport(const Request& req, const PathParams& params, Reply reply);
  // What a review route works on: the caller, the incident, its review and live follow-ups.
  struct ReviewContext {
    std::string actor;
    IncidentDetail detail;
    std::optional<Review> review;
    std::vector<Followup> followups;  // not cancelled
  };
  // Authorizes `action` on the {id} incident, loads it, its review (a 404 when `must_exist` and
  // there is none) and follow-ups; otherwise answers the problem and returns nullopt.
  std::optional<ReviewContext> LoadReview(const Request& req, const PathParams& params,
                                          const Reply& reply, Action action, bool must_exist);
  void SaveReviewAndAnswer(ReviewContext ctx, const std::string& event_type, int status,
                           const Request& req, Reply reply);
  Result<std::vector<Followup>> LiveFollowups(int64_t incident_number);
  // What a report covers: the request's `from`/`to`/`service`, their incidents (oldest first,
  // drills left out) and the roster.
  struct ReportScope {
    ReportWindow window;
    std::vector<ReportIncident> incidents;
    std::set<int64_t> hidden;  // incidents of the window hidden from the caller (left out)
    std::shared_ptr<const OnCallSnapshot> oncall;  // null when no roster is wired
  };
  // Authorizes a viewer and loads the scope; otherwise answers the problem and returns nullopt.
  std::optional<ReportScope> LoadReportScope(const Request& req, const Reply& reply);
  // True when `id` is a configured user (always, when no roster is wired).
  bool IsConfiguredUser(const std::string& id) const;

  // ---- Twilio's callbacks (twilio_handlers.cc) ----
  // POST /v1/providers/twilio/sms: a reply to an SMS page (acknowledge, escalate, STOP, START).
  void TwilioSms(const Request& req, const PathParams& params, Reply reply);
  // POST /v1/providers/twilio/voice: the key a called person pressed.
  void TwilioVoice(const Request& req, const PathParams& params, Reply reply);
  // POST /v1/providers/twilio/{sms,voice}/status: a message's or a call's delivery state.
  void TwilioStatus(const Request& req, const PathParams& params, Reply reply);
  // The form of a request Twilio signed; otherwise answers 404 (no Twilio configured) or 403
  // (signature missing or wrong) and returns nullopt.
  std::optional<QueryParams> VerifyTwilio(const Request& req, const Reply& reply) const;

  // ---- one-click links from notifications (link_handlers.cc) ----
  // GET: a confirmation page ("ack") or the incident read-only ("view"); changes nothing.
  void ShowLink(const Request& req, const PathParams& params, Reply reply);
  // POST of an "ack" link: acknowledges as the link's recipient, once.
  void UseLink(const Request& req, const PathParams& params, Reply reply);
  // Verify's answer for the {token}; kInvalidArgument when no signer is wired.
  Result<ActionClaims> VerifyLink(const PathParams& params) const;

  // ---- provider callbacks of pages (pushover_handlers.cc, telegram_handlers.cc) ----
  // POST /v1/providers/pushover/callback: Pushover's acknowledge of an emergency page.
  void PushoverCallback(const Request& req, const PathParams& params, Reply reply);
  // POST /v1/providers/telegram: the bot's webhook (button presses).
  void TelegramUpdate(const Request& req, const PathParams& params, Reply reply);
  // Acknowledges each page's incident as its recipient via its channel, once per (channel,
  // `nonce_of`, incident); `done` gets what happened, from a store thread.
  void AcknowledgePushPages(const std::vector<PushPage>& pages, const std::string& nonce_of,
                            std::function<void(PushAckOutcome)> done);
  // ---- chat buttons calling back (mattermost_handlers.cc) ----
  // POST /v1/providers/mattermost/action: a press of a Mattermost post's Acknowledge button.
  void MattermostAction(const Request& req, const PathParams& params, Reply reply);

  // ---- the web console: static files, sessions (console_handlers.cc) ----
  void RedirectToConsole(const Request& req, const PathParams& params, Reply reply);
  void ConsoleIndex(const Request& req, const PathParams& params, Reply reply);
  void ConsoleFile(const Request& req, const PathParams& params, Reply reply);
  // GET: the signed-in session (user, name, teams, role, actor, csrf_token) or 401.
  void GetSession(const Request& req, const PathParams& params, Reply reply);
  // POST {"token"} (JSON or form): verifies the API token, sets the session cookie.
  void CreateSession(const Request& req, const PathParams& params, Reply reply);
  // DELETE /ui/session and POST /ui/logout: signs out (needs the CSRF token), clears the cookie.
  void DeleteSession(const Request& req, const PathParams& params, Reply reply);
  // The session of the request's cookie (nullopt: none or expired); the problem when the store
  // cannot be read.
  Result<std::optional<ConsoleSession>> CookieSession(const Request& req);

  // ---- people: accounts, passwords, sign-in, resets (account_handlers.cc) ----
  // POST /v1/users (admin): a user created through the API, with an optional initial password.
  void CreateUser(const Request& req, const PathParams& params, Reply reply);
  // PUT /v1/users/{id}/password: with the current password (the user themself), a reset token,
  // or by an admin for a user who has none yet.
  void SetPassword(const Request& req, const PathParams& params, Reply reply);
  // POST /ui/login {user, password}: a person's console session.
  void SignIn(const Request& req, const PathParams& params, Reply reply);
  // POST /ui/logout-everywhere: ends every session of the signed-in person.
  void SignOutEverywhere(const Request& req, const PathParams& params, Reply reply);
  // POST /ui/password-reset {user}: mails a reset link when the user has an e-mail method.
  void RequestPasswordReset(const Request& req, const PathParams& params, Reply reply);
  // GET/POST /ui/reset/{user}/{token}: the reset link's page and its form.
  void ShowResetPage(const Request& req, const PathParams& params, Reply reply);
  void UseResetPage(const Request& req, const PathParams& params, Reply reply);
  // Creates, mails and forgets a reset link for `user` (on accounts_jobs_).
  void SendResetLink(const std::string& user);
  // The caller of a native route: the bearer token when the request has an Authorization header,
  // else the console session of its cookie; a state change with the cookie must also pass
  // CheckCsrf. kUnauthenticated (401) or kPermissionDenied (403, also for a failed CSRF/origin
  // check) otherwise.
  // On a route Handle has authenticated (Request::caller), the check of `need` costs nothing
  // more when the caller has it.
  Result<Principal> Authorize(const Request& req, Role need);
  // The caller Handle authenticated and checked against the route's RouteAccess (its role in the
  // table is the check): for handlers whose route needs no more than that. kInternal on a route
  // whose handler checks its own credential (a table error).
  static Result<Principal> RouteCaller(const Request& req);
  // Authenticates the caller of a route that `access` says Handle checks (CheckedByRouter) and
  // checks its Floor(): 401, 403 otherwise.
  Result<Principal> AdmitCaller(const RouteAccess& access, const Request& req);

  // ---- single sign-on (oidc_handlers.cc) ----
  // GET /ui/auth/methods: which sign-in methods the console offers (unauthenticated).
  void AuthMethods(const Request& req, const PathParams& params, Reply reply);
  // GET /ui/auth/oidc/start: redirects to the provider (with the state cookie).
  void OidcStart(const Request& req, const PathParams& params, Reply reply);
  // GET /ui/auth/oidc/callback: checks the answer, signs the person in, redirects to /ui/; every
  // refusal is an HTML page and creates no session.
  void OidcCallback(const Request& req, const PathParams& params, Reply reply);

  // ---- teams (GET /v1/teams: team_handlers.cc) and who may do what (team_access.cc) ----
  void ListTeams(const Request& req, const PathParams& params, Reply reply);
  void GetTeam(const Request& req, const PathParams& params, Reply reply);
  // The team of a service or schedule in the roster's teams ({}: none, also when no roster is
  // wired; then the global role decides, as before teams).
  ResourceTeam TeamOfService(const std::string& service_id) const;
  // The roster's current snapshot, or an empty one (no users, no teams) when none is wired.
  std::shared_ptr<const OnCallSnapshot> OnCallNow() const;
  ResourceTeam TeamOfSchedule(const std::string& schedule_id) const;
  // OK when `who` may do `action` on `resource`; else `hidden` (the route's own 404) when `who`
  // may not see it, or a 403 naming the role it needs.
  Status Permit(const Principal& who, Action action, const ResourceTeam& resource,
                const Error& hidden) const;
  // The role `who` has on the service's incidents (for allowed_actions), and whether it sees them.
  Role RoleOnService(const Principal& who, const std::string& service_id) const;
  bool SeesService(const Principal& who, const std::string& service_id) const;
  // Permit `action` on incident `number`'s service: reads the incident only when teams are
  // configured; a missing incident passes (the route answers its own 404).
  Status PermitIncident(const Principal& who, int64_t number, Action action);
  // Permit reading schedule `id` when `who` sees it (a hidden team's schedule: 404 "no schedule
  // <id>"); the route's own Authorize has checked the role (viewer, or calendar for the feeds).
  Status PermitSchedule(const Principal& who, const std::string& id) const;
  // `schedule` when `who` may read schedule `id`, else PermitSchedule's error.
  Result<const Schedule*> ReadableSchedule(const Principal& who, const std::string& id,
                                           const Schedule* schedule) const;
  // Permit creating or deleting an override of schedule `id` (core MayChangeShift).
  Status PermitShiftChange(const Principal& who, const std::string& id,
                           const ShiftChange& change) const;
  // The team of follow-up `number`'s service: reads the follow-ups only when teams are configured.
  Result<ResourceTeam> FollowupTeam(int64_t number);

  // ---- services, tokens, health (admin_handlers.cc) ----
  void ListServices(const Request& req, const PathParams& params, Reply reply);
  void CreateService(const Request& req, const PathParams& params, Reply reply);
  void CreateToken(const Request& req, const PathParams& params, Reply reply);
  void Health(const Request& req, const PathParams& params, Reply reply);
  void Ready(const Request& req, const PathParams& params, Reply reply);
  void MetricsText(const Request& req, const PathParams& params, Reply reply);
  void AdminStatus(const Request& req, const PathParams& params, Reply reply);

  // ---- drills (drill_handlers.cc) and live compliance (compliance_handlers.cc) ----
  void StartDrill(const Request& req, const PathParams& params, Reply reply);
  void FinishDrill(const Request& req, const PathParams& params, Reply reply);
  void ListDrills(const Request& req, const PathParams& params, Reply reply);
  // GET /v1/drills/{id}/notes: the finished drill's notes file (drill_notes_handlers.cc).
  void GetDrillNotes(const Request& req, const PathParams& params, Reply reply);
  void GetComplianceReport(const Request& req, const PathParams& params, Reply reply);
  // When the drill schedule started: options_.drill_anchor, else when the Api started.
  TimePoint DrillAnchor() const;

  // ---- heartbeats (heartbeat_handlers.cc) ----
  void ListHeartbeats(const Request& req, const PathParams& params, Reply reply);
  void GetHeartbeat(const Request& req, const PathParams& params, Reply reply);
  void CreateHeartbeat(const Request& req, const PathParams& params, Reply reply);
  void PatchHeartbeat(const Request& req, const PathParams& params, Reply reply);
  void DeleteHeartbeat(const Request& req, const PathParams& params, Reply reply);
  // Permit managing heartbeat `id` (admin on its service's team; a hidden team's: 404 "heartbeat
  // '<id>' not found"). A missing heartbeat needs the global admin role (the route's own 404
  // follows).
  Status PermitHeartbeat(const Principal& who, const std::string& id);
  // POST/GET /v1/heartbeats/{id}/ping and Opsgenie's /v2/heartbeats/{name}/ping.
  void PingHeartbeat(const Request& req, const PathParams& params, Reply reply);
  void PingOpsgenieHeartbeat(const Request& req, const PathParams& params, Reply reply);

  // ---- maintenance windows (maintenance_handlers.cc) ----
  void ListMaintenance(const Request& req, const PathParams& params, Reply reply);
  void GetMaintenance(const Request& req, const PathParams& params, Reply reply);
  void CreateMaintenance(const Request& req, const PathParams& params, Reply reply);
  void EndMaintenance(const Request& req, const PathParams& params, Reply reply);
  void DeleteMaintenance(const Request& req, const PathParams& params, Reply reply);
  // Sets Incident::maintenance of the open incidents whose service is in maintenance now (the
  // incident JSON's "maintenance"); kUnavailable and the like when the windows cannot be read.
  Status MarkMaintenance(std::vector<Incident>& incidents);
  Status MarkMaintenance(Incident& incident);
  // ---- a person's own contact methods and rules (contact_method_handlers.cc) ----
  void ListContactMethods(const Request& req, const PathParams& params, Reply reply);
  void CreateContactMethod(const Request& req, const PathParams& params, Reply reply);
  void DeleteContactMethod(const Request& req, const PathParams& params, Reply reply);
  void VerifyContactMethod(const Request& req, const PathParams& params, Reply reply);
  void SendContactCode(const Request& req, const PathParams& params, Reply reply);
  void TestContactMethod(const Request& req, const PathParams& params, Reply reply);
  void PutNotificationRules(const Request& req, const PathParams& params, Reply reply);
  void ListContactHistory(const Request& req, const PathParams& params, Reply reply);
  // The {id} user when the caller may manage their methods (themself, with role responder or
  // above globally or in a team, or a global admin): 403, 404 for an unknown user, the store's
  // failure otherwise. `actor` (optional) gets the caller's actor string, which the store records
  // with each change.
  Result<std::string> ContactOwner(const Request& req, const PathParams& params,
                                   std::string* actor = nullptr);
  // The user in `oncall` (null when there is no roster or no such user).
  const User* RosterUser(const std::shared_ptr<const OnCallSnapshot>& oncall,
                         const std::string& user) const;
  // The stored method `id` of `user` with its resolved destination; kNotFound, or kConflict for
  // one of the file's or one that no longer resolves.
  Result<std::pair<StoredContactMethod, ContactMethod>> StoredMethod(const std::string& user,
                                                                     const std::string& id);
  struct SendOutcome {
    bool sent = false;
    std::string error;  // why not, never a secret
  };
  // One send through AccountOptions::send_direct (blocks: call on accounts_jobs_).
  SendOutcome SendDirect(const ContactMethod& method, const Notice& notice);
  SendOutcome SendVerificationCode(const StoredContactMethod& stored, const ContactMethod& resolved,
                                   const std::string& code);
  // Swaps in a roster rebuilt with the people created through the API and the stored methods and
  // rules (nothing without a roster). Blocks on store reads: call on accounts_jobs_.
  Status RebuildContacts();

  // ---- severity policy (policy_handlers.cc) ----
  void GetPolicy(const Request& req, const PathParams& params, Reply reply);

  // ---- on-call, schedules, overrides, users, calendar feeds (oncall_handlers.cc) ----
  void GetOnCall(const Request& req, const PathParams& params, Reply reply);
  void ListSchedules(const Request& req, const PathParams& params, Reply reply);
  void GetShifts(const Request& req, const PathParams& params, Reply reply);
  void ScheduleCalendar(const Request& req, const PathParams& params, Reply reply);
  void UserCalendar(const Request& req, const PathParams& params, Reply reply);
  void ListOverrides(const Request& req, const PathParams& params, Reply reply);
  void CreateOverride(const Request& req, const PathParams& params, Reply reply);
  void DeleteOverride(const Request& req, const PathParams& params, Reply reply);
  void ListUsers(const Request& req, const PathParams& params, Reply reply);
  // The roster's snapshot for a caller with role `need` (kCalendar: RequireCalendarReader), who is
  // stored in `principal` when not null: kUnauthenticated/kPermissionDenied, or kUnavailable when
  // no roster is wired.
  Result<std::shared_ptr<const OnCallSnapshot>> AuthorizedSnapshot(const Request& req, Role need,
                                                                   Principal* principal = nullptr);
  // The principal of a calendar feed request: the Authorization header, else `?token=`.
  Result<Principal> RequireCalendarReader(const Request& req);
  // Applies a committed override change to the in-memory list and swaps in a rebuilt snapshot.
  Status ApplyOverrideChange(const ScheduleOverride* added, int64_t removed_id);

  Store& store_;
  IncidentStore& incident_writes_;  // Ingest, RecordChangeEvent, Execute
  const Clock& clock_;
  const ApiOptions options_;
  const std::shared_ptr<const SeverityPolicy> policy_;
  const TimePoint started_at_;
  Router router_;
  Metrics metrics_;
  Authenticator auth_;
  SessionStore sessions_;
  RateLimiter limiter_;
  PerThread<KeyCache> key_cache_;
  std::atomic<uint64_t> key_generation_{0};
  std::atomic<bool> draining_{false};

  const std::shared_ptr<Roster> roster_;
  const std::function<EngineStats()> engine_stats_;  // null: no engine figures in /metrics
  const std::shared_ptr<const LinkSigner> links_;    // null: /a/ answers 404
  const std::shared_ptr<ProbeRunner> probes_;        // null: no probes, resolve is not gated
  const std::function<Result<std::shared_ptr<const OnCallSnapshot>>(
      const std::vector<ScheduleOverride>&)>
      rebuild_roster_;
  std::mutex overrides_mu_;
  std::vector<ScheduleOverride> stored_overrides_;  // guarded by overrides_mu_
  // Single sign-on (null: off); its network calls run on sso_jobs_ (null when off).
  const std::shared_ptr<oidc::SignOn> sign_on_;
  std::unique_ptr<JobThread> sso_jobs_;
  // Drill start and finish (drill_handlers.cc); the notes go into options_.drills.dir.
  FileDrillNotesWriter drill_notes_;
  DrillService drills_;
  SignInLimiter sign_in_limiter_;  // failed sign-ins and password checks
  SignInLimiter reset_limiter_;    // reset requests
  // Password hashing (Argon2id, ~0.1 s and 64 MiB each) and the writes people's sign-in waits
  // for: off the I/O threads, and apart from the drills' jobs.
  JobThread accounts_jobs_;
  // Drill start and finish wait for their store write: off the I/O threads. Last, so that it is
  // destroyed first and its jobs finish while everything they use still exists.
  JobThread blocking_;
};

}  // namespace loom::http
