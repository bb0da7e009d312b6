// The world of the role matrix tests (role_matrix_*_test.cc): the example of docs/authentication.md
// "The role matrix" on the real SQLite store, and its callers.
//
// payments (hidden from non-members) owns the checkout service (INC-1, heartbeat hb-checkout) and
// the pay-primary schedule; web owns site; loom (INC-2, hb-loom) has no team. Rotation of
// pay-primary: rita from 2026-11-02 09:00 UTC (the fake clock's start), tara from 2026-11-03 09:00.
//
// People are console sessions of the configured users created with SessionStore::Create (what a
// password or single sign-on sign-in creates): every request rebuilds their principal from the
// stored user and the teams of the roster (accounts/person_principal.h), so none of them is
// given a role here. The tokens are real stored tokens sent as bearer tokens: one of role
// responder bound to nobody, one of role responder bound to rita.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "config/oncall_snapshot.h"
#include "core/heartbeat.h"
#include "http/api.h"
#include "store/sql/sqlite_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace loom::http::matrix {

inline constexpr char kYaml[] = R"(users:
  - { id: olive, role: owner }
  - { id: tara }
  - { id: rita }
  - { id: otto }
  - { id: vic }
teams:
  - id: payments
    visibility: team
    members: [ { user: tara, role: admin }, { user: rita, role: responder } ]
  - id: web
    members: [ { user: otto, role: responder } ]
schedules:
  - id: pay-primary
    team: payments
    layers: [ { participants: [rita, tara], shift: 1d, handoff: "09:00", start: 2026-11-02 } ]
services:
  - { id: checkout, team: payments }
  - { id: site, team: web }
  - { id: loom }
)";

inline constexpr char kResponderToken[] = "loo_matrix_responder";
inline constexpr char kBoundToken[] = "loo_matrix_bound_to_rita";

// The callers, in the order of the matrix's columns; kNobody sends no credential at all.
enum Who {
  kOwner,
  kTeamAdmin,
  kTeamResponder,
  kOtherResponder,
  kViewer,
  kUnbound,
  kBound,
  kNobody,
  kWhoCount
};
inline constexpr const char* kWhoNames[kWhoCount] = {
    "owner",  "team admin",    "responder of the team", "responder of another team",
    "viewer", "unbound token", "bound token",           "nobody"};
// The people of the sessions, by Who (the tokens and nobody have none).
inline constexpr const char* kPeople[] = {"olive", "tara", "rita", "otto", "vic"};

class PromisedReply final : public ResponseSink {
 public:
  void Send(Response r) override { promise.set_value(std::move(r)); }
  std::promise<Response> promise;
};

class World {
 public:
  // Builds the world; a failure is a fatal gtest failure (check HasFatalFailure()).
  void Build() {
    auto config = ParseConfig(kYaml, "teams.yaml", nullptr);
    ASSERT_TRUE(config.ok()) << config.error().message;
    config_ = std::make_shared<Config>(std::move(*config));
    SqliteOptions options;
    options.path = dir_.File("loom.db");
    auto store = OpenSqliteStore(options, clock_);
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    for (const ServiceConfig& s : config_->services) {
      ASSERT_TRUE(
          store_->UpsertConfiguredService(s.service, {Sha256Hex("key-" + s.service.id)}).ok());
    }
    auto snapshot = BuildOnCallSnapshot(*config_, {});
    ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;
    OnCallDeps oncall;
    oncall.roster = std::make_shared<Roster>(*snapshot);
    oncall.rebuild = [config = config_](const std::vector<ScheduleOverride>& overrides) {
      return BuildOnCallSnapshot(*config, overrides);
    };
    // The provider callbacks and one-click links are configured, so that their routes answer
    // their own credential's refusal rather than "not configured".
    ApiOptions api_options;
    api_options.public_url = "http://127.0.0.1:8080";
    api_options.twilio_auth_token = "matrix-twilio-auth-token";
    api_options.telegram_secret_token = "matrix-telegram-secret";
    auto links = std::make_shared<LinkSigner>(std::string(32, 'k'), api_options.public_url,
                                              std::chrono::hours(1));
    api_ = std::make_unique<Api>(*store_, clock_, "", std::move(api_options), nullptr,
                                 std::move(oncall), nullptr, std::move(links));

    std::vector<User> users;
    for (const UserConfig& u : config_->users) users.push_back(u.user);
    ASSERT_TRUE(store_->UpsertConfiguredUsers(users).ok());

    std::promise<Result<ApiToken>> token, bound;
    store_->CreateToken("ci", Role::kResponder, Sha256Hex(kResponderToken),
                        [&](Result<ApiToken> t) { token.set_value(std::move(t)); });
    ASSERT_TRUE(token.get_future().get().ok());
    store_->CreateBoundToken("rita-ci", Role::kResponder, "rita", Sha256Hex(kBoundToken),
                             [&](Result<ApiToken> t) { bound.set_value(std::move(t)); });
    ASSERT_TRUE(bound.get_future().get().ok());
    ASSERT_EQ(Trigger("checkout"), 1);                  // INC-1: payments
    ASSERT_EQ(Trigger("loom"), 2);                      // INC-2: no team
    for (const char* service : {"checkout", "loom"}) {  // hb-checkout (payments), hb-loom
      Heartbeat hb;
      hb.id = std::string("hb-") + service;
      hb.name = hb.id;
      hb.service_id = service;
      std::promise<Result<Heartbeat>> created;
      store_->CreateHeartbeat(hb, [&](Result<Heartbeat> h) { created.set_value(std::move(h)); });
      Result<Heartbeat> got = created.get_future().get();
      ASSERT_TRUE(got.ok()) << got.error().message;
    }
    for (const char* user : kPeople) {
      Principal p;
      p.name = user;
      p.user = user;
      auto created = api_->sessions().Create(std::move(p));
      ASSERT_TRUE(created.ok()) << created.error().message;
      sessions_.push_back(std::move(*created));
    }
  }

