// The shipped runbook (docs/INCIDENT-RESPONSE-ONCALL.md), compiled in: the severity policy's
// source when the configuration names no runbook file. CMake copies the file into a generated
// source at configure time and re-runs when it changes.
//
// Thread safety: returns a view of static storage.
#pragma once

#include <string_view>

namespace loom {

// How sources and `GET /v1/policy` name the built-in copy ("built-in
// INCIDENT-RESPONSE-ONCALL.md:22").
inline constexpr char kBuiltInRunbookName[] = "built-in INCIDENT-RESPONSE-ONCALL.md";

std::string_view BuiltInRunbook();

}  // namespace loom
