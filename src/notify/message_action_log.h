// MessageActionLog: where a channel whose message buttons call back to us (mattermost) keeps
// each button's secret, hashed (core/message_action.h), before the message goes out. The
// production log is the store's MessageActionStore (wired in cli/delivery_setup.cc); tests keep
// them in memory.
//
// Thread safety: Keep is called from several delivery workers at once.
#pragma once

#include <vector>

#include "common/result.h"
#include "core/message_action.h"

namespace loom {

class MessageActionLog {
 public:
  virtual ~MessageActionLog() = default;
  // Keeps `actions` durably; blocks until they are (the message must not go out before). An
  // error means nothing was kept.
  virtual Status Keep(std::vector<MessageAction> actions) = 0;
};

}  // namespace loom
