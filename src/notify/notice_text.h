// Plain-text phrases of a Notice that every human-facing channel (chat, e-mail) words the same
// way, so a page reads alike wherever it lands. Escaping for the target format is the caller's.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/html.h"
#include "notify/channel.h"

namespace loom {

// "sev1" → "Sev1"; anything else unchanged.
std::string SeverityLabel(std::string_view severity);

// "Sev1 · availability · service db · triggered", leaving out empty parts.
std::string IncidentFacts(const NoticeIncident& incident);

// "INC-12 Database down" for one incident, "3 incidents" for a bundle, "" for none.
std::string IncidentsHeadline(const Notice& notice);

// The last line of a human-facing message: "loom-oncall · page · for Alice (primary)" (the
// recipient left out for channel posts).
std::string NoticeFooter(const Notice& notice);

// At most `max_bytes` of `text`, cut at a UTF-8 character boundary, "…" appended when cut.
std::string TruncateUtf8(std::string_view text, size_t max_bytes);

}  // namespace loom
