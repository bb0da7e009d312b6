#include "cli/delivery_setup.h"

#include "notify/channels.h"
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

Result<std::unique_ptr<DeliveryService>> LoadDelivery(
    const Config& config, OutboxStore& store, Clock& clock, std::shared_ptr<Roster> roster,
    std::function<LinkSigner::Links(int64_t, const std::string&, const std::string&, TimePoint)>
        links,
    MessageActionStore* actions) {
  const NotifyConfig& notify = config.notify;
  Result<OutboundPolicy> policy = OutboundPolicy::Create(notify.allow_hosts);
  if (!policy.ok()) {
    const Error& e = policy.error();
    return Error{e.code, "notify.allow_hosts: " + e.message, {}};
  }
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
  if (actions != nullptr) settings.actions = std::make_shared<StoreActionLog>(*actions);
  // Every registered type whose settings are there; the others dead-letter their messages.
  std::map<std::string, std::shared_ptr<Channel>> channels;
  for (const ChannelType* type : ChannelTypes()) {
    auto channel = type->make(settings);
    if (!channel.ok()) return std::move(channel).error();
    if (*channel != nullptr) channels.emplace(type->name, std::move(*channel));
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
