// BuildOnCallSnapshot: the one place that turns the configuration's users, teams, schedules, roles
// and business hours, plus the overrides stored through the API, into the immutable OnCallSnapshot
// that every surface reads (through a Roster).
//
// Precedence inside a schedule: stored overrides over configured overrides over layers; among
// overrides, the later one wins (stored ones by id, i.e. creation order).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "core/roster.h"
#include "core/schedule_override.h"
#include "store/account_store.h"

namespace loom {

// `skipped` (optional) receives one line per stored override that no longer applies because its
// schedule is not configured any more. An error only for a config that LoadConfig would refuse.
Result<std::shared_ptr<const OnCallSnapshot>> BuildOnCallSnapshot(
    const Config& config, const std::vector<ScheduleOverride>& stored_overrides,
    std::vector<std::string>* skipped = nullptr);

// `base` with the people created through the API (StoredAccount::configured false) added as
// users without contact methods of the file (their own come from the contact store), so that
// every surface knows them as it knows the file's users: single sign-on matches them, they can
// own follow-ups and command. A configured account, or one whose id the snapshot already has,
// changes nothing.
std::shared_ptr<const OnCallSnapshot> WithCreatedUsers(
    const std::shared_ptr<const OnCallSnapshot>& base, const std::vector<StoredAccount>& accounts);

}  // namespace loom
