// simdjson for the hottest ingest body: a PagerDuty event arrives once per alert, and parsing it
// into nlohmann's DOM (a std::map per object, an allocation per string) cost about a third of an
// HTTP thread's time per event. simdjson parses into a flat tape in a parser reused by the thread.
//
// Thread safety: each thread has its own parser; an element read from it is valid until the same
// thread parses again.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>

#include "ingest/json_input.h"

namespace loom::ingest {

using FastElement = simdjson::dom::element;
using FastObject = simdjson::dom::object;

// Parses `body` with this thread's parser into `*out`. Refuses bodies nested deeper than
// kMaxJsonDepth. Integers beyond 64 bits, which simdjson refuses, are read as doubles (what
// nlohmann-json and PagerDuty do), so such a body is not turned away. Throws std::bad_alloc
// when the parser cannot grow.
JsonBodyStatus ParseFastJsonBody(std::string_view body, FastElement* out);

// The member `key` of `obj` (the last one when the key repeats), or nullopt when absent or JSON
// null.
std::optional<FastElement> FastMember(FastObject obj, std::string_view key);

// The member `key` when it is a string, else nullopt.
std::optional<std::string_view> FastStringMember(FastObject obj, std::string_view key);

// Appends `"key":<compact value>` (with a leading comma unless `out` ends in '{').
void AppendFastMember(std::string& out, std::string_view key, FastElement value);

}  // namespace loom::ingest
