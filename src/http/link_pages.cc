#include "http/link_pages.h"

#include "common/html.h"
#include "common/time_format.h"
#include "core/severity.h"
#include "store/database_error.h"

namespace loom::http {
namespace {

constexpr char kStyle[] =
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;"
    "color:#1b1b1b}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{color:#555}"
    "dd{margin:0}button{font-size:1.1rem;padding:.6rem 1.2rem;cursor:pointer}"
    "ol{padding-left:1.2rem}li{margin:.2rem 0}.muted{color:#555}";

// The state in words, for the page that refuses an acknowledgement.
std::string StateSentence(const Incident& incident) {
  return incident.id() + " is " + IncidentStateName(incident.state) + ".";
}

std::string Row(std::string_view label, std::string_view value) {
  return "<dt>" + EscapeHtml(label) + "</dt><dd>" + EscapeHtml(value) + "</dd>";
}

std::string IncidentFacts(const Incident& incident) {
  std::string html = "<dl>";
  html += Row("Incident", incident.id());
  html += Row("Title", incident.title);
  html += Row("Severity", SeverityName(incident.severity));
  html += Row("State", IncidentStateName(incident.state));
  html += Row("Service", incident.service_id);
  if (!incident.commander.empty()) html += Row("Commander", incident.commander);
  html += "</dl>";
  return html;
}

}  // namespace

Response LinkPage(int status, std::string_view title, std::string_view body_html) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.headers = {
      // The URL is a credential: never cached, never sent on as a referrer, never indexed.
      {"Cache-Control", "no-store"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Robots-Tag", "noindex"},
      {"Content-Security-Policy",
       "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
       "frame-ancestors 'none'"},
  };
  const std::string escaped_title = EscapeHtml(title);
  r.body.reserve(512 + body_html.size());
  r.body += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  r.body += "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">";
  r.body += "<meta name=\"robots\" content=\"noindex\"><title>";
  r.body += escaped_title;
  r.body += " - loom-oncall</title><style>";
  r.body += kStyle;
  r.body += "</style></head><body><h1>";
  r.body += escaped_title;
  r.body += "</h1>\n";
  r.body += body_html;
  r.body += "\n</body></html>\n";
  return r;
}

Response AckConfirmationPage(const Incident& incident, const ActionClaims& claims) {
  std::string body = IncidentFacts(incident);
  if (incident.state != IncidentState::kTriggered) {
    body += "<p>" + EscapeHtml(StateSentence(incident)) +
            " Only a triggered incident can be acknowledged; there is nothing to do here.</p>";
    return LinkPage(200, incident.id() + " is " + IncidentStateName(incident.state), body);
  }
  const std::string action = "Acknowledge " + incident.id() + " as " + claims.recipient;
  // No action attribute: the form posts to this page's own URL (the link), wherever it is served.
  body +=
      "<form method=\"post\"><button type=\"submit\">" + EscapeHtml(action) + "</button></form>";
  body +=
      "<p class=\"muted\">Opening this page changed nothing; the incident is acknowledged when "
      "you press the button. The link works once.</p>";
  return LinkPage(200, action + "?", body);
}

Response IncidentViewPage(const IncidentDetail& detail) {
  const Incident& incident = detail.incident;
  std::string body = IncidentFacts(incident);
  body += "<h2>Timeline</h2><ol>";
  for (const TimelineEvent& e : detail.timeline) {
    body += "<li><time>" + EscapeHtml(FormatRfc3339(e.at)) + "</time> " + EscapeHtml(e.type) +
            " <span class=\"muted\">by " + EscapeHtml(e.actor) + "</span></li>";
  }
  body += "</ol>";
  return LinkPage(200, incident.id() + ": " + incident.title, body);
}

Response AcknowledgedPage(const Incident& incident, const ActionClaims& claims) {
  const std::string title =
      incident.id() + " acknowledged by " + claims.recipient + " via " + claims.via;
  std::string body = IncidentFacts(incident);
  body += "<p>Escalation has stopped.</p>";
  return LinkPage(200, title, body);
}

Response LinkErrorPage(const Error& original, int64_t incident_number) {
  const Error error = ClientViewOf(original);  // never the database's own words
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
      return LinkPage(404, "This link is not valid",
                      "<p>The link is incomplete or was changed. Copy the whole link from the "
                      "message, or open the incident in loom-oncall.</p>");
    case ErrorCode::kPermissionDenied:
      return LinkPage(410, "This link has expired",
                      "<p>Nothing was changed. Open the incident in loom-oncall, or use the "
                      "link of a newer message.</p>");
    case ErrorCode::kConflict:
      if (error.message == kLinkAlreadyUsed) {
        return LinkPage(409, "This link was already used",
                        "<p>Nothing was changed. Each acknowledge link works once.</p>");
      }
      return LinkPage(409, IncidentId(incident_number) + " was not acknowledged",
                      "<p>" + EscapeHtml(error.message) + ".</p><p>Nothing was changed.</p>");
    case ErrorCode::kNotFound:
      return LinkPage(404, "No such incident",
                      "<p>" + EscapeHtml(IncidentId(incident_number)) + " does not exist.</p>");
    case ErrorCode::kUnavailable: {
      Response r = LinkPage(503, "Try again in a moment",
                            "<p>loom-oncall cannot take the change right now. Nothing was "
                            "changed; the link still works.</p>");
      r.retry_after_seconds = 5;
      return r;
    }
    default:
      return LinkPage(500, "Something went wrong",
                      "<p>Nothing was changed. The error was logged.</p>");
  }
}

}  // namespace loom::http
