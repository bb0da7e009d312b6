// The test fixture of the Api's unit tests (the *_api_test.cc and push_callbacks_test.cc beside
// it), without sockets: StoreApiTest drives the Api on the real SQLite store; only its incident
// writes go through IncidentWrites, which can fail or hold them.
#pragma once

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>

#include "common/crypto.h"
#include "common/time_format.h"
#include "config/oncall_snapshot.h"
#include "core/builtin_runbook.h"
#include "engine/engine_test_support.h"
#include "http/api.h"
#include "testing/fake_clock.h"

namespace loom::http::api_testing {

using nlohmann::json;

inline constexpr char kAdminToken[] = "bootstrap-admin-token";
inline constexpr char kKey[] = "0123456789abcdef0123456789abcdef";
inline constexpr char kViewerToken[] = "loo_viewer";
inline constexpr char kResponderToken[] = "loo_responder";

// Records the reply; handlers that answer from another thread (the store's writer) send it there,
// so a test reads it after Wait.
class RecordingReply final : public ResponseSink {
 public:
  void Send(Response r) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++sends;
    response = std::move(r);
    answered_.notify_all();
  }
  // Until the reply is sent (at most 10 s): whether it was.
  bool Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    return answered_.wait_for(lock, std::chrono::seconds(10), [&] { return sends > 0; });
  }
  int sends = 0;
  std::optional<Response> response;

 private:
  std::mutex mu_;
  std::condition_variable answered_;
};

// The Api's incident writes (Ingest, RecordChangeEvent, Execute) in a test on the real store:
// records each, then forwards it to `store`, unless told to fail it (`*_error`: answered at once
// with the error, nothing stored) or to hold ingests (`hold`: their answers wait in
// `held_ingest` until the test calls them). Everything else is forwarded as is.
class IncidentWrites final : public IncidentStore {
 public:
  explicit IncidentWrites(IncidentStore& store) : store_(store) {}

  void Ingest(IngestRequest request, Callback<IngestOutcome> done) override {
    ingested.push_back(request);
    if (hold) {
      held_ingest.push_back(std::move(done));
      return;
    }
    if (ingest_error) return done(*ingest_error);
    store_.Ingest(std::move(request), std::move(done));
  }
  void Execute(IncidentCommand command, Callback<Incident> done) override {
    commands.push_back(command);
    if (execute_error) return done(*execute_error);
    store_.Execute(std::move(command), std::move(done));
  }
  void RecordChangeEvent(ChangeEvent event, Callback<int64_t> done) override {
    changes.push_back(event);
    store_.RecordChangeEvent(std::move(event), std::move(done));
  }
  void RecordIncidentEvent(int64_t incident_number, std::string type, std::string actor,
                           std::string data_json, Callback<TimelineEvent> done) override {
    store_.RecordIncidentEvent(incident_number, std::move(type), std::move(actor),
                               std::move(data_json), std::move(done));
  }
  void StartDrill(DrillStartPlan plan, Callback<Incident> done) override {
    store_.StartDrill(std::move(plan), std::move(done));
  }
  void FinishDrill(DrillFinishPlan plan, Callback<DrillFinished> done) override {
    store_.FinishDrill(std::move(plan), std::move(done));
  }
  Result<IncidentPage> ListIncidents(const IncidentFilter& filter) override {
    return store_.ListIncidents(filter);
  }
  Result<std::optional<IncidentDetail>> GetIncident(int64_t number) override {
    return store_.GetIncident(number);
  }
  Result<AlertPage> ListAlerts(const AlertFilter& filter) override {
    return store_.ListAlerts(filter);
  }
  Result<std::vector<OutboxEntry>> ListNotifications(int64_t incident_number) override {
    return store_.ListNotifications(incident_number);
  }
  Result<std::vector<ReportIncident>> ListReportIncidents(const ReportWindow& window) override {
    return store_.ListReportIncidents(window);
  }
  Result<std::vector<OutboxEntry>> ListReportPages(const ReportWindow& window) override {
    return store_.ListReportPages(window);
  }

  std::vector<IngestRequest> ingested;
  std::vector<IncidentCommand> commands;
  std::vector<ChangeEvent> changes;
  std::vector<Callback<IngestOutcome>> held_ingest;
  std::optional<Error> ingest_error, execute_error;
  bool hold = false;

 private:
  IncidentStore& store_;
};

// A reply a test can wait for: handlers that answer from another thread (the store's writer, a
// job thread) send it there.
class WaitableReply final : public ResponseSink {
 public:
  void Send(Response r) override { promise_.set_value(std::move(r)); }
  Response Wait() { return future_.get(); }

 private:
  std::promise<Response> promise_;
  std::future<Response> future_ = promise_.get_future();
};

