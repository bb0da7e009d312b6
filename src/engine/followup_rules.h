// What a follow-up's deadline does when it fires (kinds "followup_reminder" and "followup_due",
// payload in store/sql/followup_tables.h). Pure: the follow-up's details travel in the
// payload, and a follow-up that is done, cancelled or changed has had these deadlines cancelled
// in the same transaction, so a firing deadline always speaks for an open follow-up.
//
//   followup_reminder  a "reminder" message to the owner: the follow-up is due soon.
//   followup_due       an "overdue" message to the owner and, when the follow-up has a service
//                      with an escalation manager on call now, to that manager too.
//
// Outbox keys start with "FU-<n>/due<us>/", so firing twice sends nothing twice and a new due
// date gets fresh messages.
#pragma once

#include <string>

#include "core/deadline.h"
#include "core/roster.h"

namespace loom {

bool IsFollowupDeadline(DeadlineKind kind);

DeadlineEffects DecideFollowupDeadline(const Deadline& deadline, TimePoint now,
                                       const OnCallSnapshot& oncall);

}  // namespace loom
