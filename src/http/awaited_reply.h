// Test-only: a Reply that a test waits on for the one answer of a request, however late (and
// from whichever thread) the Api sends it.
#pragma once

#include <future>

#include "http/types.h"

namespace loom::http {

class AwaitedReply final : public ResponseSink {
 public:
  void Send(Response r) override { answer_.set_value(std::move(r)); }
  Response Get() { return answer_.get_future().get(); }

 private:
  std::promise<Response> answer_;
};

}  // namespace loom::http
