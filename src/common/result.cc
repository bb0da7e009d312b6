#include "common/result.h"

namespace loom {

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kPayloadTooLarge: return 413;
    case ErrorCode::kUnprocessable: return 422;
    case ErrorCode::kResourceExhausted: return 429;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 2;
    case ErrorCode::kUnauthenticated:
    case ErrorCode::kPermissionDenied: return 3;
    case ErrorCode::kNotFound: return 4;
    case ErrorCode::kConflict: return 5;
    case ErrorCode::kPayloadTooLarge: return 2;
    case ErrorCode::kUnprocessable: return 2;
    case ErrorCode::kResourceExhausted:
    case ErrorCode::kUnavailable: return 6;
    case ErrorCode::kInternal: return 1;
  }
  return 1;
}

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid-argument";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kPermissionDenied: return "permission-denied";
    case ErrorCode::kNotFound: return "not-found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kPayloadTooLarge: return "payload-too-large";
    case ErrorCode::kUnprocessable: return "unprocessable";
    case ErrorCode::kResourceExhausted: return "rate-limited";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

}  // namespace loom
