// Builds the outbox workers (engine/delivery.h) from the configuration: one channel per type of
// notify/channels.h that `notify:` configures (a type needing a setting that is absent, such as
// e-mail without notify.smtp, has none), the host allowlist, retry and bundling settings, and
// each service's incident channels. With a MessageActionStore, the channels whose buttons call
// back to us (mattermost) keep the buttons' secrets there.
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

namespace loom {

// Loaded (hooks registered, pending rows in its heap) but not started.
Result<std::unique_ptr<DeliveryService>> LoadDelivery(
    const Config& config, OutboxStore& store, Clock& clock, std::shared_ptr<Roster> roster,
    std::function<LinkSigner::Links(int64_t, const std::string&, const std::string&, TimePoint)>
        links,
    MessageActionStore* actions = nullptr);

}  // namespace loom
