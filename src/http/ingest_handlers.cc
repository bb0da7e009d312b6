// The ingest routes: one handler serves every format of ingest/ingest_formats.h from its entry
// (ingest/ingest_format.h has the flow: key, parse, rate limit, severity mapping, store). The 2xx
// is sent from the store's commit callback, so an accepted event is durable. Refusals are
// answered in the format's error style: problem documents, or PagerDuty's own bodies.

#include <string>
#include <utility>
#include <variant>

#include "core/alert_event.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "http/problem.h"
#include "http/query.h"

namespace loom::http {
namespace {

constexpr char kUnknownRoutingKey[] =
    "'routing_key' is invalid: it is not the integration key of any service";

// The event outcome a failed store write counts as.
EventOutcome OutcomeOf(const Error& e) {
  switch (e.code) {
    case ErrorCode::kUnavailable: return EventOutcome::kUnavailable;
    case ErrorCode::kResourceExhausted: return EventOutcome::kThrottled;
    case ErrorCode::kInternal: return EventOutcome::kInternal;
    default: return EventOutcome::kInvalid;
  }
}

}  // namespace

std::string Api::IntegrationKeyOf(const Request& req) {
  std::string_view bearer = BearerToken(req.authorization);
  if (!bearer.empty()) return std::string(bearer);
  if (req.query.empty()) return {};
  return QueryParams(req.query).Get("key").value_or("");
}

void Api::RefuseIngest(const RouteInfo& route, EventOutcome outcome, const Error& error,
                       const Request& req, const Reply& reply, int retry_after_seconds) {
  metrics_.CountEvent(route.endpoint, outcome);
  if (route.format->error_style == ErrorStyle::kPagerDuty) {
    reply->Send(PagerDutyError(error, retry_after_seconds));
    return;
  }
  Response r = ProblemResponse(error, req.path);
  if (retry_after_seconds > 0) r.retry_after_seconds = retry_after_seconds;
  reply->Send(std::move(r));
}

const Api::ResolvedKey* Api::AdmitKey(const RouteInfo& route, const std::string& body_key,
                                      const Request& req, const Reply& reply) {
  const IngestFormat& format = *route.format;
  const bool in_body = format.key_from == KeyFrom::kBody;
  const std::string key_text = in_body ? body_key : IntegrationKeyOf(req);
  if (!in_body && key_text.empty()) {
    RefuseIngest(route, EventOutcome::kUnknownKey,
                 Error::Unauthenticated("missing integration key: send it as "
                                        "'Authorization: Bearer <key>' or '?key=<key>'"),
                 req, reply);
    return nullptr;
  }
  auto resolved = ResolveKey(key_text);
  if (!resolved.ok()) {
    Error e = std::move(resolved).error();
    LogRequestError(e, req);
    const EventOutcome outcome = OutcomeOf(e);
    if (format.retries_only_5xx && e.code != ErrorCode::kUnavailable) {
      e = Error::Unavailable("the store cannot be read now");
    }
    RefuseIngest(route, outcome, e, req, reply);
    return nullptr;
  }
  const ResolvedKey* key = *resolved;
  if (key == nullptr) {
    RefuseIngest(route, EventOutcome::kUnknownKey,
                 in_body
                     ? Error::Invalid("unknown routing key", {{"/routing_key", kUnknownRoutingKey}})
                     : Error::Unauthenticated("unknown integration key"),
                 req, reply);
  }
  return key;
}

void Api::FinishIngest(const RouteInfo& route, Result<IngestOutcome> out, const Reply& reply) {
  if (out.ok()) {
    metrics_.CountEvent(route.endpoint, EventOutcome::kAccepted);
    Response r;
    r.status = route.format->accepted_status;
    r.body = route.format->accepted_body(*out);
    reply->Send(std::move(r));
    return;
  }
  Error e = std::move(out).error();
  const Request where = RequestAt(Method::kPost, route.pattern);
  if (e.code == ErrorCode::kInternal) LogRequestError(e, where);
  const EventOutcome outcome = OutcomeOf(e);
  // Never a 4xx for a store-side refusal to a sender that would drop the payload.
  if (route.format->retries_only_5xx && e.code == ErrorCode::kResourceExhausted) {
    e.code = ErrorCode::kUnavailable;
  }
  RefuseIngest(route, outcome, e, where, reply);
}

void Api::Ingest(const RouteInfo& route, const Request& req, Reply reply) {
  const IngestFormat& format = *route.format;
  const ResolvedKey* key = nullptr;
  if (format.key_from == KeyFrom::kRequest) {
    key = AdmitKey(route, {}, req, reply);
    if (key == nullptr) return;
  }
  Result<ParsedEvent> parsed = format.parse(req.body);
  if (!parsed.ok()) {
    const Error& e = parsed.error();
    if (e.code == ErrorCode::kInternal) LogRequestError(e, req);
    RefuseIngest(route, OutcomeOf(e), e, req, reply);
    return;
  }
  if (format.key_from == KeyFrom::kBody) {
    key = AdmitKey(route, parsed->routing_key, req, reply);
    if (key == nullptr) return;
  }
  int64_t retry_us = 0;
  if (!limiter_.Allow(key->bucket, key->settings.rate_limit_per_minute, &retry_us)) {
    const Error over =
        format.retries_only_5xx
            ? Error::Unavailable("this integration key is over its rate limit; retry later")
            : Error{ErrorCode::kResourceExhausted,
                    "this integration key is over its rate limit of " +
                        std::to_string(key->settings.rate_limit_per_minute) + " events per minute",
                    {}};
    RefuseIngest(route, EventOutcome::kThrottled, over, req, reply, RetryAfterSeconds(retry_us));
    return;
  }
  if (auto* change = std::get_if<ChangeEvent>(&parsed->event)) {
    change->service_id = key->service_id;
    change->received_at = clock_.Now();
    incident_writes_.RecordChangeEvent(
        std::move(*change), [this, &route, reply = std::move(reply)](Result<int64_t> out) {
          if (!out.ok()) {
            FinishIngest(route, std::move(out).error(), reply);
          } else {
            FinishIngest(route, IngestOutcome{}, reply);
          }
        });
    return;
  }
  IngestRequest& request = std::get<IngestRequest>(parsed->event);
  request.service_id = key->service_id;
  request.integration_key_id = key->key_id;
  ApplySeverityMapping(request, key->settings.severity_map);
  if (format.apply_grouping != nullptr) format.apply_grouping(request, key->settings.grouping);
  incident_writes_.Ingest(std::move(request),
                          [this, &route, reply = std::move(reply)](Result<IngestOutcome> out) {
                            FinishIngest(route, std::move(out), reply);
                          });
}

}  // namespace loom::http
