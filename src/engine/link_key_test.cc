#include "engine/link_key.h"

#include <gtest/gtest.h>

#include "store/sql/sqlite_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace loom {
namespace {

class LinkKeyTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> OpenStore() {
    SqliteOptions options;
    options.path = dir_.File("loom.db");
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(options, clock_);
    EXPECT_TRUE(store.ok()) << store.error().message;
    return store.ok() ? std::move(store).value() : nullptr;
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
};

TEST_F(LinkKeyTest, ConfiguredSecretIsUsedAsIs) {
  std::unique_ptr<Store> store = OpenStore();
  const std::string secret(40, 's');
  Result<std::string> key = LoadOrCreateLinkKey(secret, *store);
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ(*key, secret);
  Result<std::string> kept = store->GetOrCreateSetting(kLinkKeySetting, [] { return "unused"; });
  EXPECT_EQ(kept.value(), "unused");  // nothing generated or stored for a configured secret
}

TEST_F(LinkKeyTest, ShortConfiguredSecretIsRefused) {
  std::unique_ptr<Store> store = OpenStore();
  Result<std::string> key = LoadOrCreateLinkKey("short", *store);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(key.error().message, "notify.link_secret must have at least 32 characters");
}

TEST_F(LinkKeyTest, GeneratedKeyIsKeptAcrossRestarts) {
  std::string first;
  {
    std::unique_ptr<Store> store = OpenStore();
    Result<std::string> key = LoadOrCreateLinkKey("", *store);
    ASSERT_TRUE(key.ok()) << key.error().message;
    EXPECT_EQ(key->size(), 64u);  // 32 random bytes as hex
    first = *key;
    EXPECT_EQ(LoadOrCreateLinkKey("", *store).value(), first);
  }
  std::unique_ptr<Store> store = OpenStore();
  EXPECT_EQ(LoadOrCreateLinkKey("", *store).value(), first);

  // A link signed before the restart verifies after it.
  LinkSigner after(LoadOrCreateLinkKey("", *store).value(), "http://127.0.0.1:8080",
                   std::chrono::hours(1));
  LinkSigner before(first, "http://127.0.0.1:8080", std::chrono::hours(1));
  LinkSigner::Links links = before.For(3, "alice", "email", clock_.Now());
  const std::string token = links.ack_url.substr(links.ack_url.rfind('/') + 1);
  EXPECT_TRUE(after.Verify(token, clock_.Now()).ok());
}

}  // namespace
}  // namespace loom
