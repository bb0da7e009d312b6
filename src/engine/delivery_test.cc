#include "engine/delivery.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/crypto.h"
#include "core/builtin_runbook.h"
#include "engine/engine_test_support.h"
#include "engine/escalation_engine.h"
#include "store/sql/test_database.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace loom {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Records every notice and answers from a script (then "delivered").
class FakeChannel final : public Channel {
 public:
  SendResult Send(const Destination& to, const Notice& notice) override {
    std::function<void()> hook;
    {
      std::lock_guard<std::mutex> lock(mu_);
      sent.push_back({to, notice});
      ++in_flight;
      max_in_flight = std::max(max_in_flight, in_flight);
      hook = std::exchange(during_send, nullptr);
    }
    // Runs while this message is in flight (once).
    if (hook) hook();
    std::lock_guard<std::mutex> lock(mu_);
    --in_flight;
    if (script.empty()) return {SendResult::Outcome::kDelivered, std::nullopt, 200, "", ""};
    SendResult r = script.front();
    script.pop_front();
    return r;
  }
  std::function<void()> during_send;
  int in_flight = 0;
  int max_in_flight = 0;
  struct Sent {
    Destination to;
    Notice notice;
  };
  std::mutex mu_;
  std::vector<Sent> sent;
  std::deque<SendResult> script;
};

SendResult Answer(SendResult::Outcome outcome, int status,
                  std::optional<Duration> retry_after = std::nullopt) {
  return {outcome, retry_after, status, "HTTP " + std::to_string(status), ""};
}

ContactMethod Method(const std::string& id, const std::string& type, const std::string& address) {
  ContactMethod m;
  m.id = id;
  m.type = type;
  m.address = address;
  return m;
}

// alice (primary): Slack-like webhook at once, e-mail one minute later. bob (secondary): e-mail.
// nora: on call nowhere, no contact method.
std::shared_ptr<const OnCallSnapshot> MakeRoster() {
  User alice;
  alice.id = "alice";
  alice.name = "Alice Example";
  alice.contact_methods = {Method("hook", "webhook", "https://hooks.example.com/alice"),
                           Method("mail", "email", "alice@example.com")};
  alice.high_rules = {{"hook", Duration::zero()}, {"mail", minutes(1)}};
  User bob;
  bob.id = "bob";
  bob.name = "Bob";
  bob.contact_methods = {Method("mail", "email", "bob@example.com")};
  std::map<std::string, User> users = {{"alice", alice}, {"bob", bob}};
  std::map<OnCallRole, std::string> roles = {{OnCallRole::kPrimary, "prim"},
                                             {OnCallRole::kSecondary, "second"}};
  return std::make_shared<const OnCallSnapshot>(
      OnCallResolver(
          {testing::WeeklySchedule("prim", "alice"), testing::WeeklySchedule("second", "bob")},
          {{"loom", roles}}),
      std::move(users), std::map<std::string, BusinessCalendar>{});
}

