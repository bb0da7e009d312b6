// A button of a chat message that calls back to us (Mattermost's interactive message buttons,
// src/notify/mattermost/): the message carries a random secret in the button; the store keeps
// only the secret's SHA-256 with what the button may do (store/message_action_store.h), and the
// callback (src/http/mattermost_handlers.cc) acts only for a secret it finds there, unexpired,
// and once (the acknowledge's link_nonce, core/incident_command.h).
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.h"

namespace loom {

struct MessageAction {
  std::string secret_hash;  // lower-case hex SHA-256 of the secret; the secret is never stored
  std::string channel;      // the channel type that sent the button ("mattermost")
  int64_t incident_number = 0;
  // Who the message went to: the user paged, or "channel:<service>/<id>" for an incident
  // channel (then the person pressing the button is the actor).
  std::string recipient;
  std::string notice_id;  // the message the button went out in (Notice::id)
  TimePoint created_at{};
  TimePoint expires_at{};  // created_at + notify.link_ttl: later, the button does nothing
};

}  // namespace loom
