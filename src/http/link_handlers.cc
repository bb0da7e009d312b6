// One-click links from notifications (src/notify/action_link.h, docs/api.md "One-click links"):
// GET shows a page and changes nothing; POST of an acknowledge link acknowledges, once. The link
// is the credential, so no API token is asked for, and the token never reaches a log line.

#include <spdlog/spdlog.h>

#include "http/api.h"
#include "http/link_pages.h"

namespace loom::http {

Result<ActionClaims> Api::VerifyLink(const PathParams& params) const {
  if (!links_) return Error::Invalid("one-click links are not enabled");
  return links_->Verify(params.Get("token"), clock_.Now());
}

void Api::ShowLink(const Request&, const PathParams& params, Reply reply) {
  Result<ActionClaims> claims = VerifyLink(params);
  if (!claims.ok()) return reply->Send(LinkErrorPage(claims.error()));
  auto detail = store_.GetIncident(claims->incident_number);
  if (!detail.ok()) {
    spdlog::error("GET /a/{{token}}: reading {}: {}", IncidentId(claims->incident_number),
                  detail.error().message);
    return reply->Send(LinkErrorPage(detail.error(), claims->incident_number));
  }
  if (!detail->has_value()) {
    return reply->Send(LinkErrorPage(Error::NotFound("no incident"), claims->incident_number));
  }
  if (claims->action == "view") return reply->Send(IncidentViewPage(**detail));
  reply->Send(AckConfirmationPage((*detail)->incident, *claims));
}

void Api::UseLink(const Request&, const PathParams& params, Reply reply) {
  Result<ActionClaims> claims = VerifyLink(params);
  if (!claims.ok()) return reply->Send(LinkErrorPage(claims.error()));
  if (claims->action != "ack") {
    Response r = LinkPage(405, "This link only opens the incident",
                          "<p>Nothing was changed. Open the link to see the incident.</p>");
    r.allow = "GET";
    return reply->Send(std::move(r));
  }
  IncidentCommand command;
  command.type = IncidentCommand::Type::kAcknowledge;
  command.incident_number = claims->incident_number;
  command.actor = "user:" + claims->recipient;
  command.via = claims->via;
  command.link_nonce = claims->nonce;
  incident_writes_.Execute(std::move(command),
                           [reply = std::move(reply), claims = *claims](Result<Incident> out) {
                             if (out.ok()) return reply->Send(AcknowledgedPage(*out, claims));
                             const Error& e = out.error();
                             if (e.code == ErrorCode::kInternal) {
                               spdlog::error("POST /a/{{token}}: acknowledging {}: {}",
                                             IncidentId(claims.incident_number), e.message);
                             }
                             reply->Send(LinkErrorPage(e, claims.incident_number));
                           });
}

}  // namespace loom::http
