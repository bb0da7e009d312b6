#include "core/outbox.h"

namespace loom {

namespace {

constexpr OutboxState kStates[] = {OutboxState::kPending, OutboxState::kDelivered,
                                   OutboxState::kDead, OutboxState::kCancelled,
                                   OutboxState::kUndeliverable};

}  // namespace

const char* OutboxStateName(OutboxState state) {
  switch (state) {
    case OutboxState::kPending: return "pending";
    case OutboxState::kDelivered: return "delivered";
    case OutboxState::kDead: return "dead";
    case OutboxState::kCancelled: return "cancelled";
    case OutboxState::kUndeliverable: return "undeliverable";
  }
  return "pending";
}

std::optional<OutboxState> ParseOutboxState(std::string_view name) {
  for (OutboxState state : kStates) {
    if (name == OutboxStateName(state)) return state;
  }
  return std::nullopt;
}

}  // namespace loom
