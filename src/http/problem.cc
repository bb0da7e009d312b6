#include "http/problem.h"

#include "common/json_writer.h"
#include "store/database_error.h"

namespace loom::http {

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
  }
  return "Error";
}

std::string RenderProblem(int status, std::string_view type_slug, std::string_view detail,
                          std::string_view instance, const std::vector<FieldError>& fields) {
  std::string out;
  out.reserve(160 + detail.size() + instance.size());
  out += "{\"type\":\"";
  out += kProblemTypeBase;
  out += type_slug;
  out += "\",\"title\":";
  AppendJsonString(ReasonPhrase(status), &out);
  out += ",\"status\":";
  out += std::to_string(status);
  out += ",\"detail\":";
  AppendJsonString(detail, &out);
  out += ",\"instance\":";
  AppendJsonString(instance, &out);
  if (!fields.empty()) {
    out += ",\"errors\":[";
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out += ',';
      out += "{\"detail\":";
      AppendJsonString(fields[i].detail, &out);
      out += ",\"pointer\":";
      AppendJsonString(fields[i].pointer, &out);
      out += '}';
    }
    out += ']';
  }
  out += '}';
  return out;
}

Response ProblemResponse(const Error& original, std::string_view instance) {
  const Error error = ClientViewOf(original);  // never the database's own words
  Response r;
  r.status = HttpStatusFor(error.code);
  r.content_type = kProblemContentType;
  std::string_view detail = error.message;
  if (error.code == ErrorCode::kInternal) detail = "internal error; the server log has the details";
  r.body = RenderProblem(r.status, ErrorCodeName(error.code), detail, instance, error.fields);
  if (error.code == ErrorCode::kUnavailable) r.retry_after_seconds = 1;
  return r;
}

Response MethodNotAllowedProblem(std::string_view instance, std::string allow) {
  Response r;
  r.status = 405;
  r.content_type = kProblemContentType;
  r.body = RenderProblem(405, "method-not-allowed", "allowed: " + allow, instance);
  r.allow = std::move(allow);
  return r;
}

Response PagerDutyError(const Error& original, int retry_after_seconds) {
  const Error error = ClientViewOf(original);  // never the database's own words
  Response r;
  switch (error.code) {
    case ErrorCode::kResourceExhausted:
      r.status = 429;
      r.body =
          R"({"status":"throttle exceeded","message":"Requests for this service are arriving too quickly.  Please retry later."})";
      r.retry_after_seconds = retry_after_seconds;
      return r;
    case ErrorCode::kUnavailable:
      r.status = 503;
      r.body = R"({"status":"unavailable","message":)";
      AppendJsonString(error.message, &r.body);
      r.body += '}';
      r.retry_after_seconds = retry_after_seconds > 0 ? retry_after_seconds : 1;
      return r;
    case ErrorCode::kInternal:
      r.status = 500;
      r.body = R"({"status":"error","message":"internal error; the server log has the details"})";
      return r;
    default: break;
  }
  // Everything else is the sender's fault: PagerDuty's "invalid event" shape.
  r.status = error.code == ErrorCode::kPayloadTooLarge ? 413 : 400;
  r.body = R"({"status":"invalid event","message":"Event object is invalid","errors":[)";
  if (error.fields.empty()) {
    AppendJsonString(error.message, &r.body);
  } else {
    for (size_t i = 0; i < error.fields.size(); ++i) {
      if (i > 0) r.body += ',';
      AppendJsonString(error.fields[i].detail, &r.body);
    }
  }
  r.body += "]}";
  return r;
}

}  // namespace loom::http
