// A PushPageLog that keeps what the channels remember, for the Pushover and Telegram channel tests
// (test-only, header-only: never part of loom_notify).
#pragma once

#include <mutex>
#include <vector>

#include "notify/push_pages.h"

namespace loom::testing {

class RecordingPageLog final : public PushPageLog {
 public:
  // Each call's pages, in order; answers Unavailable while `fail` is set (the pages still kept).
  Status Remember(std::vector<PushPage> pages) override {
    std::lock_guard lock(mu);
    calls.push_back(std::move(pages));
    return fail ? Status(Error::Unavailable("down")) : OkStatus();
  }
  std::mutex mu;
  std::vector<std::vector<PushPage>> calls;
  bool fail = false;
};

}  // namespace loom::testing
