// Helpers shared by the handler files (api.cc, *_handlers.cc); not part of the HTTP layer's
// interface.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

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

// Seconds for a Retry-After header from microseconds, at least 1.
int RetryAfterSeconds(int64_t micros);

}  // namespace loom::http
