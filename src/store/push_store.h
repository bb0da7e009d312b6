// PushStore: the push role of the store — what the channels that take an acknowledgement back
// (Pushover, Telegram) remember of the pages they sent (core/push_page.h), read by their
// callbacks (src/http/pushover_handlers.cc, telegram_handlers.cc) and by the settling of pages
// whose incident was acknowledged (engine/push_followups.h). Writes and reads follow
// store/callback.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "core/push_page.h"
#include "store/callback.h"

namespace loom {

// The outcome of one attempt to settle a page.
struct PushSettleRecord {
  std::string channel;
  std::string ref;
  int64_t incident_number = 0;
  bool settled = false;                      // done (or given up): not tried again
  std::optional<TimePoint> next_attempt_at;  // when not settled: the next try
  std::string error;                         // the attempt's error, "" when none
};

class PushStore {
 public:
  virtual ~PushStore() = default;

  // Inserts the pages; a page already there (same channel, ref and incident) keeps its row and
  // takes the new message_id when one is given. Answers how many pages were given.
  virtual void RememberPushPages(std::vector<PushPage> pages, Callback<int64_t> done) = 0;
  // Records settle attempts. Answers how many rows changed.
  virtual void RecordPushSettles(std::vector<PushSettleRecord> records, Callback<int64_t> done) = 0;

  // The pages sent under (channel, ref), by incident number; empty when none.
  virtual Result<std::vector<PushPage>> FindPushPages(const std::string& channel,
                                                      const std::string& ref) = 0;
  // Unsettled pages whose incident is no longer triggered and whose next attempt is due at
  // `now`, oldest first, at most `limit`.
  virtual Result<std::vector<PushPageToSettle>> PushPagesToSettle(TimePoint now, int limit) = 0;
};

}  // namespace loom
