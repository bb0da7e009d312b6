// What a route asks of its caller: the access column of the route table (routes.cc). Api::Handle
// enforces it before the handler runs (the credential, and the role Floor()); the handler then
// decides on the resource's team with core/authorization.h. docs/authentication.md "Route by
// route" lists every route's access (role_matrix_docs_test.cc keeps the two in step), and the
// role matrix tests (role_matrix_*_test.cc) check every route's answer for each kind of caller.
//
// Thread safety: constant values.
#pragma once

#include "core/service.h"

namespace loom::http {

// How the caller proves who it is.
enum class Credential {
  // An API token (Authorization: Bearer) or a console session (its cookie; a state change also
  // needs the CSRF token and the server's own Origin). Checked by Api::Handle.
  kCaller,
  // As kCaller, or a token in the URL (?token=): the iCalendar feeds. Checked by Api::Handle.
  kCalendarFeed,
  // A token as Authorization: Bearer or as the x-loom-admin-token header; no console session.
  // Checked by Api::Handle.
  kAdminToken,
  // The route's own, checked by its handler (Api::Handle checks nothing):
  kIntegrationKey,  // a service's integration key (ingest, heartbeat pings)
  kProvider,        // the provider's signature or secret (Twilio, Pushover, Telegram, Mattermost)
  kLink,            // a signed one-click link (/a/{token}) or a password reset link
  kSignIn,          // the sign-in itself: a password, an API token, or single sign-on
  kSession,         // the console session's cookie (and CSRF token), answered also when absent
  kPassword,        // the current password or a reset token, else a caller (PUT .../password)
  kNone,            // nobody: health, metrics, the console's files
};
const char* CredentialName(Credential credential);

// Whose role counts.
enum class Scope {
  kServer,  // the global role: a server-wide route
  // The role on the team of the resource (incident, service, schedule, heartbeat, follow-up,
  // team): the higher of the global role and the caller's role in that team. A hidden team's
  // resource answers 404 to those who may not see it; lists leave them out.
  kTeam,
  // The person of the path's {id} themself, when they may respond somewhere (a global role or a
  // team role of at least `role`), or a global admin.
  kPerson,
  // A schedule's shifts (overrides): on a team's schedule its admins (`role`), and a person in the
  // schedule with at least responder for a change of their own shifts (core MayChangeShift); on a
  // schedule without a team, a responder.
  kShifts,
};
const char* ScopeName(Scope scope);

struct RouteAccess {
  // No default: every route of the table names its access (a route without one does not compile).
  constexpr RouteAccess(Credential c, Role r, Scope s) : credential(c), role(r), scope(s) {}

  Credential credential;
  Role role;  // the role needed in `scope` (a route of the handler's own credential: kViewer)
  Scope scope;

  // True when Api::Handle authenticates the caller (kCaller, kCalendarFeed, kAdminToken).
  constexpr bool CheckedByRouter() const {
    return credential == Credential::kCaller || credential == Credential::kCalendarFeed ||
           credential == Credential::kAdminToken;
  }
  // The global role Api::Handle asks for: `role` on a server-wide route; elsewhere at most viewer
  // (a role in a team may lift a caller above its global role: the handler decides on the team).
  constexpr Role Floor() const {
    return scope != Scope::kServer && static_cast<int>(role) < static_cast<int>(Role::kViewer)
               ? Role::kViewer
               : role;
  }
};

// The table's shorthands.
constexpr RouteAccess Server(Role role) { return {Credential::kCaller, role, Scope::kServer}; }
constexpr RouteAccess OnTeam(Role role) { return {Credential::kCaller, role, Scope::kTeam}; }
constexpr RouteAccess OfPerson(Role role) { return {Credential::kCaller, role, Scope::kPerson}; }
constexpr RouteAccess OnShifts() { return {Credential::kCaller, Role::kAdmin, Scope::kShifts}; }
constexpr RouteAccess CalendarFeed() {
  return {Credential::kCalendarFeed, Role::kCalendar, Scope::kTeam};
}
constexpr RouteAccess Own(Credential credential) {
  return {credential, Role::kViewer, Scope::kServer};
}

}  // namespace loom::http
