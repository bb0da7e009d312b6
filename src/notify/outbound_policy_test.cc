#include "notify/outbound_policy.h"

#include <gtest/gtest.h>

namespace loom {
namespace {

IpAddress Ip(const char* text) {
  auto ip = IpAddress::Parse(text);
  EXPECT_TRUE(ip.has_value()) << text;
  return ip.value_or(IpAddress{});
}

OutboundPolicy Policy(std::vector<std::string> allow) {
  auto policy = OutboundPolicy::Create(allow);
  EXPECT_TRUE(policy.ok());
  return policy.ok() ? *policy : OutboundPolicy();
}

TEST(IpAddressTest, InternalRangesIncludingMappedForms) {
  for (const char* internal : {"127.0.0.1",
                               "127.255.0.9",
                               "10.1.2.3",
                               "172.16.0.1",
                               "172.31.255.255",
                               "192.168.1.1",
                               "169.254.169.254",
                               "100.64.0.1",
                               "100.127.255.255",
                               "0.0.0.0",
                               "224.0.0.1",
                               "255.255.255.255",
                               "::",
                               "::1",
                               "fe80::1",
                               "fe80::1%eth0",
                               "fc00::1",
                               "fd12:3456::1",
                               "ff02::1",
                               "::ffff:127.0.0.1",
                               "::ffff:10.0.0.1",
                               "::ffff:169.254.169.254",
                               "64:ff9b::a00:1",
                               "[::1]"}) {
    EXPECT_TRUE(IsInternalAddress(Ip(internal))) << internal;
  }
  for (const char* external : {"8.8.8.8", "172.32.0.1", "100.128.0.1", "192.169.0.1",
                               "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::808:808"}) {
    EXPECT_FALSE(IsInternalAddress(Ip(external))) << external;
  }
}

TEST(IpAddressTest, Loopback) {
  EXPECT_TRUE(IsLoopbackAddress(Ip("127.0.0.2")));
  EXPECT_TRUE(IsLoopbackAddress(Ip("::1")));
  EXPECT_TRUE(IsLoopbackAddress(Ip("::ffff:127.0.0.1")));
  EXPECT_FALSE(IsLoopbackAddress(Ip("10.0.0.1")));
  EXPECT_FALSE(IsLoopbackAddress(Ip("::2")));
}

TEST(IpAddressTest, MappedAddressIsJudgedAsItsIpv4Host) {
  IpAddress mapped = Ip("::ffff:10.0.0.1");
  EXPECT_FALSE(mapped.v6);
  EXPECT_EQ(mapped.ToString(), "10.0.0.1");
  EXPECT_FALSE(IpAddress::Parse("example.com").has_value());
  EXPECT_FALSE(IpAddress::Parse("10.0.0.256").has_value());
}

TEST(OutboundPolicyTest, EmptyPolicyRefusesInternalAndAllowsPublic) {
  OutboundPolicy policy;
  EXPECT_FALSE(policy.AllowsConnection("127.0.0.1", Ip("127.0.0.1")));
  EXPECT_FALSE(policy.AllowsConnection("example.com", Ip("10.0.0.1")));  // DNS rebinding
  EXPECT_FALSE(policy.AllowsConnection("example.com", Ip("::ffff:192.168.0.1")));
  EXPECT_TRUE(policy.AllowsConnection("example.com", Ip("93.184.216.34")));
  EXPECT_TRUE(policy.AllowsConnection("example.com", Ip("2606:2800:220:1::1")));
}

TEST(OutboundPolicyTest, AllowedNamesAddressesAndRanges) {
  OutboundPolicy policy =
      Policy({"Hooks.Internal.", "127.0.0.1", "10.0.0.0/8", "fd00::/8", "::ffff:192.168.7.0/120"});
  EXPECT_TRUE(policy.AllowsConnection("hooks.internal", Ip("172.16.0.9")));  // the name counts
  EXPECT_TRUE(policy.AllowsConnection("HOOKS.internal.", Ip("172.16.0.9")));
  EXPECT_FALSE(policy.AllowsConnection("other.internal", Ip("172.16.0.9")));
  EXPECT_TRUE(policy.AllowsConnection("localhost", Ip("127.0.0.1")));  // the address counts
  EXPECT_FALSE(policy.AllowsConnection("localhost", Ip("127.0.0.2")));
  EXPECT_TRUE(policy.AllowsConnection("x", Ip("10.200.3.4")));
  EXPECT_TRUE(policy.AllowsConnection("x", Ip("::ffff:10.200.3.4")));
  EXPECT_TRUE(policy.AllowsConnection("x", Ip("11.0.0.0")));  // public anyway
  EXPECT_TRUE(policy.AllowsConnection("x", Ip("fd99::1")));
  EXPECT_FALSE(policy.AllowsConnection("x", Ip("fc00::1")));
  EXPECT_TRUE(policy.AllowsConnection("x", Ip("192.168.7.9")));
  EXPECT_FALSE(policy.AllowsConnection("x", Ip("192.168.8.9")));
}

TEST(OutboundPolicyTest, MalformedEntriesAreReported) {
  for (const char* bad : {"", "10.0.0.0/33", "fd00::/129", "10.0.0.0/x", "example.com/8",
                          "https://hooks.example.com", "bad host"}) {
    auto policy = OutboundPolicy::Create({bad});
    ASSERT_FALSE(policy.ok()) << bad;
    EXPECT_NE(policy.error().message.find("allow_hosts"), std::string::npos);
  }
}

TEST(OutboundPolicyTest, CheckUrl) {
  OutboundPolicy policy = Policy({"10.0.0.0/8", "relay.local"});
  EXPECT_TRUE(policy.CheckUrl("https://hooks.slack.com/services/T/B/secret").ok());
  EXPECT_TRUE(policy.CheckUrl("http://10.1.1.1:8080/hook").ok());
  EXPECT_TRUE(policy.CheckUrl("http://relay.local/hook").ok());
  EXPECT_FALSE(policy.CheckUrl("ftp://example.com/x").ok());
  EXPECT_FALSE(policy.CheckUrl("file:///etc/passwd").ok());
  EXPECT_FALSE(policy.CheckUrl("example.com/hook").ok());
  EXPECT_FALSE(policy.CheckUrl("http://localhost:8080/").ok());
  EXPECT_FALSE(policy.CheckUrl("http://[::1]/").ok());
  EXPECT_FALSE(policy.CheckUrl("http://[::ffff:127.0.0.1]/").ok());
  Status refused = policy.CheckUrl("http://192.168.1.1/secret-path?token=abc");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "destination not allowed: 192.168.1.1");
}

TEST(OutboundPolicyTest, LocalhostNameFollowsTheLoopbackAddress) {
  EXPECT_TRUE(Policy({"127.0.0.1"}).CheckUrl("http://localhost:9000/").ok());
  EXPECT_TRUE(Policy({"::1"}).CheckUrl("http://app.localhost/").ok());
  EXPECT_TRUE(Policy({"localhost"}).CheckUrl("http://localhost/").ok());
  EXPECT_FALSE(Policy({"10.0.0.0/8"}).CheckUrl("http://LOCALHOST./").ok());
}

TEST(OutboundPolicyTest, UrlOriginNeverShowsPathOrQuery) {
  EXPECT_EQ(UrlOrigin("https://hooks.slack.com/services/T0/B0/XYZ?x=1"),
            "https://hooks.slack.com:443");
  EXPECT_EQ(UrlOrigin("http://user:pw@10.0.0.1:8080/p"), "http://10.0.0.1:8080");
  EXPECT_EQ(UrlOrigin("smtp://mail.example.com"), "smtp://mail.example.com:25");
  EXPECT_EQ(UrlOrigin("not a url"), "(invalid URL)");
  EXPECT_EQ(UrlHost("http://[fd00::1]:80/"), "fd00::1");
}

}  // namespace
}  // namespace loom
