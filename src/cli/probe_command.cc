// `loom-oncall probe <service>`: one probe round of the service's LOOM node through the server
// (POST /v1/services/{id}/probe, docs/playbook-availability.md), printed as the reading, the
// triage and the recovery check. Exit code 0 when the node is reachable and passes the recovery
// check, 1 when it is unhealthy or unreachable; API failures as the other commands.
#include <CLI/CLI.hpp>
#include <memory>
#include <sstream>
#include <string>

#include "cli/client_flags.h"
#include "cli/commands.h"
#include "cli/json_fields.h"

namespace loom {
namespace {

struct ProbeFlags {
  ClientFlags client;
  std::string service;
};

using nlohmann::json;

std::string Field(const json& j) {
  if (j.is_null()) return "-";
  if (j.is_string()) return PrintableText(j.get<std::string>());
  return j.dump();
}

const json& Member(const json& j, const char* key) {
  static const json kNull;
  return j.is_object() && j.contains(key) ? j[key] : kNull;
}

void PrintList(std::ostream& out, const json& list, const char* prefix) {
  if (!list.is_array()) return;
  for (const json& item : list) out << prefix << Field(item) << "\n";
}

void PrintRound(std::ostream& out, const json& body) {
  out << "service " << PrintableText(GetString(body, "service")) << " node "
      << PrintableText(GetString(body, "base_url")) << " at " << GetString(body, "at") << "\n";
  const json& ready = Member(body, "ready");
  out << "  /ready            ";
  if (ready.is_object()) {
    out << Field(ready["status"]) << "  ok=" << Field(ready["ok"])
        << " postgres=" << Field(ready["postgres"]) << "\n";
  } else {
    out << "unreachable\n";
  }
  const json& admin = Member(body, "admin_status");
  out << "  /v1/admin/status  ";
  if (admin.is_object()) {
    const json& p = Member(admin, "persistence");
    out << Field(admin["status"]) << "  writes_failed=" << Field(Member(p, "writes_failed"))
        << " queue_length=" << Field(Member(p, "queue_length"))
        << " last_error=" << Field(Member(p, "last_error")) << "\n";
  } else {
    out << "unreachable\n";
  }
  const json& metrics = Member(body, "metrics");
  out << "  /metrics          ";
  if (metrics.is_object()) {
    out << Field(metrics["status"]) << "  samples=" << Field(metrics["samples"]) << "\n";
  } else {
    out << "unreachable\n";
  }
  for (const json& o : Member(body, "outbox")) {
    out << "  outbox " << Field(Member(o, "name")) << ": queued=" << Field(Member(o, "queued"))
        << " failed=" << Field(Member(o, "failed")) << " lag_ms=" << Field(Member(o, "lag_ms"))
        << "\n";
  }
  PrintList(out, Member(body, "errors"), "  error: ");

  const json& dominant = Member(body, "dominant_signal");
  out << "dominant signal: "
      << (dominant.is_null() ? std::string("none") : Field(Member(body, "dominant_signal_title")))
      << "\n";
  for (const json& s : Member(body, "signals")) {
    if (Member(s, "signal") != dominant) continue;
    PrintList(out, Member(s, "evidence"), "  evidence: ");
    PrintList(out, Member(s, "mitigations"), "  mitigate: ");
  }
  const json& recovery = Member(body, "recovery");
  out << "recovery: " << (GetBool(recovery, "passed") ? "verified" : "NOT verified") << "\n";
  PrintList(out, Member(recovery, "failures"), "  failed: ");
  PrintList(out, Member(recovery, "notes"), "  note: ");
  const json& recorded = Member(body, "recorded_on");
  if (recorded.is_array() && !recorded.empty()) {
    out << "recorded on:";
    for (const json& id : recorded) out << " " << Field(id);
    out << "\n";
  }
}

int RunProbe(const ProbeFlags& flags, CliContext& ctx) {
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response =
      (*client)->Post("/v1/services/" + PercentEncode(flags.service) + "/probe", json::object());
  if (!response.ok()) return ReportError(ctx, response.error());
  const json& body = response->json;
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
  } else {
    PrintRound(ctx.out, body);
  }
  ctx.out.flush();
  if (GetBool(body, "healthy")) return 0;
  ctx.err << "error: the LOOM node of service " << PrintableText(flags.service) << " is "
          << (Member(body, "ready").is_null() ? "unreachable" : "unhealthy") << "\n";
  ctx.err.flush();
  return 1;
}

}  // namespace

void RegisterProbeCommand(CLI::App& app, CliContext& ctx, CommandAction* action) {
  auto flags = std::make_shared<ProbeFlags>();
  CLI::App* probe = app.add_subcommand(
      "probe", "Probe a service's LOOM node now (/ready, /v1/admin/status, /metrics) and triage");
  probe->add_option("service", flags->service, "Service id")->required();
  AddClientFlags(*probe, flags->client);
  probe->callback(
      [flags, &ctx, action] { *action = [flags, &ctx] { return RunProbe(*flags, ctx); }; });
}

}  // namespace loom
