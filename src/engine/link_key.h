// The key one-click links are signed with (src/notify/action_link.h), chosen once at start-up:
// the configured `notify.link_secret` when there is one, otherwise a random key generated on the
// first start and kept in the store, so that every instance sharing the store and every restart
// sign and verify with the same key (links in mails sent before a restart keep working).
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "notify/action_link.h"
#include "store/admin_store.h"

namespace loom {

// The name of the store setting that holds the generated key.
inline constexpr char kLinkKeySetting[] = "link_key";

// kInvalidArgument when `configured_secret` is set but shorter than 32 bytes; the store's error
// when the generated key cannot be read or kept.
Result<std::string> LoadOrCreateLinkKey(const std::string& configured_secret, AdminStore& store);

}  // namespace loom
