// PushPage: what a channel that takes an acknowledgement back (Pushover, Telegram) remembers of
// a page it sent, so that the vendor's callback finds the incident and the person, and so that
// an acknowledgement made elsewhere can settle the message (cancel the Pushover receipt's
// retries, edit the Telegram message). Stored by store/push_store.h; written by the channels
// through notify/push_pages.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.h"

namespace loom {

struct PushPage {
  std::string channel;  // the channel type: "pushover" or "telegram"
  // The vendor-side handle the callback names: Pushover's receipt, or for Telegram the short id
  // in the button's callback_data (random; it identifies the page and grants nothing by itself:
  // a callback is only believed after the webhook's secret header).
  std::string ref;
  int64_t incident_number = 0;
  std::string recipient;   // the user paged; an acknowledgement through the page acts as them
  std::string address;     // telegram: the chat id the message went to; pushover: ""
  std::string message_id;  // telegram: the message's id once sent; pushover: ""
  std::string text;        // telegram: the incident's line of the message (kept for the edit)
  TimePoint created_at{};
  // Settled: the incident left `triggered` and the message was settled (or needed nothing).
  bool settled = false;
  int attempts = 0;  // settle attempts that failed
  std::optional<TimePoint> next_attempt_at;
};

// A page to settle, with what its incident looks like now.
struct PushPageToSettle {
  PushPage page;
  std::string incident_state;  // "acknowledged", "resolved", ...
  std::string commander;       // who leads it now ("" when nobody)
};

}  // namespace loom