// The engine against both back ends of the store.
class DeliveryTest : public testing::StoreFixture,
                     public ::testing::WithParamInterface<sql::TestBackend> {
 protected:
  sql::TestBackend backend() const override { return GetParam(); }
  void SetUp() override {
    policy_ = BuiltInPolicy(/*repeat=*/2);
    roster_ = std::make_shared<Roster>(MakeRoster());
    Open();
    CreateLoomService();
  }

  void Open() {
    OpenStore();
    engine_ = std::make_unique<EscalationEngine>(*store_, clock_, policy_, roster_);
    ASSERT_TRUE(engine_->Load().ok());
    DeliveryService::Options options_d;
    options_d.retry.max_attempts = 4;
    options_d.retry.initial = seconds(5);
    options_d.retry.max = minutes(1);
    options_d.bundle_window = bundle_window_;
    options_d.per_destination = per_destination_;
    options_d.hourly_limit = hourly_limit_;
    options_d.jitter = [] { return 1.0; };
    options_d.links = [](int64_t number, const std::string& recipient, const std::string& via,
                         TimePoint now) {
      const std::string base =
          "https://oncall.example.com/a/" + std::to_string(number) + "-" + recipient + "-" + via;
      return LinkSigner::Links{base + "-ack", base + "-view", "https://oncall.example.com",
                               now + std::chrono::hours(24)};
    };
    IncidentChannel ops;
    ops.service = "loom";
    ops.id = "ops";
    ops.destination = {"slack", "https://hooks.slack.example.com/T/B/x", {}};
    delivery_ = std::make_unique<DeliveryService>(
        *store_, clock_, roster_,
        std::map<std::string, std::shared_ptr<Channel>>{
            {"webhook", hook_}, {"email", mail_}, {"slack", slack_}},
        std::vector<IncidentChannel>{ops}, options_d);
    ASSERT_TRUE(delivery_->Load().ok());
  }

  void Restart() {
    delivery_.reset();
    engine_.reset();
    store_.reset();
    Open();
  }

  int64_t Trigger(const std::string& dedup_key) {
    return StoreFixture::Trigger(dedup_key, Severity::kSev1);
  }

  void Acknowledge(int64_t number) {
    ASSERT_TRUE(Act(number, IncidentCommand::Type::kAcknowledge).ok());
  }

  void AdvanceAndRun(Duration d) {
    clock_.Advance(d);
    engine_->RunDue();
    delivery_->RunDue();
  }

  // "kind method state attempts" of the incident's rows to users, oldest first.
  std::vector<std::string> Rows(int64_t number) {
    Result<std::vector<OutboxEntry>> rows = store_->ListNotifications(number);
    EXPECT_TRUE(rows.ok());
    std::vector<std::string> out;
    for (const OutboxEntry& e : *rows) {
      if (e.channel == "channel") continue;
      out.push_back(e.channel + " " + e.recipient + "/" + e.method + " " +
                    OutboxStateName(e.state) + " " + std::to_string(e.attempts));
    }
    return out;
  }

  // Events of pages (not of incident-channel posts).
  std::vector<std::string> PageEvents(int64_t number, const std::string& type) {
    std::vector<std::string> out;
    for (std::string& e : EventTypes(number, type)) {
      if (e.find(R"("kind":"page")") != std::string::npos) out.push_back(std::move(e));
    }
    return out;
  }

  // Incidents' numbers in a message.
  static std::vector<int64_t> Numbers(const Notice& notice) {
    std::vector<int64_t> out;
    for (const NoticeIncident& i : notice.incidents) out.push_back(i.number);
    return out;
  }

  Duration bundle_window_ = seconds(30);
  int per_destination_ = 4;
  std::map<std::string, int> hourly_limit_;
  std::shared_ptr<const SeverityPolicy> policy_;
  std::shared_ptr<Roster> roster_;
  std::shared_ptr<FakeChannel> hook_ = std::make_shared<FakeChannel>();
  std::shared_ptr<FakeChannel> mail_ = std::make_shared<FakeChannel>();
  std::shared_ptr<FakeChannel> slack_ = std::make_shared<FakeChannel>();
  std::unique_ptr<EscalationEngine> engine_;
  std::unique_ptr<DeliveryService> delivery_;
};

