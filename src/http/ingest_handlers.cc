// The ingest endpoints: PagerDuty Events v2 (alert and change events), the Alertmanager webhook
// and generic JSON. Flow: parse → resolve the integration key (cached) → rate limit → severity
// mapping → Store::Ingest; the 2xx is sent from the store's commit callback, so an accepted event
// is durable.

#include "common/json_writer.h"
#include "core/alert_event.h"
#include "core/incident.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "http/problem.h"
#include "http/query.h"
#include "ingest/formats.h"

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

// {"status":"success","incident":"INC-7"} (null when the event matched no incident), plus
// dedup_key for the generic endpoint.
Response IntegrationAccepted(int status, const IngestOutcome& out, bool with_dedup_key) {
  Response r;
  r.status = status;
  r.body = R"({"status":"success")";
  if (with_dedup_key) {
    r.body += R"(,"dedup_key":)";
    AppendJsonString(out.dedup_key, &r.body);
  }
  r.body += R"(,"incident":)";
  if (out.incident_number > 0) {
    AppendJsonString(IncidentId(out.incident_number), &r.body);
  } else {
    r.body += "null";
  }
  r.body += '}';
  return r;
}

}  // namespace

std::string Api::IntegrationKeyOf(const Request& req) {
  std::string_view bearer = BearerToken(req.authorization);
  if (!bearer.empty()) return std::string(bearer);
  if (req.query.empty()) return {};
  return QueryParams(req.query).Get("key").value_or("");
}

const Api::ResolvedKey* Api::AdmitPagerDutyKey(IngestEndpoint endpoint,
                                               const std::string& routing_key, const Request& req,
                                               const Reply& reply) {
  auto resolved = ResolveKey(routing_key);
  if (!resolved.ok()) {
    const Error& e = resolved.error();
    LogRequestError(e, req);
    metrics_.CountEvent(endpoint, OutcomeOf(e));
    reply->Send(PagerDutyError(e));
    return nullptr;
  }
  const ResolvedKey* key = *resolved;
  if (key == nullptr) {
    metrics_.CountEvent(endpoint, EventOutcome::kUnknownKey);
    reply->Send(PagerDutyError(
        Error::Invalid("unknown routing key", {{"/routing_key", kUnknownRoutingKey}})));
    return nullptr;
  }
  int64_t retry_us = 0;
  if (!limiter_.Allow(key->bucket, key->settings.rate_limit_per_minute, &retry_us)) {
    metrics_.CountEvent(endpoint, EventOutcome::kThrottled);
    reply->Send(PagerDutyError({ErrorCode::kResourceExhausted, "rate limited", {}},
                               RetryAfterSeconds(retry_us)));
    return nullptr;
  }
  return key;
}

const Api::ResolvedKey* Api::AdmitIntegrationKey(IngestEndpoint endpoint, const Request& req,
                                                 const Reply& reply) {
  const std::string key_text = IntegrationKeyOf(req);
  if (key_text.empty()) {
    metrics_.CountEvent(endpoint, EventOutcome::kUnknownKey);
    reply->Send(ProblemFor(Error::Unauthenticated("missing integration key: send it as "
                                                  "'Authorization: Bearer <key>' or '?key=<key>'"),
                           req));
    return nullptr;
  }
  auto resolved = ResolveKey(key_text);
  if (!resolved.ok()) {
    Error e = std::move(resolved).error();
    LogRequestError(e, req);
    metrics_.CountEvent(endpoint, OutcomeOf(e));
    if (endpoint == IngestEndpoint::kAlertmanager && e.code != ErrorCode::kUnavailable) {
      e = Error::Unavailable("the store cannot be read now");
    }
    reply->Send(ProblemFor(e, req));
    return nullptr;
  }
  const ResolvedKey* key = *resolved;
  if (key == nullptr) {
    metrics_.CountEvent(endpoint, EventOutcome::kUnknownKey);
    reply->Send(ProblemFor(Error::Unauthenticated("unknown integration key"), req));
  }
  return key;
}

void Api::PagerDutyEnqueue(const Request& req, const PathParams&, Reply reply) {
  constexpr auto kEndpoint = IngestEndpoint::kPagerDuty;
  auto parsed = ParsePagerDutyEvent(req.body);
  if (!parsed.ok()) {
    const Error& e = parsed.error();
    if (e.code == ErrorCode::kInternal) LogRequestError(e, req);
    metrics_.CountEvent(kEndpoint, OutcomeOf(e));
    reply->Send(PagerDutyError(e));
    return;
  }
  const ResolvedKey* key = AdmitPagerDutyKey(kEndpoint, parsed->routing_key, req, reply);
  if (key == nullptr) return;
  IngestRequest& request = parsed->request;
  request.service_id = key->service_id;
  request.integration_key_id = key->key_id;
  ApplySeverityMapping(request, key->settings.severity_map);
  store_.Ingest(std::move(request), [this, reply = std::move(reply)](Result<IngestOutcome> out) {
    if (out.ok()) {
      metrics_.CountEvent(kEndpoint, EventOutcome::kAccepted);
      reply->Send(PagerDutyAccepted(out->dedup_key));
      return;
    }
    const Error& e = out.error();
    metrics_.CountEvent(kEndpoint, OutcomeOf(e));
    if (e.code == ErrorCode::kInternal) {
      LogRequestError(e, RequestAt(Method::kPost, "/v2/enqueue"));
    }
    reply->Send(PagerDutyError(e));
  });
}

