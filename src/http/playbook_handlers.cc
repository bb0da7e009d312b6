// The availability playbook on the API (docs/playbook-availability.md): the incident's
// `playbook` object, on-demand probes of an incident's or a service's LOOM node, and the recovery
// gate in front of a responder's resolve. The probes themselves run on the ProbeRunner's thread
// (they block for up to three endpoint timeouts); the reply is sent from there.

#include <charconv>
#include <optional>

#include "core/incident.h"
#include "core/incident_view.h"
#include "engine/probe_runner.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "http/problem.h"

namespace loom::http {
namespace {

// The runbook's playbook steps, in its words: shown before the first round.
const char* const kSteps[] = {"Confirm readiness/admin status: /ready, /v1/admin/status, /metrics",
                              "Triage dominant signal: queue lag, auth error spike, persistence "
                              "write failures",
                              "Mitigate",
                              "Recover and verify: lag returns below threshold, "
                              "readiness healthy, no active critical alerts"};

std::optional<int64_t> IncidentNumberOf(std::string_view text) {
  if (auto n = ParseIncidentId(text)) return n;
  int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p != text.data() + text.size() || n <= 0) return std::nullopt;
  return n;
}

Json ParsedData(const TimelineEvent& e) {
  Json data = Json::parse(e.data_json, nullptr, false);
  return data.is_object() ? data : Json::object();
}

// The 409 of a probe asked of a service that has none.
std::string NoProbe(const std::string& service) {
  return "service " + service +
         " has no probe configured: give it a probe (base_url, admin_token_env) under "
         "services[].probe in the configuration file (docs/configuration.md)";
}

// The gate's 409: one field error per failed check, so clients can tell them apart.
Error RecoveryRefused(const RecoveryDecision& d) {
  std::vector<FieldError> fields;
  for (size_t i = 0; i < d.recovery.failures.size(); ++i) {
    const std::string check =
        i < d.recovery.failed_checks.size() ? d.recovery.failed_checks[i] : "check";
    fields.push_back({"/recovery/" + check, d.recovery.failures[i]});
  }
  std::string message = "recovery not verified: ";
  for (size_t i = 0; i < d.recovery.failures.size(); ++i) {
    message += (i ? "; " : "") + d.recovery.failures[i];
  }
  message += " (resolve with a non-empty override_reason to override)";
  return Error{ErrorCode::kConflict, std::move(message), std::move(fields)};
}

Json AvailabilityPlaybookJson(const IncidentDetail& detail, bool probe_configured) {
  Json out = Json::object();
  out["kind"] = "availability";
  out["probe"] = probe_configured;
  out["steps"] = Json::array();
  for (const char* step : kSteps) out["steps"].push_back(step);
  const TimelineEvent* latest = nullptr;
  const TimelineEvent* gate = nullptr;
  int64_t rounds = 0;
  Json unchanged = nullptr;  // the identical rounds counted since `latest`
  for (const TimelineEvent& e : detail.timeline) {
    if (e.type == "probe.result") {
      latest = &e;
      unchanged = nullptr;
      ++rounds;
    } else if (e.type == "probe.unchanged") {
      Json data = ParsedData(e);
      const Json count = data.value("count", Json(0));
      rounds += count.is_number_integer() ? count.get<int64_t>() : 0;
      if (latest != nullptr && data.value("result_seq", Json()) == latest->seq) {
        unchanged = {{"rounds", data.value("total", Json(nullptr))},
                     {"through", data.value("through", Json(nullptr))}};
      }
    } else if (e.type.starts_with("recovery.")) {
      gate = &e;
    }
  }
  out["rounds"] = rounds;
  if (latest == nullptr) {
    for (const char* key : {"latest", "dominant_signal", "dominant_signal_title", "recovery"}) {
      out[key] = nullptr;
    }
    out["evidence"] = Json::array();
    out["mitigations"] = Json::array();
  } else {
    Json round = ParsedData(*latest);
    Json reading = Json::object();
    reading["seq"] = latest->seq;
    for (const char* key :
         {"at", "trigger", "healthy", "ready", "admin_status", "metrics", "outbox", "errors"}) {
      reading[key] = round.contains(key) ? round[key] : Json(nullptr);
    }
    reading["unchanged"] = std::move(unchanged);
    out["latest"] = std::move(reading);
    out["dominant_signal"] = round.value("dominant_signal", Json(nullptr));
    out["dominant_signal_title"] = round.value("dominant_signal_title", Json(nullptr));
    Json evidence = Json::array();
    Json mitigations = Json::array();
    const Json signals = round.value("signals", Json::array());
    for (const Json& s : signals) {
      if (s.is_object() && s.value("signal", Json()) == out["dominant_signal"]) {
        evidence = s.value("evidence", Json::array());
        mitigations = s.value("mitigations", Json::array());
      }
    }
    out["evidence"] = std::move(evidence);
    out["mitigations"] = std::move(mitigations);
    out["signals"] = signals;
    out["recovery"] = round.value("recovery", Json(nullptr));
  }
  if (gate != nullptr) {
    Json g = ParsedData(*gate);
    g["type"] = gate->type;
    g["actor"] = gate->actor;
    g["seq"] = gate->seq;
    out["gate"] = std::move(g);
  } else {
    out["gate"] = nullptr;
  }
  return out;
}

}  // namespace

void Api::AddPlaybook(const IncidentDetail& detail, Json& body) const {
  if (detail.incident.kind != IncidentKind::kAvailability) return;
  body["playbook"] =
      AvailabilityPlaybookJson(detail, probes_ && probes_->Probes(detail.incident.service_id));
}

