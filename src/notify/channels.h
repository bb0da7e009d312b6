// The table of notification channel types: what configuration validation (src/config), the
// wiring (cli/delivery_setup) and delivery's routing (engine/delivery) need to know about each
// channel type, so that none of them lists the types. Each type lives in its own folder
// (src/notify/<type>/) with its Channel, its tests and the ChannelType it registers; adding a
// type is its folder plus one line in the table of channels.cc (no include).
//
// Thread safety: the table is immutable; the functions are safe from any thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "notify/channel.h"
#include "notify/email/email_channel.h"
#include "notify/message_action_log.h"
#include "notify/outbound_policy.h"
#include "notify/push_pages.h"
#include "notify/twilio/twilio_client.h"

namespace loom {

// What the factories are built from: `notify:` of the configuration, as the channels take it.
struct ChannelSettings {
  const OutboundPolicy& policy;                 // every outbound connection passes it
  Clock& clock;                                 // outlives the channels
  Duration timeout = std::chrono::seconds(10);  // notify.timeout: one delivery attempt
  std::optional<EmailOptions> smtp;             // notify.smtp, when set
  std::optional<TwilioOptions> twilio = {};     // notify.providers.twilio, when set
  SmsOptOutCheck sms_opted_out = nullptr;       // the numbers that replied STOP; null: none
  // notify.providers.<name> of the push providers: each one's settings, secrets resolved
  // ("app_token", "bot_token", "secret_token", "api_url"); absent when not configured.
  std::map<std::string, std::map<std::string, std::string>> providers = {};
  // Where the channels that take an acknowledgement back (pushover, telegram) remember what
  // they sent; null: such channels are not built (their messages dead-letter).
  std::shared_ptr<PushPageLog> pages = nullptr;
  // Where channels whose buttons call back to us (mattermost) keep the buttons' secrets; null:
  // such channels post without buttons (the one-click links remain).
  std::shared_ptr<MessageActionLog> actions = nullptr;
};

// How a destination of the type is written in the configuration (contact methods, incident
// channels).
enum class ChannelAddress {
  kEmail,        // `address:`, an e-mail address
  kUrl,          // `url:` or `url_env:`, an http(s) URL (a URL from the environment is a secret)
  kPhoneNumber,  // `number:`, an E.164 phone number ("+15551234567")
  kKeys,  // the type's own keys (ChannelType::keys), composed into a Destination by `compose`
};

// One key of a contact method written with the type's own keys (ChannelAddress::kKeys).
struct ContactKey {
  std::string_view name = {};  // "topic", "token_env", ...
  bool required = false;
  // The key names an environment variable (it ends in "_env"): its value is read from there, is
  // a secret, and is what `compose` gets under the key's name.
  bool from_env = false;
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
  // The `notify.providers` key a contact method of the type needs ("twilio", "twilio.from",
  // "pushover"); "" for none. Without it `make` answers null: its messages dead-letter.
  std::string_view provider = {};
  // ChannelAddress::kKeys: the keys a contact method of the type may have (besides id and type),
  // and how their values (by key name; absent keys left out) make its address and secrets. An
  // answer other than "" is the problem, reported on the contact method.
  std::span<const ContactKey> keys = {};
  std::string (*compose)(const std::map<std::string, std::string>& values, std::string* address,
                         std::vector<std::string>* secrets) = nullptr;
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