TEST_P(DeliveryTest, PagesThroughEachRuleInTurnWithLinks) {
  int64_t n = Trigger("db");
  delivery_->RunDue();
  ASSERT_EQ(hook_->sent.size(), 1u);
  EXPECT_TRUE(mail_->sent.empty());  // e-mail comes one minute later
  const Notice& page = hook_->sent[0].notice;
  EXPECT_EQ(page.type, "page");
  EXPECT_EQ(page.recipient, "alice");
  EXPECT_EQ(page.recipient_name, "Alice Example");
  EXPECT_EQ(page.role, "primary");
  EXPECT_EQ(page.summary, "Sev1 page (primary, step 0)");
  ASSERT_EQ(page.incidents.size(), 1u);
  EXPECT_EQ(page.incidents[0].title, "LOOM node down: db");
  EXPECT_EQ(page.incidents[0].ack_url, "https://oncall.example.com/a/1-alice-webhook-ack");
  EXPECT_EQ(page.incidents[0].open_url, "https://oncall.example.com/a/1-alice-webhook-view");
  // Where the channels' callbacks go, and until when the links (and buttons) work.
  EXPECT_EQ(page.public_url, "https://oncall.example.com");
  EXPECT_GT(page.links_expire_at, page.created_at);
  EXPECT_EQ(hook_->sent[0].to.address, "https://hooks.example.com/alice");

  AdvanceAndRun(minutes(1));
  ASSERT_EQ(mail_->sent.size(), 1u);
  EXPECT_EQ(mail_->sent[0].to.address, "alice@example.com");
  EXPECT_NE(mail_->sent[0].notice.id, page.id);
  EXPECT_THAT(Rows(n), ElementsAre("page alice/hook delivered 1", "page alice/mail delivered 1"));
  EXPECT_EQ(PageEvents(n, "notification.sent").size(), 2u);
  // Nothing is ever sent twice.
  AdvanceAndRun(minutes(2));
  EXPECT_EQ(hook_->sent.size(), 1u);
  EXPECT_EQ(mail_->sent.size(), 1u);
}

TEST_P(DeliveryTest, AcknowledgingCancelsTheMethodsNotYetDue) {
  int64_t n = Trigger("db");
  delivery_->RunDue();
  Acknowledge(n);
  AdvanceAndRun(minutes(10));
  EXPECT_TRUE(mail_->sent.empty());
  EXPECT_THAT(Rows(n), ElementsAre("page alice/hook delivered 1", "page alice/mail cancelled 0"));
}

TEST_P(DeliveryTest, RetriesWithBackoffThenDeliversOnce) {
  hook_->script = {Answer(SendResult::Outcome::kRetry, 500),
                   Answer(SendResult::Outcome::kRetry, 503)};
  int64_t n = Trigger("db");
  delivery_->RunDue();
  EXPECT_EQ(hook_->sent.size(), 1u);
  AdvanceAndRun(seconds(4));  // the first backoff is 5 s
  EXPECT_EQ(hook_->sent.size(), 1u);
  AdvanceAndRun(seconds(1));
  EXPECT_EQ(hook_->sent.size(), 2u);
  AdvanceAndRun(seconds(9));  // then 10 s
  EXPECT_EQ(hook_->sent.size(), 2u);
  AdvanceAndRun(seconds(1));
  ASSERT_EQ(hook_->sent.size(), 3u);
  // The message keeps its id across retries (receivers deduplicate on it).
  EXPECT_EQ(hook_->sent[0].notice.id, hook_->sent[2].notice.id);
  EXPECT_EQ(Rows(n)[0], "page alice/hook delivered 3");
  std::vector<std::string> failed = EventTypes(n, "notification.failed");
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_THAT(failed[0], HasSubstr(R"("attempt":1)"));
  EXPECT_THAT(failed[0], HasSubstr("HTTP 500"));
  EXPECT_EQ(PageEvents(n, "notification.sent").size(), 1u);
  AdvanceAndRun(minutes(5));
  EXPECT_EQ(hook_->sent.size(), 3u);
}

TEST_P(DeliveryTest, HonoursRetryAfterOn429) {
  hook_->script = {Answer(SendResult::Outcome::kRetry, 429, seconds(20))};
  Trigger("db");
  delivery_->RunDue();
  AdvanceAndRun(seconds(19));
  EXPECT_EQ(hook_->sent.size(), 1u);
  AdvanceAndRun(seconds(1));
  EXPECT_EQ(hook_->sent.size(), 2u);
}