  int64_t Trigger(const std::string& service) {
    auto key = store_->FindIntegrationKey(Sha256Hex("key-" + service));
    EXPECT_TRUE(key.ok() && key->has_value());
    IngestRequest r;
    r.format = "pagerduty";
    r.service_id = service;
    r.integration_key_id = (*key)->id;
    r.dedup_key = service + "-down";
    r.title = service + " is down";
    AlertUpdate a;
    a.action = AlertAction::kTrigger;
    a.summary = r.title;
    a.severity = Severity::kSev2;
    r.alerts.push_back(a);
    std::promise<Result<IngestOutcome>> out;
    store_->Ingest(r, [&](Result<IngestOutcome> o) { out.set_value(std::move(o)); });
    Result<IngestOutcome> got = out.get_future().get();
    EXPECT_TRUE(got.ok()) << got.error().message;
    return got.ok() ? got->incident_number : 0;
  }

  // `who` calls `method target` with `body`: people through their console session (cookie,
  // same origin, CSRF token), the tokens as bearer tokens, nobody with no credential.
  Response Call(Who who, Method method, const std::string& target, const std::string& body = "") {
    if (who == kNobody) return Send("", method, target, body);
    if (who == kUnbound || who == kBound) {
      return Send(who == kUnbound ? kResponderToken : kBoundToken, method, target, body);
    }
    const SessionStore::Created& s = sessions_[who];
    return Send("", method, target, body, std::string(kSessionCookieName) + "=" + s.id,
                s.session.csrf_token);
  }

  // One request with bearer token `token` ("" for none), or with a session's cookie and CSRF
  // token.
  Response Send(const std::string& token, Method method, const std::string& target,
                const std::string& body, const std::string& cookie = "",
                const std::string& csrf = "") {
    const std::string path = target.substr(0, target.find('?'));
    const std::string query =
        target.find('?') == std::string::npos ? "" : target.substr(target.find('?') + 1);
    const std::string authorization = token.empty() ? "" : "Bearer " + token;
    Request req;
    req.method = method;
    req.target = target;
    req.path = path;
    req.query = query;
    req.body = body;
    req.authorization = authorization;
    req.cookie = cookie;
    req.csrf_token = csrf;
    req.host = "127.0.0.1:8080";
    req.origin = "http://127.0.0.1:8080";
    auto reply = std::make_shared<PromisedReply>();
    auto answer = reply->promise.get_future();
    api_->Handle(api_->Match(method, path), req, reply);
    EXPECT_EQ(answer.wait_for(std::chrono::seconds(10)), std::future_status::ready) << target;
    return answer.get();
  }

  Store& store() { return *store_; }

 private:
  loom::testing::TempDir dir_;
  loom::testing::FakeClock clock_;
  std::shared_ptr<Config> config_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Api> api_;
  std::vector<SessionStore::Created> sessions_;  // by Who, the people's
};

}  // namespace loom::http::matrix
