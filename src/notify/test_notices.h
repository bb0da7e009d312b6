// Sample notices for the channel tests (test-only, header-only: never part of loom_notify).
#pragma once

#include <optional>
#include <string>

#include "common/time_format.h"
#include "notify/channel.h"
#include "notify/http_post.h"

namespace loom::testing {

inline NoticeIncident SampleIncident(int64_t number, std::string title = "Database down") {
  NoticeIncident i;
  i.number = number;
  i.id = "INC-" + std::to_string(number);
  i.title = std::move(title);
  i.severity = "sev1";
  i.kind = "availability";
  i.service = "db";
  i.state = "triggered";
  i.ack_url = "https://oncall.example.com/a/ack" + std::to_string(number) + "?x=1&y=2";
  i.open_url = "https://oncall.example.com/a/open" + std::to_string(number);
  return i;
}

// A Sev1 page of INC-12 to Alice as primary.
inline Notice SampleNotice() {
  Notice n;
  n.id = "ntf-42";
  n.type = "page";
  n.recipient = "alice";
  n.recipient_name = "Alice";
  n.role = "primary";
  n.summary = "Sev1 page (primary, step 0)";
  n.created_at = ParseRfc3339("2026-11-02T09:00:00.250Z").value();
  n.incidents.push_back(SampleIncident(12));
  return n;
}

// An answer with a status line, as HttpPost hands it to a channel's classifier.
inline HttpResponse CompletedResponse(int status, std::string body,
                                      std::optional<Duration> retry_after = std::nullopt) {
  HttpResponse r;
  r.transport = HttpResponse::Transport::kCompleted;
  r.status = status;
  r.body = std::move(body);
  r.retry_after = retry_after;
  return r;
}

}  // namespace loom::testing
