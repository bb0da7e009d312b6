#include "notify/chat_webhook.h"

#include <gtest/gtest.h>

#include "notify/notice_text.h"
#include "notify/test_notices.h"

namespace loom {
namespace {

TEST(ChatWebhookTest, WithoutUrlSecretsHidesLongPathSegmentsAndQueryValues) {
  const std::string url =
      "https://prod.example.com:443/workflows/0123456789abcdef/triggers/manual?api-version=1&"
      "sig=SIGNATURE_VALUE";
  EXPECT_EQ(WithoutUrlSecrets("workflow 0123456789abcdef: bad sig SIGNATURE_VALUE", url),
            "workflow \u2026: bad sig \u2026");
  // Short parts ("manual" is 6 bytes) and the host stay: they are no secret.
  EXPECT_EQ(WithoutUrlSecrets("manual trigger at prod.example.com", url),
            "manual trigger at prod.example.com");
  EXPECT_EQ(
      WithoutUrlSecrets("hook xyz12345abc unknown", "https://mm.example.com/hooks/xyz12345abc"),
      "hook \u2026 unknown");
}

TEST(ChatWebhookTest, EscapeMarkdownEscapesEveryMarkupCharacter) {
  EXPECT_EQ(EscapeMarkdown("a [b](c) *d* _e_ `f` #g ~h~ |i| !j <k> \\"),
            "a \\[b\\]\\(c\\) \\*d\\* \\_e\\_ \\`f\\` \\#g \\~h\\~ \\|i\\| \\!j \\<k\\> \\\\");
  EXPECT_EQ(EscapeMarkdown("plain text, 100%."), "plain text, 100%.");
}

TEST(ChatWebhookTest, ClassifyChatAnswerKeepsTheServicesMessage) {
  HttpResponse r;
  r.transport = HttpResponse::Transport::kCompleted;
  r.status = 200;
  EXPECT_EQ(ClassifyChatAnswer(r, /*accepted=*/false, false, "weird").error,
            "unexpected answer: weird");
  r.status = 403;
  EXPECT_EQ(ClassifyChatAnswer(r, false, /*gone=*/true, "").outcome, SendResult::Outcome::kGone);
  EXPECT_EQ(ClassifyChatAnswer(r, false, false, "").error, "HTTP 403");
}

TEST(NoticeTextTest, NoticeFooterNamesTheRecipientOnlyForPeople) {
  Notice notice = testing::SampleNotice();
  EXPECT_EQ(NoticeFooter(notice), "loom-oncall \u00b7 page \u00b7 for Alice (primary)");
  notice.recipient_name.clear();
  notice.type = "incident.acknowledged";
  EXPECT_EQ(NoticeFooter(notice), "loom-oncall \u00b7 incident.acknowledged");
}

}  // namespace
}  // namespace loom
