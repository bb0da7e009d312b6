// MessageActionStore: the message-action role of the store — the secrets of chat buttons that
// call back to us (core/message_action.h): kept (hashed) by the channel before the message goes
// out, found by the provider's callback. Writes and reads follow store/callback.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "core/message_action.h"
#include "store/callback.h"

namespace loom {

class MessageActionStore {
 public:
  virtual ~MessageActionStore() = default;

  // Keeps `actions` in one transaction, and removes the kept actions that expired a day or more
  // before the first one's created_at (they can do nothing any more). Answers how many were
  // added. A secret_hash that is already kept is a kConflict (secrets are random: it is a bug).
  virtual void SaveMessageActions(std::vector<MessageAction> actions, Callback<int64_t> done) = 0;
  // The action whose secret hashes to `secret_hash` (expired or not: the caller decides), or
  // nullopt when there is none.
  virtual Result<std::optional<MessageAction>> FindMessageAction(
      const std::string& secret_hash) = 0;
};

}  // namespace loom