TEST_P(DeliveryTest, GoneDisablesTheDestinationAndTriesTheNextMethod) {
  hook_->script = {Answer(SendResult::Outcome::kGone, 410)};
  int64_t n = Trigger("db");
  delivery_->RunDue();
  // Dead-lettered; e-mail (the next method) goes at once instead of after a minute.
  ASSERT_EQ(mail_->sent.size(), 1u);
  EXPECT_THAT(Rows(n), ElementsAre("page alice/hook dead 1", "page alice/mail delivered 1"));
  std::vector<std::string> dead = EventTypes(n, "notification.dead_lettered");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_THAT(dead[0], HasSubstr("410"));
  EXPECT_THAT(dead[0], HasSubstr(R"("next_method":"mail")"));
  // The destination stays disabled, across a restart too: no further attempt.
  Restart();
  int64_t m = Trigger("cache");
  delivery_->RunDue();
  EXPECT_EQ(hook_->sent.size(), 1u);
  EXPECT_THAT(Rows(m), ElementsAre("page alice/hook dead 0", "page alice/mail delivered 1"));
}

TEST_P(DeliveryTest, DeadLettersAfterMaxAttempts) {
  for (int i = 0; i < 4; ++i) hook_->script.push_back(Answer(SendResult::Outcome::kRetry, 500));
  int64_t n = Trigger("db");
  delivery_->RunDue();
  AdvanceAndRun(seconds(5));
  AdvanceAndRun(seconds(10));
  EXPECT_TRUE(mail_->sent.empty());
  AdvanceAndRun(seconds(20));
  EXPECT_EQ(hook_->sent.size(), 4u);
  EXPECT_EQ(mail_->sent.size(), 1u);
  EXPECT_THAT(Rows(n), ElementsAre("page alice/hook dead 4", "page alice/mail delivered 1"));
  EXPECT_THAT(EventTypes(n, "notification.dead_lettered")[0],
              HasSubstr("gave up after 4 attempts"));
}

TEST_P(DeliveryTest, AStormIsBundledIntoAFewMessages) {
  for (int i = 0; i < 500; ++i) Trigger("storm-" + std::to_string(i));
  delivery_->RunDue();
  for (int s = 0; s < 60; s += 5) AdvanceAndRun(seconds(5));
  // The first page at once, then one bundle per 30 s window.
  ASSERT_LE(hook_->sent.size(), 4u);
  size_t covered = 0;
  for (const auto& sent : hook_->sent) covered += sent.notice.incidents.size();
  EXPECT_EQ(covered, 500u);
  const Notice& bundle = hook_->sent.back().notice;
  EXPECT_EQ(bundle.type, "bundle");
  EXPECT_THAT(bundle.summary, HasSubstr("incidents"));
  EXPECT_EQ(delivery_->Stats().sent,
            static_cast<int64_t>(hook_->sent.size() + mail_->sent.size() + slack_->sent.size()));
}

TEST_P(DeliveryTest, IncidentChannelsReceiveEveryLifecycleChange) {
  int64_t n = Trigger("db");
  delivery_->RunDue();
  Acknowledge(n);
  AdvanceAndRun(seconds(31));  // one message per window per destination
  ASSERT_EQ(slack_->sent.size(), 2u);
  EXPECT_EQ(slack_->sent[0].notice.type, "incident.triggered");
  EXPECT_EQ(slack_->sent[0].notice.recipient, "channel:loom/ops");
  EXPECT_EQ(slack_->sent[0].notice.incidents[0].ack_url, "");  // a channel has nobody to ack as
  // The acknowledgement and the commander it assigned came within one window: one message.
  EXPECT_EQ(slack_->sent[1].notice.type, "bundle");
  EXPECT_EQ(slack_->sent[1].notice.bundled, 2);  // two notifications about one incident
  ASSERT_EQ(slack_->sent[1].notice.incidents.size(), 1u);
  EXPECT_THAT(slack_->sent[1].notice.detail,
              HasSubstr("\nAcknowledged: INC-1 (sev1) LOOM node down: db"));
  EXPECT_THAT(slack_->sent[1].notice.detail, HasSubstr("\nCommander assigned: INC-1 (sev1)"));
  // A change after the window is a message of its own.
  AdvanceAndRun(seconds(31));
  IncidentCommand resolve;
  resolve.type = IncidentCommand::Type::kResolve;
  resolve.incident_number = n;
  resolve.actor = "user:alice";
  ASSERT_TRUE(AwaitWrite<Incident>([&](auto done) { store_->Execute(resolve, done); }).ok());
  delivery_->RunDue();
  ASSERT_EQ(slack_->sent.size(), 3u);
  EXPECT_EQ(slack_->sent[2].notice.type, "incident.resolved");
  EXPECT_THAT(slack_->sent[2].notice.detail, HasSubstr("By user:alice."));
}

