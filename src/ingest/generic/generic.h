// Generic JSON events, POST /v1/integrations/generic (WIRE-FORMATS.md). Pure: bytes in, an
// IngestRequest out; see ingest/ingest_format.h for what the server does with it.
#pragma once

#include <string_view>

#include "common/result.h"
#include "core/alert.h"
#include "ingest/ingest_format.h"

namespace loom {

// {"summary", "severity" (critical|error|warning|info|sev1..sev4), "dedup_key"?, "source"?,
//  "kind"?, "action"? (trigger|acknowledge|resolve), "details"? (object)}.
// summary and severity are required to trigger, dedup_key to acknowledge or resolve (a trigger
// without one gets a generated key). critical..info become raw_severity, sev1..sev4 the override.
// Every problem at once (Error.fields: pointer + detail); unknown fields are ignored.
Result<IngestRequest> ParseGenericEvent(std::string_view body);

// "generic", registered in ingest/ingest_formats.cc.
extern const IngestFormat kGenericFormat;

}  // namespace loom
