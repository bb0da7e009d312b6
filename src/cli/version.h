// The release version shown by `loom-oncall version`, `--version`, /health and the User-Agent.
#pragma once

namespace loom {

inline constexpr char kLoomOncallVersion[] = "0.1.0";

}  // namespace loom
