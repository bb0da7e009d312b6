// The Api without sockets on the real store (api_test_support.h): POST
// /v1/providers/mattermost/action, the Mattermost button callback.
#include <gtest/gtest.h>

#include "config/config.h"
#include "http/api_test_support.h"

namespace loom::http {
namespace {

using namespace api_testing;  // NOLINT(google-build-using-namespace)
using nlohmann::json;

constexpr char kPath[] = "/v1/providers/mattermost/action";
constexpr char kSecret[] = "0f0e0d0c0b0a09080706050403020100ffeeddccbbaa99887766554433221100";

OnCallDeps ChatUsers() {
  auto config = ParseConfig(R"(users:
  - { id: alice, name: Alice Example, email: alice@example.com }
  - { id: bob, name: Bob Example, email: robert@example.com }
)",
                            "users.yaml", nullptr);
  EXPECT_TRUE(config.ok()) << config.error().message;
  OnCallDeps deps;
  deps.roster = std::make_shared<Roster>(BuildOnCallSnapshot(*config, {}).value());
  return deps;
}

constexpr char kChannelSecret[] =
    "1f0e0d0c0b0a09080706050403020100ffeeddccbbaa99887766554433221100";

// On the real store: INC-1 open, a button of it kept for alice under kSecret.
class MattermostApiTest : public StoreApiTest {
 protected:
  void SetUp() override {
    StoreApiTest::SetUp();
    ASSERT_EQ(Trigger("disk-full", Severity::kSev2), 1);
    Keep("alice", kSecret);
  }
  OnCallDeps OnCall() const override { return ChatUsers(); }

  // Keeps a button of INC-1 sent to `recipient` by `channel`, valid for an hour.
  void Keep(const std::string& recipient, const std::string& secret,
            const std::string& channel = "mattermost") {
    MessageAction a;
    a.secret_hash = Sha256Hex(secret);
    a.channel = channel;
    a.incident_number = 1;
    a.recipient = recipient;
    a.created_at = clock_.Now();
    a.expires_at = clock_.Now() + std::chrono::hours(1);
    Result<int64_t> kept =
        AwaitWrite<int64_t>([&](auto done) { store_->SaveMessageActions({a}, done); });
    ASSERT_TRUE(kept.ok()) << kept.error().message;
  }

  std::shared_ptr<RecordingReply> Press(const std::string& secret,
                                        const std::string& user_name = "someone") {
    body_ = json{{"user_id", "u1"},
                 {"user_name", user_name},
                 {"channel_id", "c1"},
                 {"post_id", "p1"},
                 {"context",
                  {{"action", "acknowledge"},
                   {"secret", secret},
                   {"incident", "INC-1"},
                   {"open_url", "https://oncall.example.com/a/view"}}}}
                .dump();
    return Call(Method::kPost, kPath, body_);
  }

  std::string body_;
};

TEST_F(MattermostApiTest, AKeptSecretAcknowledgesAsTheRecipientAndEditsThePost) {
  auto r = Press(kSecret);
  ASSERT_EQ(r->sends, 1);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  ASSERT_EQ(writes_->commands.size(), 1u);
  const IncidentCommand& c = writes_->commands[0];
  EXPECT_EQ(c.type, IncidentCommand::Type::kAcknowledge);
  EXPECT_EQ(c.incident_number, 1);
  EXPECT_EQ(c.actor, "user:alice");
  EXPECT_EQ(c.via, "mattermost");
  EXPECT_EQ(c.link_nonce, "mattermost:" + Sha256Hex(kSecret));
  json answer = Body(*r);
  EXPECT_EQ(answer["ephemeral_text"], "You acknowledged INC-1.");
  EXPECT_EQ(answer["update"]["message"], "**INC-1 acknowledged by Alice Example**");
  json attachment = answer["update"]["props"]["attachments"][0];
  EXPECT_EQ(attachment["title_link"], "https://oncall.example.com/a/view");
  EXPECT_FALSE(attachment.contains("actions"));
}

TEST_F(MattermostApiTest, AnUnknownOrMissingSecretIs403AndDoesNothing) {
  for (const std::string& secret : {std::string("forged"), std::string()}) {
    auto r = Press(secret);
    EXPECT_EQ(r->response->status, 403) << secret;
    EXPECT_EQ(r->response->content_type, "application/problem+json");
  }
  // A kept secret of another channel is no Mattermost button.
  Keep("alice", kChannelSecret, "telegram");
  EXPECT_EQ(Press(kChannelSecret)->response->status, 403);
  EXPECT_EQ(Call(Method::kPost, kPath, "not json")->response->status, 400);
  EXPECT_TRUE(writes_->commands.empty());
}

TEST_F(MattermostApiTest, ReplayedExpiredOrStaleButtonsSaySoAndChangeNothing) {
  writes_->execute_error = Error::Conflict(kLinkAlreadyUsed);
  auto r = Press(kSecret);
  EXPECT_EQ(r->response->status, 200);
  EXPECT_EQ(Body(*r),
            json({{"ephemeral_text", "This button was already used: nothing was done."}}));
  writes_->execute_error = Error::Conflict("INC-1 is resolved");
  EXPECT_EQ(Body(*Press(kSecret))["ephemeral_text"], "INC-1 is resolved: nothing was done.");
  writes_->execute_error.reset();
  const size_t commands = writes_->commands.size();
  clock_.Advance(std::chrono::hours(2));
  r = Press(kSecret);
  EXPECT_EQ(r->response->status, 200);
  EXPECT_NE(Body(*r)["ephemeral_text"].get<std::string>().find("expired"), std::string::npos);
  EXPECT_EQ(writes_->commands.size(), commands);
}

TEST_F(MattermostApiTest, AnIncidentChannelsButtonActsAsTheMatchingUserOnly) {
  Keep("channel:loom/ops", kChannelSecret);
  auto r = Press(kChannelSecret, "robert");
  ASSERT_EQ(r->response->status, 200);
  ASSERT_EQ(writes_->commands.size(), 1u);
  EXPECT_EQ(writes_->commands[0].actor, "user:bob");
  EXPECT_EQ(Body(*r)["update"]["message"], "**INC-1 acknowledged by Bob Example**");

  r = Press(kChannelSecret, "mallory");
  EXPECT_EQ(r->response->status, 200);
  EXPECT_NE(
      Body(*r)["ephemeral_text"].get<std::string>().find("@mallory is not a loom-oncall user"),
      std::string::npos);
  EXPECT_EQ(writes_->commands.size(), 1u);
}

TEST_F(MattermostApiTest, AStoreThatCannotBeReadIs503) {
  api_.reset();
  store_.reset();  // the table the buttons are read from is gone
  ASSERT_TRUE(db_->Exec("DROP TABLE message_actions").ok());
  OpenStore();
  StartApi();
  auto r = Press(kSecret);
  EXPECT_EQ(r->response->status, 503);
  EXPECT_TRUE(writes_->commands.empty());
  EXPECT_EQ(r->response->body.find(kSecret), std::string::npos);
}

}  // namespace
}  // namespace loom::http
