// Who may do what: the role matrix as pure code (docs/authentication.md "Teams and roles").
//
// A caller has a global role (a token's role, or a person's `users[].role`) and, when it acts as
// a person, a role in each of that person's teams. A resource (a service, an incident through its
// service, a schedule) may belong to a team. On a resource of team T the caller's effective role
// is the higher of its global role and its role in T; on a resource without a team it is the
// global role (as before teams existed). An owner has every right everywhere.
//
// Visibility: a team with `visibility: team` hides its resources from people who are not its
// members (404, not 403, so that their existence does not leak). Global admins and owners see
// them, and so does a token bound to nobody (a machine an admin granted a role on everything).
//
// Thread safety: stateless functions over immutable values.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "core/schedule.h"
#include "core/service.h"

namespace loom {

// Who asks (mirrors http::Principal without the HTTP layer).
struct Caller {
  Role role = Role::kViewer;  // global
  std::string user;           // the person it acts as; "" for a token bound to nobody
  std::map<std::string, Role, std::less<>> team_roles;  // team id → role
};

// What a decision is about: the team a resource belongs to, "" for none.
struct ResourceTeam {
  std::string team;
  bool hidden = false;  // the team's `visibility: team`
};

// What the caller wants to do, and the role it needs on the resource's team.
enum class Action {
  kRead,     // read (viewer): incidents, services, schedules, shifts, reports
  kRespond,  // act on an incident (responder): commands, notes, updates, evidence, checklist,
             // summary, review, follow-ups, probes
  kManage,   // manage (admin): a service's settings, any shift of a schedule, teams
  kOwn,      // owner only: grant the owner role (mint an owner token)
};
const char* ActionName(Action action);

// The role `action` needs: viewer, responder, admin, owner.
Role NeededRole(Action action);

// The caller's role on a resource of `team` ("" = none): its global role, raised to its role in
// that team when it is a member. An owner stays owner.
Role EffectiveRole(const Caller& caller, std::string_view team);

// False when `resource` is of a hidden team the caller may not see (see above).
bool CanSee(const Caller& caller, const ResourceTeam& resource);

// True when the caller may do `action` on `resource`: it can see it and its effective role
// allows NeededRole(action).
bool Allowed(const Caller& caller, Action action, const ResourceTeam& resource);

// True when the caller may act (respond) somewhere: its global role, or a role in one of its
// teams, is at least responder (the console's can_write).
bool MayRespondSomewhere(const Caller& caller);

// A change of a schedule's shifts (creating or deleting an override) as it touches the caller.
struct ShiftChange {
  bool caller_in_schedule = false;  // the caller's user is a participant of the schedule
  // The change is about the caller's own shifts: a new override puts the caller on call (taking
  // over) or replaces only shifts of the caller's (giving one away, or one half of a swap); a
  // deleted override names the caller or was made by the caller.
  bool own = false;
};

// True when `user` is a participant of one of the schedule's layers.
bool InSchedule(const Schedule& schedule, const std::string& user);

// The ShiftChange of a new override of `override_user` over [from, to) in `schedule`, for a
// caller acting as `caller_user` ("" for none: nothing is its own).
ShiftChange DescribeNewOverride(const Schedule& schedule, const std::string& caller_user,
                                const std::string& override_user, TimePoint from, TimePoint to);

// True when the caller may create (or delete) an override of a schedule of `schedule`'s team.
// A schedule without a team: a responder, as before teams. A team's schedule: the team's admins
// (and global admins, owners), and a person in the schedule with at least responder when the
// change is their own.
bool MayChangeShift(const Caller& caller, const ResourceTeam& schedule, const ShiftChange& change);

// Why `action` was refused on `resource`, for a 403's detail ("this needs role responder on
// team payments; you have viewer").
std::string RefusalDetail(const Caller& caller, Action action, const ResourceTeam& resource);

}  // namespace loom
