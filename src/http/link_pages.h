// The HTML pages of one-click links (GET and POST /a/{token}, docs/api.md): small self-contained
// documents (inline CSS, no script, no external resource) in which every dynamic value is
// HTML-escaped. Each response carries the headers that keep a page holding a credential out of
// caches, referrers, search indexes and frames.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/incident.h"
#include "core/incident_command.h"
#include "core/incident_query.h"
#include "http/types.h"
#include "notify/action_link.h"

namespace loom::http {

// A page: `status`, `title` (plain text) as the heading, `body_html` (already escaped) below it.
Response LinkPage(int status, std::string_view title, std::string_view body_html);

// GET of an "ack" link: the incident and, while it is triggered, "Acknowledge INC-12 as alice"
// as a form that POSTs to the same URL; otherwise the incident's state and nothing to press.
Response AckConfirmationPage(const Incident& incident, const ActionClaims& claims);
// GET of a "view" link: the incident read-only with its timeline.
Response IncidentViewPage(const IncidentDetail& detail);
// A successful POST: "INC-12 acknowledged by alice via email".
Response AcknowledgedPage(const Incident& incident, const ActionClaims& claims);

// The page for a link that cannot be used: Verify's error (forged or malformed: 404; expired:
// 410), or the failure of the acknowledge command (reused: 409; the incident's state does not
// allow it: 409; unknown incident: 404; store unavailable: 503; otherwise 500).
Response LinkErrorPage(const Error& error, int64_t incident_number = 0);

}  // namespace loom::http
