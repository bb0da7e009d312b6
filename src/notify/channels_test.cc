#include "notify/channels.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "testing/fake_clock.h"

namespace loom {
namespace {

TEST(ChannelTypesTest, EveryTypeHasAUniqueNameAndAFactory) {
  std::set<std::string_view> names;
  ASSERT_FALSE(ChannelTypes().empty());
  for (const ChannelType* type : ChannelTypes()) {
    ASSERT_NE(type, nullptr);
    EXPECT_FALSE(type->name.empty());
    EXPECT_TRUE(names.insert(type->name).second) << "duplicate channel type " << type->name;
    EXPECT_NE(type->make, nullptr) << type->name;
    EXPECT_EQ(FindChannelType(type->name), type);
  }
  EXPECT_EQ(FindChannelType("pager"), nullptr);
}

TEST(ChannelTypesTest, NamesAreListedInTableOrder) {
  // A type added at the end of the table extends these lists; the configuration's messages
  // quote them.
  const std::string all = ChannelTypeNames(", ");
  EXPECT_TRUE(all.starts_with("email, slack, webhook")) << all;
  const std::string incident = ChannelTypeNames(" | ", /*incident_channels_only=*/true);
  EXPECT_TRUE(incident.starts_with("slack | webhook")) << incident;
  for (const ChannelType* type : ChannelTypes()) {
    EXPECT_NE(all.find(type->name), std::string::npos) << type->name;
    EXPECT_EQ(incident.find(type->name) != std::string::npos, type->incident_channel) << type->name;
  }
}

TEST(ChannelTypesTest, OnlyEmailGoesThroughTheSmtpRelay) {
  EXPECT_TRUE(SendsThroughSmtp("email"));
  EXPECT_FALSE(SendsThroughSmtp("slack"));
  EXPECT_FALSE(SendsThroughSmtp("webhook"));
  EXPECT_FALSE(SendsThroughSmtp("pager"));
}

TEST(ChannelTypesTest, FactoriesBuildFromTheSettings) {
  auto policy = OutboundPolicy::Create({});
  ASSERT_TRUE(policy.ok());
  testing::FakeClock clock;
  ChannelSettings settings{*policy, clock, std::chrono::seconds(10), std::nullopt};
  for (const ChannelType* type : ChannelTypes()) {
    auto channel = type->make(settings);
    ASSERT_TRUE(channel.ok()) << type->name << ": " << channel.error().message;
    // Without notify.smtp the relay's types stay unconfigured, without their provider the
    // provider's; the others always exist.
    EXPECT_EQ(*channel == nullptr, type->via_smtp || !type->provider.empty()) << type->name;
  }
}

TEST(ChannelTypesTest, PhoneTypesExistWithTheirProvider) {
  auto policy = OutboundPolicy::Create({});
  ASSERT_TRUE(policy.ok());
  testing::FakeClock clock;
  ChannelSettings settings{*policy, clock, std::chrono::seconds(10), std::nullopt};
  settings.twilio = TwilioOptions{};
  settings.twilio->account_sid = "AC1";
  settings.twilio->auth_token = "token";
  settings.twilio->messaging_service_sid = "MG1";
  // A messaging service sends SMS only: calls need a sender number.
  EXPECT_NE(*FindChannelType("sms")->make(settings), nullptr);
  EXPECT_EQ(*FindChannelType("voice")->make(settings), nullptr);
  settings.twilio->from = "+15550000000";
  EXPECT_NE(*FindChannelType("voice")->make(settings), nullptr);
  EXPECT_EQ(FindChannelType("sms")->provider, "twilio");
  EXPECT_EQ(FindChannelType("voice")->provider, "twilio.from");
  EXPECT_EQ(FindChannelType("sms")->address, ChannelAddress::kPhoneNumber);
}

TEST(ChannelTypesTest, AnUnusableSmtpSettingIsAnErrorNamingIt) {
  auto policy = OutboundPolicy::Create({});
  ASSERT_TRUE(policy.ok());
  testing::FakeClock clock;
  ChannelSettings settings{*policy, clock, std::chrono::seconds(10), std::nullopt};
  settings.smtp = EmailOptions{};
  settings.smtp->url = "ftp://mail.example.com";
  settings.smtp->from = "oncall@example.com";
  auto channel = FindChannelType("email")->make(settings);
  ASSERT_FALSE(channel.ok());
  EXPECT_TRUE(channel.error().message.starts_with("notify.smtp: ")) << channel.error().message;
  settings.smtp->url = "smtps://mail.example.com";
  auto usable = FindChannelType("email")->make(settings);
  ASSERT_TRUE(usable.ok()) << usable.error().message;
  EXPECT_NE(*usable, nullptr);
}

}  // namespace
}  // namespace loom
