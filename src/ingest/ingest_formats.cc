#include "ingest/ingest_formats.h"

namespace loom {

// THE registration: one line per format, naming the IngestFormat its folder defines
// (src/ingest/<format>/). The order is the route order and the order of the metrics. Registering
// needs no include: the X-macro below declares the objects and lists their addresses.
#define LOOM_INGEST_FORMATS(X) \
  X(kPagerDutyEventFormat)     \
  X(kPagerDutyChangeFormat)    \
  X(kAlertmanagerFormat)       \
  X(kGenericFormat)

#define LOOM_DECLARE(format) extern const IngestFormat format;
LOOM_INGEST_FORMATS(LOOM_DECLARE)
#undef LOOM_DECLARE

std::span<const IngestFormat* const> IngestFormats() {
#define LOOM_ADDRESS(format) &format,
  static constexpr const IngestFormat* kFormats[] = {LOOM_INGEST_FORMATS(LOOM_ADDRESS)};
#undef LOOM_ADDRESS
  return kFormats;
}

}  // namespace loom
