// What the console's session handlers (console_handlers.cc) and the people's sign-in handlers
// (account_handlers.cc) answer alike: the session JSON, the sign-in response with its cookie,
// and the fields of a sign-in body. Not part of the HTTP layer's interface.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "http/json_codec.h"
#include "http/session.h"
#include "http/types.h"

namespace loom::http {

// GET /ui/session's body: user, name, teams, role, actor, csrf_token, expires_at, can_write.
Json SessionJson(const ConsoleSession& session);

// `r` with Cache-Control: no-store (every answer that carries or depends on a session).
Response NoStore(Response r);

// 200 with `body` and the Set-Cookie of the new session (Max-Age up to its absolute expiry).
Response SignedInResponse(const SessionStore::Created& created, const Json& body, TimePoint now,
                          bool tls);

// The string field `key` of a sign-in body, a JSON object or an HTML form (key=...); a 400 with
// pointer "/<key>" when it is missing or empty.
Result<std::string> FormField(std::string_view body, const char* key);

}  // namespace loom::http
