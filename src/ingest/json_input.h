// Shared plumbing of the ingest parsers: bounded JSON parsing and small field checks.
//
// The parsers read untrusted bodies on the I/O threads, so parsing never throws (nlohmann-json is
// called with exceptions disabled) and nesting depth is capped before the DOM is built: stored
// details are later serialised with nlohmann's recursive dump(), which a body of 500 000 '['
// would otherwise overflow the stack with.
//
// Thread safety: stateless functions.
#pragma once

#include <cstddef>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace loom::ingest {

using Json = nlohmann::json;

// Deeper bodies are refused as invalid. Real senders nest a handful of levels.
inline constexpr size_t kMaxJsonDepth = 64;

enum class JsonBodyStatus { kOk, kMalformed, kTooDeep };

// Parses `body` into `*out` without throwing.
JsonBodyStatus ParseJsonBody(std::string_view body, Json* out);

// Deepest nesting of arrays/objects in `text` (string contents skipped); stops counting at
// `limit` + 1. Does not validate the JSON.
size_t JsonNestingDepth(std::string_view text, size_t limit);

// Number of Unicode code points in valid UTF-8 `s` (what PagerDuty's length limits count).
size_t Utf8Length(std::string_view s);

// Incident titles and alert summaries from any source are at most this many characters (code
// points), PagerDuty's own limit for payload.summary.
inline constexpr size_t kMaxTitleLength = 1024;

// `text` as it is when it has at most kMaxTitleLength characters; else its beginning, cut at a
// character boundary, followed by a marker saying so ("… [cut: 200000 characters in all; the full
// text is in the alert's details]"), kMaxTitleLength characters in all. REQUIRES: valid UTF-8.
std::string CapTitle(std::string_view text);

// True when `s` is empty or only ASCII whitespace.
bool IsBlank(std::string_view s);

// The member `key` of object `obj`, or nullptr when absent or JSON null.
// REQUIRES: obj.is_object()
const Json* Member(const Json& obj, std::string_view key);
Json* Member(Json& obj, std::string_view key);

// The member `key` when it is a string, else nullptr.
const std::string* StringMember(const Json& obj, std::string_view key);

// Compact serialisation that never throws on invalid UTF-8 (replaced by U+FFFD).
std::string DumpCompact(const Json& value);
// Appends the compact serialisation of `value` to `out`.
void AppendCompact(std::string& out, const Json& value);
// Appends `"key":<value>` (with a leading comma unless `out` ends in '{').
void AppendMember(std::string& out, std::string_view key, const Json& value);

// Converts a caught exception into the Internal error a parser returns (no exception escapes the
// parsers; the only expected ones are std::bad_alloc and RandomHex's entropy failure).
Error InternalParserError(std::string_view format, const std::exception& e);

}  // namespace loom::ingest