TEST_P(DeliveryTest, WhileTheMailRelayIsUnreachableMailWaitsForOneProbe) {
  User mia;
  mia.id = "mia";
  mia.contact_methods = {Method("mail", "email", "mia@example.com")};
  std::map<OnCallRole, std::string> roles = {{OnCallRole::kPrimary, "prim"}};
  roster_->Replace(std::make_shared<const OnCallSnapshot>(
      OnCallResolver({testing::WeeklySchedule("prim", "mia")}, {{"loom", roles}}),
      std::map<std::string, User>{{"mia", mia}}, std::map<std::string, BusinessCalendar>{}));
  const SendResult unreachable = Answer(SendResult::Outcome::kRetry, 0);
  mail_->script = {unreachable, unreachable};
  int64_t a = Trigger("a");
  delivery_->RunDue();
  ASSERT_EQ(mail_->sent.size(), 1u);
  // A new page while the relay is down is held, not attempted (nothing to record).
  int64_t b = Trigger("b");
  delivery_->RunDue();
  EXPECT_EQ(mail_->sent.size(), 1u);
  EXPECT_THAT(Rows(b), ElementsAre("page mia/mail pending 0"));
  // After the backoff one probe: the first message again, alone (it keeps its rows); it fails,
  // so the next waits twice as long.
  AdvanceAndRun(seconds(5));
  ASSERT_EQ(mail_->sent.size(), 2u);
  EXPECT_THAT(Numbers(mail_->sent[1].notice), ElementsAre(a));
  AdvanceAndRun(seconds(9));
  EXPECT_EQ(mail_->sent.size(), 2u);
  AdvanceAndRun(seconds(1));
  ASSERT_EQ(mail_->sent.size(), 3u);
  EXPECT_EQ(mail_->sent[2].notice.id, mail_->sent[0].notice.id);
  EXPECT_THAT(Rows(a), ElementsAre("page mia/mail delivered 3"));
  // The relay is up: the held page goes once the bundle window after the probe allows.
  AdvanceAndRun(seconds(30));
  ASSERT_EQ(mail_->sent.size(), 4u);
  EXPECT_THAT(Numbers(mail_->sent[3].notice), ElementsAre(b));
  EXPECT_THAT(Rows(b), ElementsAre("page mia/mail delivered 1"));
}

TEST_P(DeliveryTest, AUserWithoutContactMethodsIsOnRecordButNothingIsSent) {
  User nora;
  nora.id = "nora";
  std::map<OnCallRole, std::string> roles = {{OnCallRole::kPrimary, "prim"}};
  roster_->Replace(std::make_shared<const OnCallSnapshot>(
      OnCallResolver({testing::WeeklySchedule("prim", "nora")}, {{"loom", roles}}),
      std::map<std::string, User>{{"nora", nora}}, std::map<std::string, BusinessCalendar>{}));
  int64_t n = Trigger("db");
  delivery_->RunDue();
  EXPECT_THAT(Rows(n), ElementsAre("page nora/ undeliverable 0"));
  EXPECT_TRUE(hook_->sent.empty());
  EXPECT_TRUE(mail_->sent.empty());
}

TEST_P(DeliveryTest, PendingMessagesAreSentAfterARestart) {
  int64_t n = Trigger("db");  // committed, not yet sent: the process dies here
  Restart();
  delivery_->RunDue();
  EXPECT_EQ(hook_->sent.size(), 1u);
  EXPECT_EQ(Rows(n)[0], "page alice/hook delivered 1");
}

