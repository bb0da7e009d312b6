// The Api without sockets on the real store (api_test_support.h): one-click links
// (GET/POST /a/{token}).
#include <gtest/gtest.h>

#include <map>

#include "http/api_test_support.h"

namespace loom::http {
namespace {

using namespace api_testing;  // NOLINT(google-build-using-namespace)
using nlohmann::json;

// ---- one-click links (GET/POST /a/{token}) ----

constexpr char kLinkKey[] = "0123456789abcdef0123456789abcdef-link-key";

// On the real store: INC-1, a sev1 of service loom with a title to escape, triggered.
class LinkApiTest : public StoreApiTest {
 protected:
  LinkApiTest() : signer_(kLinkKey, "https://oncall.example.com", std::chrono::hours(24)) {}

  void SetUp() override {
    StoreApiTest::SetUp();
    ASSERT_EQ(Trigger("disk-full", Severity::kSev1, IncidentKind::kAvailability,
                      "Disk <full> & \"slow\""),
              1);
  }
  std::shared_ptr<const LinkSigner> Links() const override {
    return std::make_shared<const LinkSigner>(kLinkKey, "https://oncall.example.com",
                                              std::chrono::hours(24));
  }

  std::string Link(const char* action, int64_t number = 1, const char* recipient = "alice") {
    ActionClaims c;
    c.action = action;
    c.incident_number = number;
    c.recipient = recipient;
    c.via = "email";
    c.expires_at = clock_.Now() + std::chrono::hours(1);
    c.nonce = "nonce-1";
    return "/a/" + signer_.Sign(c);
  }

  static void ExpectPageHeaders(const Response& r) {
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    std::map<std::string, std::string> h(r.headers.begin(), r.headers.end());
    EXPECT_EQ(h["Cache-Control"], "no-store");
    EXPECT_EQ(h["Referrer-Policy"], "no-referrer");
    EXPECT_EQ(h["X-Robots-Tag"], "noindex");
    EXPECT_EQ(h["Content-Security-Policy"],
              "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
              "frame-ancestors 'none'");
  }
  static bool Contains(const Response& r, std::string_view text) {
    return r.body.find(text) != std::string::npos;
  }

