// How the store's rows (SQLite and PostgreSQL alike) map to domain structs: the column lists every
// SELECT uses, the decoders for them, the ServiceSettings JSON, and a small JSON object writer for
// timeline data.
//
// Thread safety: stateless functions and value types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/json_writer.h"
#include "common/result.h"
#include "core/alert.h"
#include "core/incident.h"
#include "core/outbox.h"
#include "core/service.h"
#include "core/timeline.h"
#include "store/sql/db.h"

namespace loom::sql {

// An incident row: the domain incident plus the columns only the store uses.
struct IncidentRow {
  Incident incident;
  int64_t integration_key_id = 0;
  bool group_open = false;  // the (integration key, dedup key) group still takes alerts
  int64_t last_seq = 0;     // the newest timeline event's seq and hash (the chain's tail)
  std::string last_hash;
};

// Column lists, in the order the Read* functions expect them at column 0.
extern const char kIncidentColumns[];
extern const char kAlertColumns[];
extern const char kTimelineColumns[];
extern const char kOutboxColumns[];

void ReadIncidentRow(const Query& q, IncidentRow* row);
void ReadAlert(const Query& q, Alert* alert);
void ReadTimelineEvent(const Query& q, TimelineEvent* event);
// kInternal for a state that is none of OutboxState's (a row this code did not write).
Status ReadOutboxRow(const Query& q, OutboxEntry* entry);

// The incident's responders as the JSON array stored in responders_json, and back. Unparsable
// text decodes as no responders.
std::string EncodeResponders(const std::vector<std::string>& responders);
std::vector<std::string> DecodeResponders(std::string_view json);

// {"severity_map":{"critical":"sev1",...},"fallback":"sev2","auto_resolve":false,
//  "rate_limit_per_minute":0,"grouping":{"window_us":1800000000,"match_labels":["service"]}}
// ("grouping" only when it is on)
std::string EncodeSettings(const ServiceSettings& settings);
// Missing fields keep their defaults; kInternal when the text is not a JSON object.
Result<ServiceSettings> DecodeSettings(std::string_view json);

}  // namespace loom::sql