void Api::ProbeIncident(const Request& req, const PathParams& params, Reply reply) {
  auto who = RouteCaller(req);  // then responder on the incident's team
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  std::string_view id = params.Get("id");
  auto number = IncidentNumberOf(id);
  auto detail = number ? store_.GetIncident(*number)
                       : Result<std::optional<IncidentDetail>>(std::optional<IncidentDetail>());
  if (!detail.ok()) return reply->Send(ProblemFor(detail.error(), req));
  if (!detail->has_value()) {
    return reply->Send(ProblemFor(Error::NotFound("no incident " + std::string(id)), req));
  }
  const Incident& incident = (*detail)->incident;
  if (Status permitted = Permit(*who, Action::kRespond, TeamOfService(incident.service_id),
                                Error::NotFound("no incident " + std::string(id)));
      !permitted.ok()) {
    return reply->Send(ProblemFor(permitted.error(), req));
  }
  if (Status allowed = CheckPanelWrite(incident, "probe"); !allowed.ok()) {
    return reply->Send(ProblemFor(allowed.error(), req));
  }
  if (!probes_ || !probes_->Probes(incident.service_id)) {
    return reply->Send(ProblemFor(Error::Conflict(NoProbe(incident.service_id)), req));
  }
  // Jobs hold the runner and the store, not the Api: they may outlive a server that stopped
  // waiting for its replies.
  probes_->Post([runner = probes_, reply, number = incident.number, service = incident.service_id,
                 actor = who->actor(), path = std::string(req.path)] {
    auto round = runner->RunRound(service, "on_demand", actor, number);
    if (!round.ok()) return reply->Send(ProblemFor(round.error(), RequestAt(Method::kPost, path)));
    Json body = Json::object();
    body["incident"] = IncidentId(number);
    body["round"] = round->json;
    reply->Send(JsonResponse(200, body));
  });
}

void Api::ProbeService(const Request& req, const PathParams& params, Reply reply) {
  auto who = RouteCaller(req);  // then responder on the service's team
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  std::string service(params.Get("id"));
  auto found = store_.GetService(service);
  if (!found.ok()) return reply->Send(ProblemFor(found.error(), req));
  if (!found->has_value()) {
    return reply->Send(ProblemFor(Error::NotFound("no service " + service), req));
  }
  if (Status permitted = Permit(*who, Action::kRespond, TeamOfService(service),
                                Error::NotFound("no service " + service));
      !permitted.ok()) {
    return reply->Send(ProblemFor(permitted.error(), req));
  }
  if (!probes_ || !probes_->Probes(service)) {
    return reply->Send(ProblemFor(Error::Conflict(NoProbe(service)), req));
  }
  probes_->Post(
      [runner = probes_, reply, service, actor = who->actor(), path = std::string(req.path)] {
        auto round = runner->RunRound(service, "on_demand", actor, 0);
        if (!round.ok())
          return reply->Send(ProblemFor(round.error(), RequestAt(Method::kPost, path)));
        Json body = round->json;
        body["recorded_on"] = Json::array();
        for (int64_t n : round->recorded) body["recorded_on"].push_back(IncidentId(n));
        reply->Send(JsonResponse(200, body));
      });
}

void Api::Resolve(const Request& req, const PathParams& params, Reply reply) {
  auto plain = [&] { ExecuteCommand(IncidentCommand::Type::kResolve, req, params, reply); };
  if (!probes_) return plain();
  auto who = RouteCaller(req);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  if (auto number = IncidentNumberOf(params.Get("id"))) {
    if (Status permitted = PermitIncident(*who, *number, Action::kRespond); !permitted.ok()) {
      return reply->Send(ProblemFor(permitted.error(), req));
    }
  }
  auto body = ParseObjectBody(req.body, true);
  if (!body.ok()) return reply->Send(ProblemFor(body.error(), req));
  auto override_reason = OptionalStringField(*body, "override_reason");
  if (!override_reason.ok()) return reply->Send(ProblemFor(override_reason.error(), req));
  auto note = OptionalStringField(*body, "note");
  if (!note.ok()) return reply->Send(ProblemFor(note.error(), req));

  auto number = IncidentNumberOf(params.Get("id"));
  if (!number) return plain();
  auto detail = store_.GetIncident(*number);
  if (!detail.ok() || !detail->has_value()) return plain();
  const Incident& incident = (*detail)->incident;
  if (incident.kind != IncidentKind::kAvailability || !probes_->Probes(incident.service_id)) {
    return plain();
  }
  // An illegal transition is refused as always, before probing anything.
  if (auto next = NextState(incident, IncidentAction::kResolve); !next.ok()) return plain();

  IncidentCommand command;
  command.type = IncidentCommand::Type::kResolve;
  command.incident_number = incident.number;
  command.actor = who->actor();
  command.note = std::move(*note);
  probes_->Post([runner = probes_, store = &incident_writes_, reply, command = std::move(command),
                 service = incident.service_id, override_reason = std::move(*override_reason),
                 path = std::string(req.path)]() mutable {
    const Request where = RequestAt(Method::kPost, path);
    auto decision =
        runner->VerifyForResolve(command.incident_number, service, override_reason, command.actor);
    if (!decision.ok()) return reply->Send(ProblemFor(decision.error(), where));
    if (!decision->passed && !decision->overridden) {
      return reply->Send(ProblemFor(RecoveryRefused(*decision), where));
    }
    store->Execute(std::move(command), [reply, path](Result<Incident> out) {
      if (out.ok()) return reply->Send(JsonResponse(200, IncidentToJson(*out)));
      reply->Send(ProblemFor(out.error(), RequestAt(Method::kPost, path)));
    });
  });
}

}  // namespace loom::http
