// Error and success bodies of the HTTP API:
//   - RFC 9457 problem documents (application/problem+json) for the native /v1 API and the
//     Alertmanager/generic integrations: type, title, status, detail, instance, errors[];
//   - PagerDuty Events v2's own bodies on /v2/* (docs/api.md lists every one).
// Bodies are built by hand (no JSON DOM): they sit on the ingest hot path.
//
// Thread safety: stateless functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "http/types.h"

namespace loom::http {

inline constexpr char kProblemTypeBase[] = "https://loom-oncall.dev/problems/";
inline constexpr char kProblemContentType[] = "application/problem+json";

// The HTTP reason phrase used as the problem title, e.g. 409 → "Conflict".
const char* ReasonPhrase(int status);

// A problem document. `type_slug` ends the type URI ("conflict", "not-found", ...).
std::string RenderProblem(int status, std::string_view type_slug, std::string_view detail,
                          std::string_view instance, const std::vector<FieldError>& fields = {});

// The problem response for `error` (status from HttpStatusFor). Internal errors get a generic
// detail: their message may name files or SQL and is for the server log only. 503 answers carry
// Retry-After: 1.
Response ProblemResponse(const Error& error, std::string_view instance);

// 405 with the Allow header.
Response MethodNotAllowedProblem(std::string_view instance, std::string allow);

// ---- PagerDuty Events API v2 ----

// The success bodies are the format's (ingest/pagerduty/pagerduty.h).
// 400/413: {"status":"invalid event","message":"Event object is invalid","errors":[...]}, one
// entry per field error (the parser words them as PagerDuty does), else the error's message.
// 429: the throttle body; 503: {"status":"unavailable","message":...}; 500 otherwise.
Response PagerDutyError(const Error& error, int retry_after_seconds = 0);

}  // namespace loom::http
