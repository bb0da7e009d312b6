#include "notify/email/email_channel.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include "common/time_format.h"
#include "notify/local_test_servers.h"
#include "notify/test_notices.h"
#include "testing/fake_clock.h"

namespace loom {
namespace {

using testing::SampleIncident;
using testing::SampleNotice;

std::string Header(const EmailMessage& m, std::string_view name) {
  for (const std::string& h : m.headers) {
    if (h.starts_with(std::string(name) + ": ")) return h.substr(name.size() + 2);
  }
  return "(missing)";
}

// Quoted-printable decoding, enough to read the test messages.
std::string DecodeQp(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '=' && i + 2 < in.size() && in[i + 1] == '\r' && in[i + 2] == '\n') {
      i += 2;
    } else if (in[i] == '=' && i + 2 < in.size() && std::isxdigit(in[i + 1]) &&
               std::isxdigit(in[i + 2])) {
      out += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

TEST(EmailHeadersTest, SubjectSingleAndBundled) {
  EXPECT_EQ(EmailSubject(SampleNotice()),
            "[loom-oncall] Sev1 page (primary, step 0): INC-12 Database down");
  Notice bundle = SampleNotice();
  for (int i = 13; i < 49; ++i) bundle.incidents.push_back(SampleIncident(i, "x"));
  EXPECT_EQ(EmailSubject(bundle), "[loom-oncall] 37 incidents need you (bundled)");
}

TEST(EmailHeadersTest, EncodedWordsForNonAscii) {
  EXPECT_EQ(EncodeHeaderText("plain subject"), "plain subject");
  EXPECT_EQ(EncodeHeaderText("Caf\u00e9 down"), "=?UTF-8?B?Q2Fmw6kgZG93bg==?=");
  EXPECT_EQ(EncodeHeaderText("line\r\nbreak"), "line  break");
  EXPECT_EQ(EncodeHeaderText("=?odd"), "=?UTF-8?B?PT9vZGQ=?=");
  // A long subject becomes several encoded words, each within 75 characters, none splitting
  // a character (every chunk decodes to valid UTF-8 on its own).
  std::string long_text;
  for (int i = 0; i < 40; ++i) long_text += "\u00e9\u00e8";
  std::string encoded = EncodeHeaderText(long_text);
  size_t start = 0;
  int words = 0;
  while (start < encoded.size()) {
    size_t end = encoded.find("\r\n ", start);
    std::string word = encoded.substr(start, end == std::string::npos ? end : end - start);
    EXPECT_LE(word.size(), 75u);
    EXPECT_TRUE(word.starts_with("=?UTF-8?B?") && word.ends_with("?="));
    ++words;
    start = end == std::string::npos ? encoded.size() : end + 3;
  }
  EXPECT_EQ(words, 4);  // 160 bytes in chunks of at most 45 (44 when a character would split)
}

TEST(EmailHeadersTest, DateAndMessageId) {
  EXPECT_EQ(FormatRfc5322Date(ParseRfc3339("2026-11-02T09:05:07.900Z").value()),
            "Mon, 02 Nov 2026 09:05:07 +0000");
  EXPECT_EQ(MessageIdLocalPart("ntf-42"), "ntf-42");
  EXPECT_EQ(MessageIdLocalPart("a b<c>@d"), "a-b-c--d");
  EXPECT_EQ(MessageIdLocalPart(".a..b."), "-a.-b");
  EXPECT_EQ(MessageIdLocalPart(""), "notice");
}

TEST(EmailHeadersTest, Mailboxes) {
  EXPECT_EQ(MailboxAddress("oncall@example.com").value(), "oncall@example.com");
  EXPECT_EQ(MailboxAddress("Loom <oncall@Example.com>").value(), "oncall@Example.com");
  for (const char* bad :
       {"", "no-at", "a@b@c", "a@b\r\nBcc: x@y", "a b@c", "<a@b", "a@b, c@d", "@b", "a@"}) {
    EXPECT_FALSE(MailboxAddress(bad).has_value()) << bad;
  }
}

TEST(EmailHeadersTest, SingleIncidentThreadsOnTheIncident) {
  EmailMessage m = RenderEmail(SampleNotice(), "Loom On-call <oncall@Example.COM>",
                               "alice@example.org", ParseRfc3339("2026-11-02T09:00:00Z").value());
  EXPECT_EQ(Header(m, "From"), "Loom On-call <oncall@Example.COM>");
  EXPECT_EQ(Header(m, "To"), "alice@example.org");
  EXPECT_EQ(Header(m, "Subject"),
            "[loom-oncall] Sev1 page (primary, step 0): INC-12 Database down");
  EXPECT_EQ(Header(m, "Date"), "Mon, 02 Nov 2026 09:00:00 +0000");
  EXPECT_EQ(Header(m, "Message-ID"), "<ntf-42@example.com>");
  EXPECT_EQ(Header(m, "In-Reply-To"), "<incident-12@example.com>");
  EXPECT_EQ(Header(m, "References"), "<incident-12@example.com>");
  EXPECT_EQ(Header(m, "X-Loom-Incident"), "INC-12");
  EXPECT_EQ(Header(m, "Auto-Submitted"), "auto-generated");
  EXPECT_NE(m.text.find("Acknowledge: https://oncall.example.com/a/ack12?x=1&y=2"),
            std::string::npos);
  EXPECT_NE(m.text.find("Open: https://oncall.example.com/a/open12"), std::string::npos);
  EXPECT_NE(
      m.html.find("<a href=\"https://oncall.example.com/a/ack12?x=1&amp;y=2\">Acknowledge</a>"),
      std::string::npos);
}

TEST(EmailHeadersTest, BundleReferencesEachIncident) {
  Notice notice = SampleNotice();
  notice.incidents.push_back(SampleIncident(13, "<script>"));
  notice.recipient_name = "Zo\u00eb";
  EmailMessage m = RenderEmail(notice, "oncall@example.com", "a@b.c",
                               ParseRfc3339("2026-11-02T09:00:00Z").value());
  EXPECT_EQ(Header(m, "In-Reply-To"), "(missing)");
  EXPECT_EQ(Header(m, "References"), "<incident-12@example.com>\r\n <incident-13@example.com>");
  EXPECT_EQ(Header(m, "X-Loom-Incident"), "INC-12,\r\n INC-13");
  EXPECT_NE(m.html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(m.html.find("<script>"), std::string::npos);
}

TEST(EmailHeadersTest, NonAsciiDisplayNameInFromIsEncoded) {
  EmailMessage m = RenderEmail(SampleNotice(), "B\u00e9reitschaft <oncall@example.com>", "a@b.c",
                               ParseRfc3339("2026-11-02T09:00:00Z").value());
  EXPECT_EQ(Header(m, "From"), "=?UTF-8?B?QsOpcmVpdHNjaGFmdA==?= <oncall@example.com>");
}

TEST(EmailClassifyTest, SmtpOutcomes) {
  using O = SendResult::Outcome;
  EXPECT_EQ(ClassifySmtpResult(CURLE_OK, 250).outcome, O::kDelivered);
  EXPECT_EQ(ClassifySmtpResult(CURLE_LOGIN_DENIED, 535).outcome, O::kRejected);
  EXPECT_EQ(ClassifySmtpResult(CURLE_SEND_ERROR, 550).outcome, O::kRejected);
  EXPECT_EQ(ClassifySmtpResult(CURLE_WEIRD_SERVER_REPLY, 554).outcome, O::kRejected);
  EXPECT_EQ(ClassifySmtpResult(CURLE_SEND_ERROR, 451).outcome, O::kRetry);
  EXPECT_EQ(ClassifySmtpResult(CURLE_COULDNT_CONNECT, 0).outcome, O::kRetry);
  EXPECT_EQ(ClassifySmtpResult(CURLE_OPERATION_TIMEDOUT, 0).outcome, O::kRetry);
  EXPECT_EQ(ClassifySmtpResult(CURLE_SEND_ERROR, 550).status, 550);
}

TEST(EmailOptionsTest, Check) {
  OutboundPolicy policy = OutboundPolicy::Create({"127.0.0.1"}).value();
  auto check = [&](const char* url, const char* from) {
    EmailOptions options;
    options.url = url;
    options.from = from;
    return CheckEmailOptions(options, policy).ok();
  };
  EXPECT_TRUE(check("smtp://127.0.0.1:25", "a@b.c"));
  EXPECT_TRUE(check("smtps://mail.example.com", "a@b.c"));
  EXPECT_FALSE(check("http://mail.example.com", "a@b.c"));
  EXPECT_FALSE(check("smtp://10.0.0.1", "a@b.c"));
  EXPECT_FALSE(check("smtp://127.0.0.1", "nobody"));

  EmailOptions login;
  login.url = "smtp://mail.example.com:587";
  login.from = "a@b.c";
  login.username = "loom";
  EXPECT_FALSE(CheckEmailOptions(login, policy).ok());  // password in the clear
  login.starttls = true;
  EXPECT_TRUE(CheckEmailOptions(login, policy).ok());
  login.starttls = false;
  login.url = "smtp://127.0.0.1:25";
  EXPECT_TRUE(CheckEmailOptions(login, policy).ok());  // a local relay
}

class EmailChannelTest : public ::testing::Test {
 protected:
  EmailChannel Channel(const std::string& url, OutboundPolicy policy) {
    EmailOptions options;
    options.url = url;
    options.from = "Loom <oncall@example.com>";
    options.timeout = std::chrono::seconds(5);
    return EmailChannel(options, std::move(policy), clock_);
  }
  OutboundPolicy Loopback() { return OutboundPolicy::Create({"127.0.0.1"}).value(); }
  testing::FakeClock clock_;
};

TEST_F(EmailChannelTest, SendsAMultipartMessageOverSmtp) {
  testing::CannedSmtpServer server;
  EmailChannel channel = Channel(server.url(), Loopback());
  SendResult result = channel.Send({"email", "alice@example.org", {}}, SampleNotice());
  ASSERT_EQ(result.outcome, SendResult::Outcome::kDelivered) << result.error;
  EXPECT_EQ(result.status, 250);
  auto commands = server.commands();
  EXPECT_NE(std::find(commands.begin(), commands.end(), "MAIL FROM:<oncall@example.com>"),
            commands.end());
  EXPECT_NE(std::find(commands.begin(), commands.end(), "RCPT TO:<alice@example.org>"),
            commands.end());
  std::string data = server.data();
  EXPECT_NE(
      data.find("Subject: [loom-oncall] Sev1 page (primary, step 0): INC-12 Database down\r\n"),
      std::string::npos)
      << data;
  EXPECT_NE(data.find("Message-ID: <ntf-42@example.com>\r\n"), std::string::npos);
  EXPECT_NE(data.find("In-Reply-To: <incident-12@example.com>\r\n"), std::string::npos);
  EXPECT_NE(data.find("Date: Mon, 02 Nov 2026 09:00:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(data.find("Content-Type: multipart/alternative"), std::string::npos);
  EXPECT_NE(data.find("Content-Type: text/plain; charset=utf-8"), std::string::npos);
  EXPECT_NE(data.find("Content-Type: text/html; charset=utf-8"), std::string::npos);
  // Body lines end in CRLF, so they survive quoted-printable as real line breaks.
  EXPECT_NE(data.find("Sev1 page (primary, step 0)\r\n"), std::string::npos);
  std::string decoded = DecodeQp(data);
  EXPECT_NE(decoded.find("Acknowledge: https://oncall.example.com/a/ack12?x=1&y=2"),
            std::string::npos);
  EXPECT_NE(decoded.find("href=\"https://oncall.example.com/a/open12\""), std::string::npos);
}

TEST_F(EmailChannelTest, UnknownRecipientIsRejected) {
  testing::CannedSmtpServer server("550 5.1.1 no such user");
  EmailChannel channel = Channel(server.url(), Loopback());
  SendResult result = channel.Send({"email", "ghost@example.org", {}}, SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRejected);
  EXPECT_EQ(result.status, 550);
}

TEST_F(EmailChannelTest, TemporaryFailureRetries) {
  testing::CannedSmtpServer server("451 4.7.1 greylisted");
  EmailChannel channel = Channel(server.url(), Loopback());
  SendResult result = channel.Send({"email", "alice@example.org", {}}, SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRetry);
  EXPECT_EQ(result.status, 451);
}

TEST_F(EmailChannelTest, ConnectionRefusedRetries) {
  testing::ClosedPort closed;
  int port = closed.port();
  EmailChannel channel = Channel("smtp://127.0.0.1:" + std::to_string(port), Loopback());
  SendResult result = channel.Send({"email", "alice@example.org", {}}, SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRetry);
}

TEST_F(EmailChannelTest, LoopbackServerNotAllowedIsRejectedWithoutConnecting) {
  testing::CannedSmtpServer server;
  EmailChannel channel = Channel(server.url(), OutboundPolicy());
  SendResult result = channel.Send({"email", "alice@example.org", {}}, SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRejected);
  EXPECT_EQ(result.error, "destination not allowed: 127.0.0.1");
  EXPECT_EQ(server.connections(), 0);
}

TEST_F(EmailChannelTest, HeaderInjectionInTheAddressIsRejected) {
  testing::CannedSmtpServer server;
  EmailChannel channel = Channel(server.url(), Loopback());
  SendResult result =
      channel.Send({"email", "alice@example.org\r\nBcc: all@example.org", {}}, SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRejected);
  EXPECT_EQ(server.connections(), 0);
}

}  // namespace
}  // namespace loom
