// `loom-oncall incident list|show|ack|mitigate|resolve|close|note|commander|severity`: the
// incident API (docs/api.md "Incidents") from the command line. Registered by
// RegisterIncidentCommands (commands.h).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace loom {

// "INC-7", "inc-7" and "7" → "INC-7"; kInvalidArgument ("invalid incident id 'x': expected
// INC-<number>") for anything else.
Result<std::string> NormalizeIncidentId(std::string_view text);

}  // namespace loom
