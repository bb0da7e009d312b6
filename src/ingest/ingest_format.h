// IngestFormat: what the server needs to know about one inbound wire format (one POST route), so
// that one generic handler (http/ingest_handlers.cc) serves every format from its entry in the
// table of ingest_formats.h. Each format lives in its own folder (src/ingest/<format>/) with its
// parser, its tests and the IngestFormat it registers; see WIRE-FORMATS.md for the formats.
//
// The handler's flow for an entry: resolve the integration key (kRequest: before parsing) →
// parse → resolve the key (kBody: the key the parser found) → rate limit → fill service_id, the
// key id and the severity mapping (then `apply_grouping`) → Store::Ingest, or
// Store::RecordChangeEvent for a change event → answer `accepted_status` with `accepted_body`
// once the store has committed. Every refusal is answered in the entry's `error_style`.
//
// Thread safety: entries are immutable; their functions are pure and safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "common/result.h"
#include "core/alert.h"
#include "core/alert_event.h"
#include "core/service.h"

namespace loom {

// Where a format's integration key travels.
enum class KeyFrom {
  kBody,     // a field of the body (PagerDuty's routing_key): the body is parsed first
  kRequest,  // `Authorization: Bearer <key>` or `?key=<key>`: resolved before the body is parsed
};

// How a format's refusals and failures are answered.
enum class ErrorStyle {
  kProblem,    // RFC 9457 problem documents (http/problem.h)
  kPagerDuty,  // PagerDuty Events v2's own bodies ("invalid event", "throttle exceeded", ...)
};

// What a parser found in a valid body.
struct ParsedEvent {
  std::string routing_key;  // KeyFrom::kBody: the integration key in the body; else ""
  // Alerts to ingest, or a change event (its service_id is filled by the handler).
  std::variant<IngestRequest, ChangeEvent> event;
};

struct IngestFormat {
  // The `endpoint` label of loom_oncall_events_total and GET /v1/admin/status ("pagerduty").
  std::string_view label;
  std::string_view path;  // the POST route ("/v2/enqueue")
  KeyFrom key_from = KeyFrom::kRequest;
  ErrorStyle error_style = ErrorStyle::kProblem;
  // The sender drops a payload on any 4xx and retries a 5xx (Alertmanager): a store that cannot
  // be read, the rate limit and a refusal by the store are answered 503, never 4xx.
  bool retries_only_5xx = false;
  int accepted_status = 202;
  // Validates the whole body; every problem at once in Error.fields (see the format's header).
  // Never throws.
  Result<ParsedEvent> (*parse)(std::string_view body) = nullptr;
  // The success body (JSON) for what the store did; a change event gets a default IngestOutcome.
  std::string (*accepted_body)(const IngestOutcome& outcome) = nullptr;
  // Content-based grouping (core/service.h AlertGrouping) for formats whose alerts carry labels;
  // null: the format's alerts are never grouped.
  void (*apply_grouping)(IngestRequest& request, const AlertGrouping& grouping) = nullptr;
};

// {"status":"success","incident":"INC-7"} (null when the event matched no incident), with
// ,"dedup_key":"..." after "status" when `with_dedup_key`: the native formats' success body.
std::string IncidentAcceptedBody(const IngestOutcome& outcome, bool with_dedup_key);

}  // namespace loom