  LinkSigner signer_;
};

TEST_F(LinkApiTest, GetOfAnAckLinkShowsAConfirmationAndChangesNothing) {
  auto r = Call(Method::kGet, Link("ack"));
  ASSERT_EQ(r->sends, 1);
  const Response& page = *r->response;
  EXPECT_EQ(page.status, 200);
  ExpectPageHeaders(page);
  EXPECT_TRUE(Contains(page, "Acknowledge INC-1 as alice")) << page.body;
  EXPECT_TRUE(Contains(page, "<form method=\"post\">"));
  EXPECT_TRUE(Contains(page, "Disk &lt;full&gt; &amp; &quot;slow&quot;")) << page.body;
  EXPECT_FALSE(Contains(page, "<full>"));
  EXPECT_TRUE(Contains(page, "sev1"));
  EXPECT_TRUE(Contains(page, "triggered"));
  EXPECT_FALSE(Contains(page, "<script"));
  EXPECT_TRUE(writes_->commands.empty());
}

TEST_F(LinkApiTest, GetOfAnAckLinkOnAnAcknowledgedIncidentOffersNothing) {
  ASSERT_TRUE(Act(1, IncidentCommand::Type::kAcknowledge).ok());
  auto r = Call(Method::kGet, Link("ack"));
  EXPECT_EQ(r->response->status, 200);
  EXPECT_TRUE(Contains(*r->response, "INC-1 is acknowledged"));
  EXPECT_FALSE(Contains(*r->response, "<form"));
}

TEST_F(LinkApiTest, GetOfAViewLinkShowsTheIncidentAndTimeline) {
  auto r = Call(Method::kGet, Link("view"));
  const Response& page = *r->response;
  EXPECT_EQ(page.status, 200);
  ExpectPageHeaders(page);
  EXPECT_TRUE(Contains(page, "INC-1: Disk &lt;full&gt;"));
  EXPECT_TRUE(Contains(page, "incident.triggered"));
  EXPECT_TRUE(Contains(page, "integration:loom"));
  EXPECT_FALSE(Contains(page, "<form"));
  EXPECT_TRUE(writes_->commands.empty());
}

TEST_F(LinkApiTest, PostAcknowledgesAsTheRecipientThroughTheChannel) {
  auto r = Call(Method::kPost, Link("ack"));
  ASSERT_EQ(r->sends, 1);
  EXPECT_EQ(r->response->status, 200);
  ExpectPageHeaders(*r->response);
  EXPECT_TRUE(Contains(*r->response, "INC-1 acknowledged by alice via email"));
  ASSERT_EQ(writes_->commands.size(), 1u);
  const IncidentCommand& c = writes_->commands[0];
  EXPECT_EQ(c.type, IncidentCommand::Type::kAcknowledge);
  EXPECT_EQ(c.incident_number, 1);
  EXPECT_EQ(c.actor, "user:alice");
  EXPECT_EQ(c.via, "email");
  EXPECT_EQ(c.link_nonce, "nonce-1");
  Result<std::optional<IncidentDetail>> detail = store_->GetIncident(1);
  ASSERT_TRUE(detail.ok() && detail->has_value());
  EXPECT_EQ((*detail)->incident.state, IncidentState::kAcknowledged);
}

TEST_F(LinkApiTest, ReusedLinkIs409) {
  writes_->execute_error = Error::Conflict(kLinkAlreadyUsed);
  auto r = Call(Method::kPost, Link("ack"));
  EXPECT_EQ(r->response->status, 409);
  EXPECT_TRUE(Contains(*r->response, "This link was already used"));
}

TEST_F(LinkApiTest, StateConflictSaysTheState) {
  writes_->execute_error =
      Error::Conflict("INC-1 is resolved; only a triggered incident can be acknowledged");
  auto r = Call(Method::kPost, Link("ack"));
  EXPECT_EQ(r->response->status, 409);
  EXPECT_TRUE(Contains(*r->response, "INC-1 was not acknowledged"));
  EXPECT_TRUE(Contains(*r->response, "INC-1 is resolved"));
}

TEST_F(LinkApiTest, ExpiredLinkIs410AndChangesNothing) {
  const std::string link = Link("ack");
  clock_.Advance(std::chrono::hours(2));
  for (Method m : {Method::kGet, Method::kPost}) {
    auto r = Call(m, link);
    EXPECT_EQ(r->response->status, 410);
    ExpectPageHeaders(*r->response);
    EXPECT_TRUE(Contains(*r->response, "This link has expired"));
  }
  EXPECT_TRUE(writes_->commands.empty());
}

TEST_F(LinkApiTest, ForgedOrMalformedLinkIs404) {
  LinkSigner other("fedcba9876543210fedcba9876543210-other", "https://x", std::chrono::hours(1));
  ActionClaims c;
  c.action = "ack";
  c.incident_number = 1;
  c.recipient = "alice";
  c.expires_at = clock_.Now() + std::chrono::hours(1);
  c.nonce = "n";
  for (const std::string& target :
       {"/a/" + other.Sign(c), std::string("/a/garbage"), Link("ack") + "x"}) {
    for (Method m : {Method::kGet, Method::kPost}) {
      auto r = Call(m, target);
      EXPECT_EQ(r->response->status, 404) << target;
      EXPECT_TRUE(Contains(*r->response, "This link is not valid"));
    }
  }
  EXPECT_TRUE(writes_->commands.empty());
}

TEST_F(LinkApiTest, ViewLinkCannotAcknowledge) {
  auto r = Call(Method::kPost, Link("view"));
  EXPECT_EQ(r->response->status, 405);
  EXPECT_EQ(r->response->allow, "GET");
  EXPECT_TRUE(writes_->commands.empty());
}

TEST_F(LinkApiTest, UnknownIncidentIs404) {
  auto r = Call(Method::kGet, Link("view", 99));
  EXPECT_EQ(r->response->status, 404);
  EXPECT_TRUE(Contains(*r->response, "INC-99 does not exist"));
}

TEST_F(LinkApiTest, RecipientIsEscaped) {
  auto r = Call(Method::kGet, Link("ack", 1, "<b>mallory</b>"));
  EXPECT_TRUE(Contains(*r->response, "as &lt;b&gt;mallory&lt;/b&gt;"));
  EXPECT_FALSE(Contains(*r->response, "<b>mallory"));
}

class LinksWithoutASignerTest : public StoreApiTest {};

TEST_F(LinksWithoutASignerTest, AreNotFound) {
  auto r = Call(Method::kGet, "/a/anything.at-all");
  EXPECT_EQ(r->response->status, 404);
  r = Call(Method::kPost, "/a/anything.at-all");
  EXPECT_EQ(r->response->status, 404);
  EXPECT_TRUE(writes_->commands.empty());
}

}  // namespace
}  // namespace loom::http