TEST_P(DeliveryTest, WithoutAWindowEachPageIsAMessageOfItsOwn) {
  bundle_window_ = Duration::zero();
  Restart();
  const int64_t a = Trigger("a");
  const int64_t b = Trigger("b");
  const int64_t c = Trigger("c");
  // All three due at once, for one destination: still three messages.
  EXPECT_EQ(delivery_->RunDue(), 6u);  // and three incident-channel posts
  ASSERT_EQ(hook_->sent.size(), 3u);
  std::set<std::string> ids;
  std::vector<int64_t> numbers;
  for (const auto& sent : hook_->sent) {
    EXPECT_EQ(sent.notice.type, "page");
    EXPECT_EQ(sent.notice.bundled, 1);
    ASSERT_EQ(sent.notice.incidents.size(), 1u);
    numbers.push_back(sent.notice.incidents[0].number);
    ids.insert(sent.notice.id);
  }
  EXPECT_THAT(numbers, ElementsAre(a, b, c));
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(slack_->sent.size(), 3u);
  EXPECT_EQ(delivery_->Stats().bundled, 0);
}

TEST_P(DeliveryTest, BeyondThePersonsHourlyLimitPagesWaitAndGoBundledNeverDropped) {
  bundle_window_ = Duration::zero();
  hourly_limit_ = {{"webhook", 2}};
  Restart();
  const int64_t a = Trigger("a");
  delivery_->RunDue();
  const int64_t b = Trigger("b");
  delivery_->RunDue();
  ASSERT_EQ(hook_->sent.size(), 2u);
  // The budget is spent: c and d wait for the hour to pass, and then go as one message.
  const int64_t c = Trigger("c");
  const int64_t d = Trigger("d");
  AdvanceAndRun(seconds(10));
  EXPECT_EQ(hook_->sent.size(), 2u);
  EXPECT_EQ(Rows(c)[0], "page alice/hook pending 0");
  clock_.Advance(minutes(60));
  delivery_->RunDue();
  ASSERT_EQ(hook_->sent.size(), 3u);
  const Notice& bundle = hook_->sent[2].notice;
  EXPECT_EQ(bundle.type, "bundle");
  EXPECT_THAT(Numbers(bundle), ElementsAre(c, d));
  EXPECT_EQ(Rows(c)[0], "page alice/hook delivered 1");
  EXPECT_EQ(Rows(d)[0], "page alice/hook delivered 1");
  EXPECT_THAT(Numbers(hook_->sent[0].notice), ElementsAre(a));
  EXPECT_THAT(Numbers(hook_->sent[1].notice), ElementsAre(b));
  // Other types have no such limit: every e-mail to alice went, one each.
  std::vector<int64_t> mailed;
  for (const auto& sent : mail_->sent) {
    if (sent.notice.recipient == "alice") mailed.push_back(Numbers(sent.notice).at(0));
  }
  EXPECT_THAT(mailed, ElementsAre(a, b, c, d));
}

TEST_P(DeliveryTest, WithoutAWindowPagesDueWhileOthersAreInFlightGoSinglyInTurn) {
  bundle_window_ = Duration::zero();
  per_destination_ = 2;
  Restart();
  const int64_t a = Trigger("a");
  int64_t b = 0;
  int64_t c = 0;
  size_t sent_meanwhile = 0;
  size_t sent_at_the_limit = 0;
  // While a's page is in flight, b and c fall due: b's goes at once (two per destination); while
  // a's and b's are both in flight, c's waits for a free slot, and then goes on its own.
  hook_->during_send = [&] {
    b = Trigger("b");
    c = Trigger("c");
    hook_->during_send = [&] { sent_at_the_limit = delivery_->RunDue(); };
    sent_meanwhile = delivery_->RunDue();
  };
  delivery_->RunDue();
  EXPECT_EQ(sent_at_the_limit, 0u);
  EXPECT_EQ(sent_meanwhile, 4u);  // b's and c's pages and channel posts
  EXPECT_EQ(hook_->max_in_flight, 2);
  ASSERT_EQ(hook_->sent.size(), 3u);
  EXPECT_THAT(Numbers(hook_->sent[0].notice), ElementsAre(a));
  EXPECT_THAT(Numbers(hook_->sent[1].notice), ElementsAre(b));
  EXPECT_THAT(Numbers(hook_->sent[2].notice), ElementsAre(c));
  EXPECT_EQ(hook_->sent[2].notice.type, "page");
  EXPECT_EQ(delivery_->Stats().pending, 3);  // the e-mails, due in a minute; nothing waits
}

