// Helpers shared by the handler files (api.cc, *_handlers.cc); not part of the HTTP layer's
// interface.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "http/json_codec.h"
#include "http/types.h"

namespace loom::http {

// A JSON response with `body` serialised compactly.
Response JsonResponse(int status, const Json& body);

// A request carrying only `method` and `path` (as target and path): for problem answers and log
// lines made in a store callback, after the original request's views are gone.
// REQUIRES: `path` outlives the returned value.
Request RequestAt(Method method, std::string_view path);

// The problem answer for `error` on the request's path (the problem's `instance`); logs
// internal errors (never the query string, which may carry a key).
Response ProblemFor(const Error& error, const Request& request);

// Logs an internal or unexpected error of a request at warn/error level.
void LogRequestError(const Error& error, const Request& request);

// Parses a JSON object body. An empty (or blank) body is {} when `allow_empty`.
// kInvalidArgument with pointer "" for malformed JSON or a non-object.
Result<nlohmann::json> ParseObjectBody(std::string_view body, bool allow_empty);

// The optional string member `key` of `obj`: "" when absent or null; a field error (pointer
// "/key") when present with another type.
Result<std::string> OptionalStringField(const nlohmann::json& obj, const char* key);

// A positive decimal integer, or nullopt.
std::optional<int64_t> ParsePositiveInt(std::string_view text);
// An incident reference in a path or query: "INC-42" or "42".
std::optional<int64_t> ParseIncidentRef(std::string_view text);
// The 400 problem for invalid query parameters (pointers "/query/<name>").
Error InvalidQuery(std::vector<FieldError> errors);

// The `from`/`to` query window of a request: RFC 3339 instants, defaults as given (only `from`
// given: the default length after it), from < to, at most 366 days.
struct Window {
  TimePoint from, to;
  bool defaulted = false;  // neither from nor to was given
};
Result<Window> WindowParams(const Request& req, TimePoint default_from, TimePoint default_to);

// Seconds for a Retry-After header from microseconds, at least 1.
int RetryAfterSeconds(int64_t micros);

}  // namespace loom::http
