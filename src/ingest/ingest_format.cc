#include "ingest/ingest_format.h"

#include "common/json_writer.h"
#include "core/incident.h"

namespace loom {

std::string IncidentAcceptedBody(const IngestOutcome& outcome, bool with_dedup_key) {
  std::string body = R"({"status":"success")";
  if (with_dedup_key) {
    body += R"(,"dedup_key":)";
    AppendJsonString(outcome.dedup_key, &body);
  }
  body += R"(,"incident":)";
  if (outcome.incident_number > 0) {
    AppendJsonString(IncidentId(outcome.incident_number), &body);
  } else {
    body += "null";
  }
  body += '}';
  return body;
}

}  // namespace loom
