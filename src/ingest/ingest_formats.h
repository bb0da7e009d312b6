// The table of inbound wire formats: one entry per ingest route, in route order (the hot
// PagerDuty route first). The HTTP layer builds its ingest routes, its generic handler and the
// `endpoint` label of its event metrics from this table alone; adding a format is its folder
// (src/ingest/<format>/, defining its IngestFormat) plus one line in the table of ingest_formats.cc
// (no include).
//
// Thread safety: the table is immutable.
#pragma once

#include <span>

#include "ingest/ingest_format.h"

namespace loom {

// Every registered format. Labels and paths are unique (ingest_formats_test.cc).
std::span<const IngestFormat* const> IngestFormats();

}  // namespace loom
