#include "engine/link_key.h"

#include "common/crypto.h"
#include "common/error_context.h"

namespace loom {

namespace {
constexpr size_t kMinKeyBytes = 32;
}  // namespace

Result<std::string> LoadOrCreateLinkKey(const std::string& configured_secret, AdminStore& store) {
  if (!configured_secret.empty()) {
    if (configured_secret.size() < kMinKeyBytes) {
      return Error::Invalid("notify.link_secret must have at least 32 characters");
    }
    return configured_secret;
  }
  // 32 random bytes, kept (and used) as their 64 hex digits.
  Result<std::string> key =
      store.GetOrCreateSetting(kLinkKeySetting, [] { return RandomHex(kMinKeyBytes); });
  if (!key.ok()) {
    return WithContext("cannot load the link key", std::move(key).error());
  }
  if (key->size() < kMinKeyBytes) {
    return Error::Internal("the stored link key is shorter than 32 bytes");
  }
  return key;
}

}  // namespace loom
