// PagerDuty Events API v2: alert events (POST /v2/enqueue) and change events
// (POST /v2/change/enqueue), with PagerDuty's own success and error bodies (WIRE-FORMATS.md).
// Pure: bytes in, events out; see ingest/ingest_format.h for what the server does with them.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "core/alert.h"
#include "core/alert_event.h"
#include "ingest/ingest_format.h"

namespace loom {

// PagerDuty Events API v2, POST /v2/enqueue.
struct PagerDutyEvent {
  std::string routing_key;
  IngestRequest request;  // one AlertUpdate; dedup_key generated when absent on trigger
};
Result<PagerDutyEvent> ParsePagerDutyEvent(std::string_view body);

// PagerDuty change event, POST /v2/change/enqueue.
struct PagerDutyChange {
  std::string routing_key;
  ChangeEvent event;  // service_id left empty
};
Result<PagerDutyChange> ParsePagerDutyChange(std::string_view body);

// {"status":"success","message":"Event processed","dedup_key":"..."}
std::string PagerDutyAcceptedBody(const IngestOutcome& outcome);
// {"status":"success","message":"Change event processed"}
std::string PagerDutyChangeAcceptedBody(const IngestOutcome& outcome);

// The two routes, registered in ingest/ingest_formats.cc.
extern const IngestFormat kPagerDutyEventFormat;   // "pagerduty": /v2/enqueue
extern const IngestFormat kPagerDutyChangeFormat;  // "pagerduty_change": /v2/change/enqueue

}  // namespace loom