void Api::PagerDutyChangeEnqueue(const Request& req, const PathParams&, Reply reply) {
  constexpr auto kEndpoint = IngestEndpoint::kPagerDutyChange;
  auto parsed = ParsePagerDutyChange(req.body);
  if (!parsed.ok()) {
    const Error& e = parsed.error();
    if (e.code == ErrorCode::kInternal) LogRequestError(e, req);
    metrics_.CountEvent(kEndpoint, OutcomeOf(e));
    reply->Send(PagerDutyError(e));
    return;
  }
  const ResolvedKey* key = AdmitPagerDutyKey(kEndpoint, parsed->routing_key, req, reply);
  if (key == nullptr) return;
  ChangeEvent& event = parsed->event;
  event.service_id = key->service_id;
  event.received_at = clock_.Now();
  store_.RecordChangeEvent(std::move(event), [this, reply = std::move(reply)](Result<int64_t> out) {
    if (out.ok()) {
      metrics_.CountEvent(kEndpoint, EventOutcome::kAccepted);
      reply->Send(PagerDutyChangeAccepted());
      return;
    }
    const Error& e = out.error();
    metrics_.CountEvent(kEndpoint, OutcomeOf(e));
    if (e.code == ErrorCode::kInternal) {
      LogRequestError(e, RequestAt(Method::kPost, "/v2/change/enqueue"));
    }
    reply->Send(PagerDutyError(e));
  });
}

void Api::AlertmanagerWebhook(const Request& req, const PathParams&, Reply reply) {
  constexpr auto kEndpoint = IngestEndpoint::kAlertmanager;
  // Alertmanager drops a notification on any 4xx and retries 5xx: overload is always 503.
  const ResolvedKey* key = AdmitIntegrationKey(kEndpoint, req, reply);
  if (key == nullptr) return;
  auto parsed = ParseAlertmanagerWebhook(req.body);
  if (!parsed.ok()) {
    const Error& e = parsed.error();
    metrics_.CountEvent(kEndpoint, OutcomeOf(e));
    reply->Send(ProblemFor(e, req));
    return;
  }
  int64_t retry_us = 0;
  if (!limiter_.Allow(key->bucket, key->settings.rate_limit_per_minute, &retry_us)) {
    metrics_.CountEvent(kEndpoint, EventOutcome::kThrottled);
    Response r = ProblemFor(Error::Unavailable("this integration key is over its rate limit; "
                                               "retry later"),
                            req);
    r.retry_after_seconds = RetryAfterSeconds(retry_us);
    reply->Send(std::move(r));
    return;
  }
  IngestRequest& request = *parsed;
  request.service_id = key->service_id;
  request.integration_key_id = key->key_id;
  ApplySeverityMapping(request, key->settings.severity_map);
  ApplyAlertGrouping(request, key->settings.grouping);
  store_.Ingest(std::move(request), [this, reply = std::move(reply)](Result<IngestOutcome> out) {
    if (out.ok()) {
      metrics_.CountEvent(kEndpoint, EventOutcome::kAccepted);
      reply->Send(IntegrationAccepted(200, *out, /*with_dedup_key=*/false));
      return;
    }
    Error e = std::move(out).error();
    metrics_.CountEvent(kEndpoint, OutcomeOf(e));
    const Request where = RequestAt(Method::kPost, "/v1/integrations/alertmanager");
    if (e.code == ErrorCode::kInternal) LogRequestError(e, where);
    // Never a 4xx for a store-side refusal: Alertmanager would drop the notification.
    if (e.code == ErrorCode::kResourceExhausted) e.code = ErrorCode::kUnavailable;
    reply->Send(ProblemResponse(e, where.path));
  });
}

void Api::GenericEvent(const Request& req, const PathParams&, Reply reply) {
  constexpr auto kEndpoint = IngestEndpoint::kGeneric;
  const ResolvedKey* key = AdmitIntegrationKey(kEndpoint, req, reply);
  if (key == nullptr) return;
  auto parsed = ParseGenericEvent(req.body);
  if (!parsed.ok()) {
    const Error& e = parsed.error();
    metrics_.CountEvent(kEndpoint, OutcomeOf(e));
    reply->Send(ProblemFor(e, req));
    return;
  }
  int64_t retry_us = 0;
  if (!limiter_.Allow(key->bucket, key->settings.rate_limit_per_minute, &retry_us)) {
    metrics_.CountEvent(kEndpoint, EventOutcome::kThrottled);
    Response r =
        ProblemFor({ErrorCode::kResourceExhausted,
                    "this integration key is over its rate limit of " +
                        std::to_string(key->settings.rate_limit_per_minute) + " events per minute",
                    {}},
                   req);
    r.retry_after_seconds = RetryAfterSeconds(retry_us);
    reply->Send(std::move(r));
    return;
  }
  IngestRequest& request = *parsed;
  request.service_id = key->service_id;
  request.integration_key_id = key->key_id;
  ApplySeverityMapping(request, key->settings.severity_map);
  store_.Ingest(std::move(request), [this, reply = std::move(reply)](Result<IngestOutcome> out) {
    if (out.ok()) {
      metrics_.CountEvent(kEndpoint, EventOutcome::kAccepted);
      reply->Send(IntegrationAccepted(202, *out, /*with_dedup_key=*/true));
      return;
    }
    const Error& e = out.error();
    metrics_.CountEvent(kEndpoint, OutcomeOf(e));
    const Request where = RequestAt(Method::kPost, "/v1/integrations/generic");
    reply->Send(ProblemFor(e, where));
  });
}

}  // namespace loom::http
