// The seam between the channels that take an acknowledgement back (pushover, telegram) and the
// store: PushPageLog remembers what they sent (core/push_page.h), PushSettler settles a sent
// message once its incident was acknowledged (cancel retries, edit the message). The engine
// implements the log over store/push_store.h (engine/push_followups.h) and drives the settling.
//
// Thread safety: implementations are called from several delivery threads at once.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "core/push_page.h"
#include "notify/channel.h"

namespace loom {

class PushPageLog {
 public:
  virtual ~PushPageLog() = default;
  // Records the pages durably before answering (an existing (channel, ref, incident) gets the
  // new message_id); the error when the store could not.
  virtual Status Remember(std::vector<PushPage> pages) = 0;
};

class PushSettler {
 public:
  virtual ~PushSettler() = default;
  // Settles one sent message (its pages share channel and ref, or for Telegram chat and
  // message id) now that its incidents moved on: kDelivered when done or nothing is left to do,
  // kRetry to try again later (Retry-After honoured), kRejected/kGone to give up.
  virtual SendResult Settle(const std::vector<PushPageToSettle>& pages) = 0;
};

}  // namespace loom
