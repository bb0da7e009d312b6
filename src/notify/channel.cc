#include "notify/channel.h"

namespace loom {

const char* OutcomeName(SendResult::Outcome outcome) {
  switch (outcome) {
    case SendResult::Outcome::kDelivered: return "delivered";
    case SendResult::Outcome::kRetry: return "retry";
    case SendResult::Outcome::kGone: return "gone";
    case SendResult::Outcome::kRejected: return "rejected";
  }
  return "retry";
}

}  // namespace loom
