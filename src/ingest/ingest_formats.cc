#include "ingest/ingest_formats.h"

#include "ingest/alertmanager/alertmanager.h"
#include "ingest/generic/generic.h"
#include "ingest/pagerduty/pagerduty.h"

namespace loom {

std::span<const IngestFormat* const> IngestFormats() {
  // One line per format. The order is the route order and the order of the metrics.
  static constexpr const IngestFormat* kFormats[] = {
      &kPagerDutyEventFormat,
      &kPagerDutyChangeFormat,
      &kAlertmanagerFormat,
      &kGenericFormat,
  };
  return kFormats;
}

}  // namespace loom
