#include "notify/channels.h"

namespace loom {

// THE registration: one line per channel type, in the order error messages list them. Each line
// names the ChannelType its folder defines (src/notify/<type>/), so registering a type needs no
// include: the X-macro below declares the objects and lists their addresses.
#define LOOM_CHANNEL_TYPES(X) \
  X(kEmailChannelType)        \
  X(kSlackChannelType)        \
  X(kWebhookChannelType)      \
  X(kSmsChannelType)          \
  X(kVoiceChannelType)        \
  X(kNtfyChannelType)         \
  X(kPushoverChannelType)     \
  X(kTelegramChannelType)     \
  X(kTeamsChannelType)        \
  X(kMattermostChannelType)

#define LOOM_DECLARE(type) extern const ChannelType type;
LOOM_CHANNEL_TYPES(LOOM_DECLARE)
#undef LOOM_DECLARE

std::span<const ChannelType* const> ChannelTypes() {
#define LOOM_ADDRESS(type) &type,
  static constexpr const ChannelType* kTypes[] = {LOOM_CHANNEL_TYPES(LOOM_ADDRESS)};
#undef LOOM_ADDRESS
  return kTypes;
}

const ChannelType* FindChannelType(std::string_view name) {
  for (const ChannelType* type : ChannelTypes()) {
    if (type->name == name) return type;
  }
  return nullptr;
}

std::string ChannelTypeNames(std::string_view separator, bool incident_channels_only) {
  std::string names;
  for (const ChannelType* type : ChannelTypes()) {
    if (incident_channels_only && !type->incident_channel) continue;
    if (!names.empty()) names += separator;
    names += type->name;
  }
  return names;
}

bool SendsThroughSmtp(std::string_view name) {
  const ChannelType* type = FindChannelType(name);
  return type != nullptr && type->via_smtp;
}

}  // namespace loom
