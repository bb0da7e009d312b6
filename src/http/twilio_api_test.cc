// Twilio's callbacks (twilio_handlers.cc) on the real store: the signature gate, and the
// commands a signed key press starts (INC-1 and INC-2 are open). End to end with real SMS replies:
// tests/integration/ test_twilio.py.
#include <gtest/gtest.h>

#include "http/api_test_support.h"
#include "notify/twilio/twilio_client.h"
#include "notify/twilio/twilio_signature.h"

namespace loom::http {
namespace {

using namespace api_testing;  // NOLINT(google-build-using-namespace)

constexpr char kPublicUrl[] = "https://oncall.example.com";
constexpr char kAuthToken[] = "twilio-auth-token";

ApiOptions TwilioOptions() {
  ApiOptions o;
  o.public_url = kPublicUrl;
  o.twilio_auth_token = kAuthToken;
  return o;
}

class TwilioApiTest : public StoreApiTest {
 protected:
  void SetUp() override {
    StoreApiTest::SetUp();
    ASSERT_EQ(Trigger("disk-full", Severity::kSev2), 1);
    ASSERT_EQ(Trigger("cpu-hot", Severity::kSev2), 2);
  }
  ApiOptions Options() const override { return TwilioOptions(); }

  // Posts `params` to `target` as Twilio does, with `signature` ("" = none).
  std::shared_ptr<RecordingReply> Post(Api& api, const std::string& target,
                                       const FormParams& params, const std::string& signature) {
    body_ = FormEncode(params);
    target_ = target;
    Request req;
    req.method = Method::kPost;
    req.target = target_;
    const size_t q = target_.find('?');
    req.path = std::string_view(target_).substr(0, q);
    if (q != std::string::npos) req.query = std::string_view(target_).substr(q + 1);
    req.body = body_;
    req.twilio_signature = signature;
    return Send(req, &api);
  }
  std::shared_ptr<RecordingReply> Signed(Api& api, const std::string& target,
                                         const FormParams& params) {
    return Post(api, target, params, TwilioSignature(kAuthToken, kPublicUrl + target, params));
  }

  std::string body_, target_;
};

const FormParams kKeyPress = {{"CallSid", "CA77"}, {"Digits", "1"}, {"AnsweredBy", "human"}};
constexpr char kVoiceTarget[] = "/v1/providers/twilio/voice?incidents=1,2&user=alice";

TEST_F(TwilioApiTest, WithoutTwilioConfiguredTheRoutesAreNotFound) {
  Api plain(*store_, clock_, Sha256Hex(kAdminToken), ApiOptions{});
  auto r = Signed(plain, kVoiceTarget, kKeyPress);
  ASSERT_TRUE(r->response);
  EXPECT_EQ(r->response->status, 404);
  EXPECT_TRUE(writes_->commands.empty());
}

TEST_F(TwilioApiTest, AMissingOrWrongSignatureIsForbiddenAndDoesNothing) {
  for (const std::string& signature :
       {std::string(), std::string("bm90IGEgc2lnbmF0dXJl"),
        TwilioSignature("another-token", std::string(kPublicUrl) + kVoiceTarget, kKeyPress),
        // Signed over the local address instead of server.public_url.
        TwilioSignature(kAuthToken, std::string("http://127.0.0.1:8080") + kVoiceTarget,
                        kKeyPress)}) {
    auto r = Post(*api_, kVoiceTarget, kKeyPress, signature);
    ASSERT_TRUE(r->response);
    EXPECT_EQ(r->response->status, 403) << signature;
  }
  // The query is signed too: another incident with the same signature is refused.
  auto r = Post(*api_, "/v1/providers/twilio/voice?incidents=3&user=alice", kKeyPress,
                TwilioSignature(kAuthToken, std::string(kPublicUrl) + kVoiceTarget, kKeyPress));
  EXPECT_EQ(r->response->status, 403);
  EXPECT_TRUE(writes_->commands.empty());
}

TEST_F(TwilioApiTest, ASignedKeyPressAcknowledgesEachIncidentOfTheCallOnce) {
  auto r = Signed(*api_, kVoiceTarget, kKeyPress);
  ASSERT_TRUE(r->response);
  EXPECT_EQ(r->response->status, 200);
  EXPECT_EQ(r->response->content_type, "text/xml");
  EXPECT_NE(r->response->body.find("Acknowledged incident 1. Acknowledged incident 2."),
            std::string::npos)
      << r->response->body;
  ASSERT_EQ(writes_->commands.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const IncidentCommand& c = writes_->commands[i];
    EXPECT_EQ(c.type, IncidentCommand::Type::kAcknowledge);
    EXPECT_EQ(c.incident_number, 1 + static_cast<int64_t>(i));
    EXPECT_EQ(c.actor, "user:alice");
    EXPECT_EQ(c.via, "voice");
    // The single-use id: the same call cannot act on the incident twice.
    EXPECT_EQ(c.link_nonce, "twilio:CA77:" + std::to_string(1 + i));
  }
  for (int64_t number : {1, 2}) {
    Result<std::optional<IncidentDetail>> detail = store_->GetIncident(number);
    ASSERT_TRUE(detail.ok() && detail->has_value());
    EXPECT_EQ((*detail)->incident.state, IncidentState::kAcknowledged) << number;
    EXPECT_EQ((*detail)->incident.commander, "user:alice") << number;
  }
}

TEST_F(TwilioApiTest, KeyTwoEscalatesAndAMachineActsOnNothing) {
  FormParams escalate = kKeyPress;
  escalate[1].second = "2";
  auto r = Signed(*api_, "/v1/providers/twilio/voice?incidents=1&user=alice", escalate);
  EXPECT_EQ(r->response->status, 200);
  ASSERT_EQ(writes_->commands.size(), 1u);
  EXPECT_EQ(writes_->commands[0].type, IncidentCommand::Type::kEscalate);

  FormParams other = kKeyPress;
  other[1].second = "7";
  r = Signed(*api_, kVoiceTarget, other);
  EXPECT_NE(r->response->body.find("<Gather numDigits=\"1\""), std::string::npos);
  EXPECT_EQ(writes_->commands.size(), 1u);

  FormParams machine = kKeyPress;
  machine[2].second = "machine_start";
  r = Signed(*api_, kVoiceTarget, machine);
  EXPECT_EQ(r->response->status, 200);
  EXPECT_NE(r->response->body.find("<Hangup/>"), std::string::npos);
  EXPECT_EQ(writes_->commands.size(), 1u);
}

}  // namespace
}  // namespace loom::http