// A request of `method` to `target` (path and query) with `body` and the Authorization header
// `authorization` (the request views all three).
inline Request RequestTo(Method method, std::string_view target, std::string_view body,
                         std::string_view authorization) {
  Request req;
  req.method = method;
  req.target = target;
  size_t q = target.find('?');
  req.path = target.substr(0, q);
  if (q != std::string_view::npos) req.query = target.substr(q + 1);
  req.authorization = authorization;
  req.body = body;
  return req;
}

// The Api over the real SQLite store (engine_test_support.h's StoreFixture), its incident
// writes through `writes_`: service `loom` with integration key kKey, tokens kViewerToken
// ("dash", viewer) and kResponderToken ("ci", responder), the admin token kAdminToken.
class StoreApiTest : public ::loom::testing::StoreFixture {
 protected:
  void SetUp() override {
    OpenStore();
    Service loom;
    loom.id = "loom";
    loom.name = "LOOM node";
    Result<IntegrationKey> key = AwaitWrite<IntegrationKey>(
        [&](auto done) { store_->CreateService(loom, Sha256Hex(kKey), done); });
    ASSERT_TRUE(key.ok()) << key.error().message;
    key_ = *key;
    for (const auto& [name, role, token] : {std::tuple{"dash", Role::kViewer, kViewerToken},
                                            std::tuple{"ci", Role::kResponder, kResponderToken}}) {
      Result<ApiToken> created = AwaitWrite<ApiToken>(
          [&](auto done) { store_->CreateToken(name, role, Sha256Hex(token), done); });
      ASSERT_TRUE(created.ok()) << created.error().message;
    }
    StartApi();
  }
  // (Re)makes writes_ and api_ over store_ (after a test reopened it).
  void StartApi() {
    api_.reset();
    writes_ = std::make_unique<IncidentWrites>(*store_);
    api_ = std::make_unique<Api>(*store_, clock_, Sha256Hex(kAdminToken), Options(), nullptr,
                                 OnCall(), nullptr, Links(), nullptr, nullptr, writes_.get());
  }
  // The options the Api is made with.
  virtual ApiOptions Options() const { return ApiOptions{}; }
  // The roster the Api is made with (none by default).
  virtual OnCallDeps OnCall() const { return OnCallDeps{}; }
  // The signer of one-click links the Api is made with (none by default).
  virtual std::shared_ptr<const LinkSigner> Links() const { return nullptr; }
  void TearDown() override { api_.reset(); }

  // Sends one request and returns its reply, once answered (unless `writes_` holds ingests).
  std::shared_ptr<RecordingReply> Call(Method method, std::string_view target,
                                       std::string_view body = {}, std::string_view token = {}) {
    auth_ = token.empty() ? std::string() : "Bearer " + std::string(token);
    return Send(RequestTo(method, target, body, auth_));
  }

  // Handles `req` on `api` (null: api_) and waits for its reply (unless `writes_` holds ingests).
  std::shared_ptr<RecordingReply> Send(const Request& req, Api* api = nullptr) {
    if (api == nullptr) api = api_.get();
    auto reply = std::make_shared<RecordingReply>();
    api->Handle(api->Match(req.method, req.path), req, reply);
    if (!writes_->hold) {
      EXPECT_TRUE(reply->Wait()) << req.target << " was not answered";
    }
    return reply;
  }

  static json Body(const RecordingReply& r) { return json::parse(r.response->body); }

  // A PagerDuty Events v2 event for routing key `key`: "disk full" from db1, critical, with the
  // fields `extra` (each followed by a comma) added.
  static std::string PdEvent(const std::string& key, const std::string& action = "trigger",
                             const std::string& extra = "") {
    return R"({"routing_key":")" + key + R"(","event_action":")" + action + R"(",)" + extra +
           R"("payload":{"summary":"disk full","source":"db1","severity":"critical"}})";
  }

  // The alerts the store holds that match `filter` (by default: the newest 50, newest first).
  std::vector<Alert> StoredAlerts(const AlertFilter& filter = {}) {
    Result<AlertPage> page = store_->ListAlerts(filter);
    EXPECT_TRUE(page.ok()) << page.error().message;
    return page.ok() ? page->alerts : std::vector<Alert>();
  }
  // Incident `number` as the store holds it (an empty one, and a failure, when there is none).
  IncidentDetail Stored(int64_t number) {
    Result<std::optional<IncidentDetail>> detail = store_->GetIncident(number);
    EXPECT_TRUE(detail.ok() && detail->has_value()) << "INC-" << number << " is not stored";
    return detail.ok() && detail->has_value() ? **detail : IncidentDetail{};
  }
  // The last timeline event of `type` of incident `number` (nullopt: there is none).
  std::optional<TimelineEvent> LastEvent(int64_t number, std::string_view type) {
    std::optional<TimelineEvent> last;
    for (const TimelineEvent& e : Stored(number).timeline) {
      if (e.type == type) last = e;
    }
    return last;
  }

  std::unique_ptr<IncidentWrites> writes_;
  std::unique_ptr<Api> api_;
  std::string auth_;  // the Authorization header of the last Call (the request views it)
};

}  // namespace loom::http::api_testing
