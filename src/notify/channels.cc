#include "notify/channels.h"

#include "notify/email/email_channel.h"
#include "notify/slack/slack_channel.h"
#include "notify/webhook/webhook_channel.h"

namespace loom {

std::span<const ChannelType* const> ChannelTypes() {
  // One line per channel type, in the order error messages list them.
  static constexpr const ChannelType* kTypes[] = {
      &kEmailChannelType,
      &kSlackChannelType,
      &kWebhookChannelType,
  };
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
