#include "core/alert_event.h"

namespace loom {

const char* AlertActionName(AlertAction a) {
  switch (a) {
    case AlertAction::kTrigger: return "trigger";
    case AlertAction::kAcknowledge: return "acknowledge";
    case AlertAction::kResolve: return "resolve";
  }
  return "trigger";
}

void ApplySeverityMapping(IngestRequest& request, const SeverityMapping& mapping) {
  for (auto& a : request.alerts) a.severity = mapping.Map(a.raw_severity, a.severity_override);
}

}  // namespace loom
