#include "config/contact_method_input.h"

#include <gtest/gtest.h>

#include "notify/channels.h"

namespace loom {
namespace {

ContactContext Context() {
  ContactContext context;
  context.env = [](const std::string& name) -> const char* {
    if (name == "HOOK_URL") return "https://hooks.example.com/secret";
    if (name == "HOOK_SECRET") return "whsec_c2VjcmV0";
    return nullptr;
  };
  context.smtp = true;
  return context;
}

std::vector<ContactKeyProblem> Resolve(const std::string& type,
                                       const std::map<std::string, std::string>& keys,
                                       ContactMethod* out) {
  return ResolveContactKeys(type, keys, Context(), out);
}

TEST(ContactMethodInputTest, WebhookWithUrlAndSecretFromTheEnvironment) {
  ContactMethod m;
  ASSERT_TRUE(
      Resolve("webhook", {{"url_env", "HOOK_URL"}, {"secret_env", "HOOK_SECRET"}}, &m).empty());
  EXPECT_EQ(m.address, "https://hooks.example.com/secret");
  EXPECT_TRUE(m.address_is_secret);
  EXPECT_EQ(m.secrets, std::vector<std::string>{"whsec_c2VjcmV0"});
}

TEST(ContactMethodInputTest, EachKindOfAddressIsChecked) {
  ContactMethod m;
  EXPECT_TRUE(Resolve("email", {{"address", "alice@example.com"}}, &m).empty());
  EXPECT_EQ(Resolve("email", {{"address", "not-mail"}}, &m)[0].key, "address");
  EXPECT_EQ(Resolve("email", {{"url", "https://x"}}, &m)[0].key, "url");
  EXPECT_EQ(Resolve("webhook", {{"url", "ftp://x"}}, &m)[0].key, "url");
  EXPECT_EQ(Resolve("webhook", {{"url_env", "UNSET_VAR"}}, &m)[0].message,
            "environment variable UNSET_VAR is not set");
  EXPECT_EQ(Resolve("slack", {{"url", "https://h"}, {"secret_env", "HOOK_SECRET"}}, &m)[0].key,
            "secret_env");
  EXPECT_EQ(Resolve("carrier-pigeon", {}, &m)[0].key, "type");
}

TEST(ContactMethodInputTest, ProvidersAndOwnKeysFollowTheChannelTable) {
  ContactMethod m;
  // sms needs notify.providers.twilio.
  std::vector<ContactKeyProblem> sms = Resolve("sms", {{"number", "+15551234567"}}, &m);
  ASSERT_EQ(sms.size(), 1u);
  EXPECT_EQ(sms[0].key, "type");
  ContactContext twilio = Context();
  twilio.providers = {"twilio", "twilio.from"};
  EXPECT_TRUE(ResolveContactKeys("sms", {{"number", "+15551234567"}}, twilio, &m).empty());
  EXPECT_EQ(ResolveContactKeys("sms", {{"number", "555"}}, twilio, &m)[0].key, "number");
  // ntfy is written with its own keys.
  EXPECT_TRUE(Resolve("ntfy", {{"topic", "alice-pages"}}, &m).empty());
  EXPECT_EQ(Resolve("ntfy", {}, &m)[0].key, "topic");
}

// The keys of each way of writing an address, in the order forms show them.
TEST(ContactMethodInputTest, ContactKeysOfFollowTheChannelTable) {
  auto names = [](std::string_view type) {
    std::vector<std::string> out;
    for (const ContactKey& key : ContactKeysOf(*FindChannelType(type))) {
      out.emplace_back(std::string(key.name) + (key.required ? "!" : "") +
                       (key.from_env ? "$" : ""));
    }
    return out;
  };
  EXPECT_EQ(names("email"), (std::vector<std::string>{"address!"}));
  EXPECT_EQ(names("sms"), (std::vector<std::string>{"number!"}));
  EXPECT_EQ(names("slack"), (std::vector<std::string>{"url", "url_env$"}));
  EXPECT_EQ(names("webhook"), (std::vector<std::string>{"url", "url_env$", "secret_env$"}));
  EXPECT_EQ(names("ntfy"), (std::vector<std::string>{"topic!", "server", "token_env$"}));
}

// A key given as "" counts as absent; a key of another type is named with the type's keys.
TEST(ContactMethodInputTest, EmptyKeysAreAbsentAndForeignKeysNamed) {
  ContactMethod m;
  std::vector<ContactKeyProblem> p = Resolve(
      "webhook", {{"url", "https://h.example.com"}, {"url_env", ""}, {"secret_env", ""}}, &m);
  EXPECT_TRUE(p.empty());
  EXPECT_TRUE(m.secrets.empty());
  p = Resolve("email", {{"address", ""}}, &m);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].message, "is required for type email");
  ContactContext twilio = Context();
  twilio.providers = {"twilio"};
  p = ResolveContactKeys("sms", {{"topic", "t"}, {"number", "+15551234567"}}, twilio, &m);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].key, "topic");
  EXPECT_EQ(p[0].message, "does not apply to type sms (use number)");
}

