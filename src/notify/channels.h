// The table of notification channel types: what configuration validation (src/config), the
// wiring (cli/delivery_setup) and delivery's routing (engine/delivery) need to know about each
// channel type, so that none of them lists the types. Each type lives in its own folder
// (src/notify/<type>/) with its Channel, its tests and the ChannelType it registers; adding a
// type is its folder plus one line in the table of channels.cc (no include).
//
// Thread safety: the table is immutable; the functions are safe from any thread.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "notify/channel.h"
#include "notify/email/email_channel.h"
#include "notify/message_action_log.h"
#include "notify/outbound_policy.h"

namespace loom {

// What the factories are built from: `notify:` of the configuration, as the channels take it.
struct ChannelSettings {
  const OutboundPolicy& policy;                 // every outbound connection passes it
  Clock& clock;                                 // outlives the channels
  Duration timeout = std::chrono::seconds(10);  // notify.timeout: one delivery attempt
  std::optional<EmailOptions> smtp;             // notify.smtp, when set
  // Where channels whose buttons call back to us (mattermost) keep the buttons' secrets; null:
  // such channels post without buttons (the one-click links remain).
  std::shared_ptr<MessageActionLog> actions = nullptr;
};

// How a destination of the type is written in the configuration (contact methods, incident
// channels).
enum class ChannelAddress {
  kEmail,  // `address:`, an e-mail address
  kUrl,    // `url:` or `url_env:`, an http(s) URL (a URL from the environment is a secret)
};

struct ChannelType {
  // Destination::type, the configuration's `type:` and the timeline's `via` ("slack").
  std::string_view name;
  ChannelAddress address = ChannelAddress::kUrl;
  // Accepts `secret_env`: the messages are signed with the destination's secrets.
  bool signs = false;
  // May be one of a service's `incident_channels` (posts about the incident to a room).
  bool incident_channel = false;
  // Sends through the one SMTP relay of `notify.smtp`: a contact method of the type needs it,
  // and delivery backs off the relay as a whole while it is unreachable.
  bool via_smtp = false;
  // The channel for `settings`; null when the settings leave it unconfigured (delivery then
  // dead-letters the type's messages), an error when they are unusable (the error names the
  // setting).
  Result<std::shared_ptr<Channel>> (*make)(const ChannelSettings& settings) = nullptr;
};

// Every registered type, in the order error messages list them. Names are unique
// (channels_test.cc).
std::span<const ChannelType* const> ChannelTypes();

// The type called `name`, or null.
const ChannelType* FindChannelType(std::string_view name);

// The names of every type (or of those that may be incident channels), joined by `separator`:
// "email, slack, webhook".
std::string ChannelTypeNames(std::string_view separator, bool incident_channels_only = false);

// True when `name` is a type that sends through the SMTP relay.
bool SendsThroughSmtp(std::string_view name);

}  // namespace loom