TEST_P(DeliveryTest, ARetriedBundleKeepsItsIdAndItsIncidentsAcrossARestart) {
  hook_->script = {Answer(SendResult::Outcome::kRetry, 500)};
  const int64_t a = Trigger("a");
  const int64_t b = Trigger("b");
  delivery_->RunDue();
  ASSERT_EQ(hook_->sent.size(), 1u);
  const Notice first = hook_->sent[0].notice;
  EXPECT_EQ(first.type, "bundle");
  EXPECT_THAT(Numbers(first), ElementsAre(a, b));
  // A new page falls due, and the process restarts before the retry.
  const int64_t c = Trigger("c");
  Restart();
  AdvanceAndRun(seconds(5));
  ASSERT_EQ(hook_->sent.size(), 3u);
  // The retry is the same message: same id, same incidents; the new page is not added to it.
  const Notice& retry = hook_->sent[1].notice;
  EXPECT_EQ(retry.id, first.id);
  EXPECT_THAT(Numbers(retry), ElementsAre(a, b));
  EXPECT_EQ(retry.summary, first.summary);
  EXPECT_EQ(retry.detail, first.detail);
  EXPECT_EQ(retry.bundled, 2);
  EXPECT_THAT(Numbers(hook_->sent[2].notice), ElementsAre(c));
  EXPECT_NE(hook_->sent[2].notice.id, first.id);
  EXPECT_THAT(Rows(a), ElementsAre("page alice/hook delivered 2", "page alice/mail pending 0"));
  EXPECT_THAT(Rows(c), ElementsAre("page alice/hook delivered 1", "page alice/mail pending 0"));
  // The store names each row's message.
  Result<std::vector<OutboxEntry>> rows = store_->ListNotifications(b);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->front().message_id, first.id);
}

TEST_P(DeliveryTest, TheStoreKeepsARowInTheFirstMessageThatClaimedIt) {
  const int64_t n = Trigger("db");
  // alice's rows: the webhook (due now) and the e-mail (due in a minute).
  auto row = [&](const std::string& method) {
    Result<std::vector<OutboxEntry>> rows = store_->ListNotifications(n);
    EXPECT_TRUE(rows.ok());
    for (const OutboxEntry& e : *rows) {
      if (e.recipient == "alice" && e.method == method) return e;
    }
    ADD_FAILURE() << "no row for " << method;
    return OutboxEntry{};
  };
  auto claim = [&](int64_t id, const std::string& message) {
    std::vector<OutboxClaim> claims = {{id, message}};
    Result<int64_t> r =
        AwaitWrite<int64_t>([&](auto done) { store_->ClaimOutbox(std::move(claims), done); });
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : -1;
  };
  EXPECT_EQ(claim(row("hook").id, "msg_first"), 1);
  EXPECT_EQ(claim(row("hook").id, "msg_second"), 0);
  EXPECT_EQ(row("hook").message_id, "msg_first");
  // Sent under the id it was claimed for, and recorded with it.
  delivery_->RunDue();
  ASSERT_EQ(hook_->sent.size(), 1u);
  EXPECT_EQ(hook_->sent[0].notice.id, "msg_first");
  EXPECT_EQ(row("hook").message_id, "msg_first");
  Acknowledge(n);  // cancels the e-mail not yet sent: a cancelled row is claimed by nothing
  EXPECT_EQ(claim(row("mail").id, "msg_third"), 0);
  EXPECT_EQ(row("mail").message_id, "");
}

INSTANTIATE_TEST_SUITE_P(Backends, DeliveryTest, sql::kBackends, sql::BackendName);

}  // namespace

}  // namespace loom
