// Builds the outbox workers (engine/delivery.h) from the configuration: one channel per type of
// notify/channels.h that `notify:` configures (a type needing a setting that is absent, such as
// e-mail without notify.smtp, has none), the host allowlist, retry and bundling settings, and
// each service's incident channels. With a PushStore, the Pushover and Telegram channels
// remember their pages there and the service settles them once acknowledged
// (engine/push_followups.h). With a MessageActionStore, the channels whose buttons call back to
// us (mattermost) keep the buttons' secrets there.
#pragma once

#include <functional>
#include <memory>

#include "common/clock.h"
#include "common/result.h"
#include "config/config.h"
#include "core/roster.h"
#include "engine/delivery.h"
#include "store/message_action_store.h"
#include "store/outbox_store.h"
#include "store/push_store.h"

namespace loom {

// Loaded (hooks registered, pending rows in its heap) but not started.
Result<std::unique_ptr<DeliveryService>> LoadDelivery(
    const Config& config, OutboxStore& store, Clock& clock, std::shared_ptr<Roster> roster,
    std::function<LinkSigner::Links(int64_t, const std::string&, const std::string&, TimePoint)>
        links,
    PushStore* push = nullptr, MessageActionStore* actions = nullptr);

// The e-mail channel of notify.smtp alone (for password reset links); a null channel when
// notify.smtp is not set.
Result<std::shared_ptr<Channel>> MakeMailChannel(const Config& config, Clock& clock);

}  // namespace loom