// Incident channels take the URL keys without a provider or relay check.
TEST(ContactMethodInputTest, DestinationKeysSkipTheProviderCheck) {
  ContactMethod m;
  ContactContext none;  // no variables, no relay, no providers
  EXPECT_TRUE(ResolveDestinationKeys(*FindChannelType("slack"), {{"url", "https://h.example.com"}},
                                     none, &m)
                  .empty());
  EXPECT_EQ(m.type, "slack");
  EXPECT_EQ(m.address, "https://h.example.com");
  EXPECT_EQ(ResolveContactKeys("email", {{"address", "a@example.com"}}, none, &m)[0].key, "type");
}

TEST(ContactMethodInputTest, OnlyVerifiedMethodsJoinTheRoster) {
  User alice;
  alice.id = "alice";
  ContactMethod mail;
  mail.id = "mail";
  mail.type = "email";
  mail.address = "a@example.com";
  alice.contact_methods.push_back(mail);
  auto base = std::make_shared<const OnCallSnapshot>(OnCallResolver({}, {}),
                                                     std::map<std::string, User>{{"alice", alice}},
                                                     std::map<std::string, BusinessCalendar>{});
  StoredContactMethod verified{"alice", "hook", "webhook", {{"url", "https://h.example.com"}},
                               true,    {},     {}};
  StoredContactMethod pending{"alice", "other", "webhook", {{"url", "https://o.example.com"}},
                              false,   {},      {}};
  StoredContactMethod stranger{"bob", "hook", "webhook", {{"url", "https://b.example.com"}},
                               true,  {},     {}};
  StoredContactMethod broken{"alice", "gone", "webhook", {{"url_env", "UNSET_VAR"}}, true, {}, {}};
  StoredNotificationRules rules{"alice", {{"hook", {}}}, {}};
  std::vector<std::string> skipped;
  auto merged =
      WithStoredContacts(base, {verified, pending, stranger, broken}, {rules}, Context(), &skipped);
  const User* user = merged->FindUser("alice");
  ASSERT_NE(user, nullptr);
  ASSERT_EQ(user->contact_methods.size(), 2u);
  EXPECT_EQ(user->contact_methods[1].id, "hook");
  EXPECT_EQ(user->contact_methods[1].address, "https://h.example.com");
  ASSERT_EQ(user->high_rules.size(), 1u);
  EXPECT_EQ(user->high_rules[0].method, "hook");
  EXPECT_EQ(merged->FindUser("bob"), nullptr);
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_NE(skipped[0].find("gone"), std::string::npos);
  EXPECT_EQ(base->FindUser("alice")->contact_methods.size(), 1u);  // the base is unchanged
}

TEST(ContactMethodInputTest, MergingKeepsTheTeamsOfTheSnapshot) {
  auto base = std::make_shared<OnCallSnapshot>(OnCallResolver({}, {}),
                                               std::map<std::string, User>{{"alice", User{}}},
                                               std::map<std::string, BusinessCalendar>{});
  Team web;
  web.id = "web";
  web.members = {{"alice", Role::kAdmin}};
  base->teams = TeamDirectory({web}, {}, {});
  auto merged = WithStoredContacts(base, {}, {}, Context());
  EXPECT_EQ(merged->teams.RolesOf("alice").at("web"), Role::kAdmin);
}

}  // namespace
}  // namespace loom
