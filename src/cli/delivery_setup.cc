#include "cli/delivery_setup.h"

#include <optional>

#include "notify/channels.h"
#include "notify/email/email_channel.h"
#include "notify/outbound_policy.h"

namespace loom {
namespace {

// Keeps the buttons' secrets in the store, waiting for the commit (a delivery worker's thread).
class StoreActionLog final : public MessageActionLog {
 public:
  explicit StoreActionLog(MessageActionStore& store) : store_(store) {}
  Status Keep(std::vector<MessageAction> actions) override {
    Result<int64_t> kept = AwaitWrite<int64_t>(
        [&](auto done) { store_.SaveMessageActions(std::move(actions), std::move(done)); });
    if (!kept.ok()) return std::move(kept).error();
    return OkStatus();
  }

 private:
  MessageActionStore& store_;
};

}  // namespace

namespace {

// The channels' settings of `notify:`, or the problem with notify.allow_hosts. `policy` receives
// the outbound policy the settings refer to.
Result<ChannelSettings> SettingsOf(const NotifyConfig& notify, Clock& clock,
                                   std::optional<OutboundPolicy>& policy) {
  Result<OutboundPolicy> made = OutboundPolicy::Create(notify.allow_hosts);
  if (!made.ok()) {
    const Error& e = made.error();
    return Error{e.code, "notify.allow_hosts: " + e.message, {}};
  }
  policy.emplace(std::move(made).value());
  ChannelSettings settings{*policy, clock, notify.timeout, std::nullopt};
  if (notify.smtp) {
    EmailOptions mail;
    mail.url = notify.smtp->url;
    mail.from = notify.smtp->from;
    mail.starttls = notify.smtp->starttls;
    mail.username = notify.smtp->username;
    mail.password = notify.smtp->password;
    mail.verify_tls = notify.smtp->verify_tls;
    mail.timeout = notify.timeout;
    settings.smtp = std::move(mail);
  }
  return settings;
}

}  // namespace

Result<std::shared_ptr<Channel>> MakeMailChannel(const Config& config, Clock& clock) {
  std::optional<OutboundPolicy> policy;
  Result<ChannelSettings> settings = SettingsOf(config.notify, clock, policy);
  if (!settings.ok()) return std::move(settings).error();
  return kEmailChannelType.make(*settings);
}

Result<std::unique_ptr<DeliveryService>> LoadDelivery(
    const Config& config, OutboxStore& store, Clock& clock, std::shared_ptr<Roster> roster,
    std::function<LinkSigner::Links(int64_t, const std::string&, const std::string&, TimePoint)>
        links,
    PushStore* push, MessageActionStore* actions) {
  std::optional<OutboundPolicy> policy;
  Result<ChannelSettings> made = SettingsOf(config.notify, clock, policy);
  if (!made.ok()) return std::move(made).error();
  ChannelSettings& settings = *made;
  const NotifyConfig& notify = config.notify;
  if (notify.twilio) {
    TwilioOptions twilio;
    twilio.account_sid = notify.twilio->account_sid;
    twilio.auth_token = notify.twilio->auth_token;
    twilio.from = notify.twilio->from;
    twilio.messaging_service_sid = notify.twilio->messaging_service_sid;
    twilio.api_url = notify.twilio->api_url;
    twilio.public_url = config.server.public_url;
    settings.twilio = std::move(twilio);
    settings.sms_opted_out = [&store](const std::string& number) {
      return store.SmsOptedOut(number);
    };
  }
  if (notify.pushover) {
    settings.providers["pushover"] = {{"app_token", notify.pushover->app_token},
                                      {"api_url", notify.pushover->api_url}};
  }
  if (notify.telegram) {
    settings.providers["telegram"] = {{"bot_token", notify.telegram->bot_token},
                                      {"api_url", notify.telegram->api_url}};
  }
  std::shared_ptr<PushPageLog> pages;
  if (push != nullptr) pages = std::make_shared<StorePageLog>(*push);
  settings.pages = pages;
  if (actions != nullptr) settings.actions = std::make_shared<StoreActionLog>(*actions);
  // Every registered type whose settings are there; the others dead-letter their messages.
  std::map<std::string, std::shared_ptr<Channel>> channels;
  for (const ChannelType* type : ChannelTypes()) {
    auto channel = type->make(settings);
    if (!channel.ok()) return std::move(channel).error();
    if (*channel != nullptr) channels.emplace(type->name, std::move(*channel));
  }
  // The channels whose pages are settled once acknowledged (cancel retries, edit the message).
  std::map<std::string, std::shared_ptr<PushSettler>> settlers;
  for (const auto& [name, channel] : channels) {
    if (auto settler = std::dynamic_pointer_cast<PushSettler>(channel)) settlers[name] = settler;
  }
  std::vector<IncidentChannel> incident_channels;
  for (const ServiceConfig& service : config.services) {
    for (const IncidentChannelConfig& c : service.incident_channels) {
      incident_channels.push_back(
          {service.service.id, c.id, Destination{c.type, c.url, c.secrets}});
    }
  }
  DeliveryService::Options options;
  options.workers = notify.workers;
  options.per_destination = notify.per_destination;
  options.retry.max_attempts = notify.max_attempts;
  options.retry.initial = notify.retry_initial;
  options.retry.max = notify.retry_max;
  options.bundle_window = notify.bundle_window;
  options.links = std::move(links);
  if (notify.twilio) {
    options.hourly_limit = {{"sms", notify.twilio->per_person_hourly},
                            {"voice", notify.twilio->per_person_hourly}};
  }
  if (push != nullptr && !settlers.empty()) {
    PushFollowUps::Options followups;
    followups.retry = options.retry;
    options.followups =
        std::make_shared<PushFollowUps>(*push, clock, std::move(settlers), std::move(followups));
  }
  auto service =
      std::make_unique<DeliveryService>(store, clock, std::move(roster), std::move(channels),
                                        std::move(incident_channels), std::move(options));
  Status loaded = service->Load();
  if (!loaded.ok()) {
    const Error& e = loaded.error();
    return Error{e.code, "cannot load the outbox: " + e.message, {}};
  }
  return service;
}

}  // namespace loom
