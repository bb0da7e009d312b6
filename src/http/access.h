// The HTTP layer's side of the role matrix (core/authorization.h): a Principal as the Caller the
// decision takes.
#pragma once

#include "core/authorization.h"
#include "http/auth.h"
#include "http/json_codec.h"

namespace loom::http {

// The principal's global role, user and team roles.
Caller CallerOf(const Principal& principal);

// The `team` member of a service, schedule or incident answer: the team id, or null.
Json TeamJson(const ResourceTeam& team);

}  // namespace loom::http
