// Acknowledging through a page that took the acknowledgement back (Pushover's callback, a
// Telegram button): the same command a one-click link builds (link_handlers.cc UseLink).

#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>

#include "http/api.h"

namespace loom::http {

void Api::AcknowledgePushPages(const std::vector<PushPage>& pages, const std::string& nonce_of,
                               std::function<void(PushAckOutcome)> done) {
  struct Shared {
    std::mutex mu;
    size_t left = 0;
    PushAckOutcome outcome;
    std::function<void(PushAckOutcome)> done;
  };
  auto shared = std::make_shared<Shared>();
  shared->left = pages.size();
  shared->done = std::move(done);
  if (pages.empty()) return shared->done(PushAckOutcome{});
  for (const PushPage& page : pages) {
    IncidentCommand command;
    command.type = IncidentCommand::Type::kAcknowledge;
    command.incident_number = page.incident_number;
    command.actor = "user:" + page.recipient;
    command.via = page.channel;
    // One use per page and incident: a replayed callback finds it used and changes nothing.
    command.link_nonce = page.channel + ":" + nonce_of + ":" + std::to_string(page.incident_number);
    const int64_t number = page.incident_number;
    incident_writes_.Execute(std::move(command), [shared, number](Result<Incident> out) {
      std::function<void(PushAckOutcome)> finish;
      PushAckOutcome outcome;
      {
        std::lock_guard<std::mutex> lock(shared->mu);
        if (out.ok()) {
          shared->outcome.acknowledged.push_back(number);
        } else if (out.error().code == ErrorCode::kConflict ||
                   out.error().code == ErrorCode::kNotFound) {
          // Used before, or acknowledged (resolved, ...) already: nothing to do.
          shared->outcome.unchanged.push_back(number);
        } else {
          spdlog::error("acknowledging {} through a push page: {}", IncidentId(number),
                        out.error().message);
          shared->outcome.failed = out.error();
        }
        if (--shared->left != 0) return;
        finish = std::move(shared->done);
        outcome = std::move(shared->outcome);
      }
      finish(std::move(outcome));
    });
  }
}

}  // namespace loom::http
