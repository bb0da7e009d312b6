#include "server/sign_on_setup.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"

namespace loom {
namespace {

Config WithOidc(std::string issuer) {
  Config config;
  OidcConfig oidc;
  oidc.issuer = std::move(issuer);
  oidc.client_id = "loom";
  oidc.client_secret = "secret";
  config.auth.oidc = oidc;
  return config;
}

TEST(MakeSignOnTest, OffWithoutAuthOidc) {
  testing::FakeClock clock;
  auto sign_on = MakeSignOn(Config{}, "https://oncall.example", clock);
  ASSERT_TRUE(sign_on.ok());
  EXPECT_EQ(*sign_on, nullptr);
}

TEST(MakeSignOnTest, TheRedirectUriIsUnderThePublicUrl) {
  testing::FakeClock clock;
  auto sign_on = MakeSignOn(WithOidc("https://idp.example"), "https://oncall.example/", clock);
  ASSERT_TRUE(sign_on.ok()) << sign_on.error().message;
  ASSERT_NE(*sign_on, nullptr);
  EXPECT_EQ((*sign_on)->redirect_uri(), "https://oncall.example/ui/auth/oidc/callback");
  EXPECT_EQ((*sign_on)->DisplayName(), "idp.example");
}

TEST(MakeSignOnTest, ALocalProviderMustBeInAllowHosts) {
  testing::FakeClock clock;
  Config config = WithOidc("http://127.0.0.1:9000");
  auto refused = MakeSignOn(config, "http://127.0.0.1:8080", clock);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("notify.allow_hosts"), std::string::npos)
      << refused.error().message;
  config.notify.allow_hosts = {"127.0.0.1"};
  EXPECT_TRUE(MakeSignOn(config, "http://127.0.0.1:8080", clock).ok());
}

}  // namespace
}  // namespace loom
