#include "server/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/builtin_runbook.h"
#include "store/sql/sqlite_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace loom {
namespace {

using ::testing::ElementsAre;
using testing::FakeClock;
using testing::TempDir;

// Records its start and stop, and what it could still reach when it stopped: the server must
// stop it while the store and the engine are still up.
class RecordingHttpServer final : public HttpServer {
 public:
  RecordingHttpServer(ServerDeps deps, std::vector<std::string>& events)
      : deps_(std::move(deps)), events_(events) {}
  uint16_t port() const override { return 43210; }
  void Stop() override {
    events_.push_back("http.stop");
    events_.push_back(deps_.store.Writable().ok() ? "store writable" : "store closed");
    events_.push_back("engine pending " + std::to_string(deps_.engine_stats().pending));
  }
  void Wait() override { events_.push_back("http.wait"); }

 private:
  ServerDeps deps_;
  std::vector<std::string>& events_;
};

class ServerTest : public ::testing::Test {
 protected:
  static SqliteOptions StoreAt(const std::string& data_dir) {
    SqliteOptions options;
    options.path = data_dir + "/loom-oncall.db";
    return options;
  }

  Config MakeConfig(const std::string& data_dir) {
    Config config;
    config.source = "test";
    config.server.data_dir = data_dir;
    config.server.listen = "127.0.0.1:0";
    ServiceConfig loom;
    loom.service.id = "loom";
    loom.service.name = "LOOM node";
    loom.integration_keys = {"0123456789abcdef0123456789abcdef"};
    config.services.push_back(loom);
    return config;
  }

  Server::Options MakeOptions(const std::string& data_dir, bool created) {
    Result<DataDirLock> lock = DataDirLock::Acquire(data_dir);
    EXPECT_TRUE(lock.ok()) << lock.error().message;
    Result<SeverityPolicy> policy =
        BuildSeverityPolicy(BuiltInRunbook(), kBuiltInRunbookName, PolicyOverrides{});
    EXPECT_TRUE(policy.ok());
    return {.config = MakeConfig(data_dir),
            .policy = std::make_shared<const SeverityPolicy>(std::move(policy).value()),
            .data_dir = DataDirClaim(std::move(lock).value(), created ? data_dir : ""),
            .public_url_derived = false,
            .version = "test"};
  }

  Server::Parts MakeParts(const std::string& data_dir) {
    return {
        .clock = clock_,
        .open_store = [this, data_dir]() -> Result<std::unique_ptr<Store>> {
          events_.push_back("store.open");
          if (!open_store_error_.message.empty()) return open_store_error_;
          return OpenSqliteStore(StoreAt(data_dir), clock_);
        },
        .store_name = "test store",
        .start_http = [this](const ServerOptions& options,
                             ServerDeps deps) -> Result<std::unique_ptr<HttpServer>> {
          events_.push_back("http.start " + options.listen);
          if (!start_http_error_.message.empty()) return start_http_error_;
          return std::unique_ptr<HttpServer>(
              std::make_unique<RecordingHttpServer>(std::move(deps), events_));
        },
        .load_delivery = [this](Store& store, std::shared_ptr<Roster> roster,
                                MessageLinks links) -> Result<std::unique_ptr<DeliveryService>> {
          events_.push_back("delivery.load");
          DeliveryService::Options options;
          options.links = std::move(links);
          auto delivery = std::make_unique<DeliveryService>(
              store, clock_, std::move(roster), std::map<std::string, std::shared_ptr<Channel>>{},
              std::vector<IncidentChannel>{}, options);
          if (Status loaded = delivery->Load(); !loaded.ok()) return std::move(loaded).error();
          return delivery;
        },
    };
  }

  // The configured service, read from the store the server left behind.
  bool ServiceStored(const std::string& data_dir) {
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(StoreAt(data_dir), clock_);
    EXPECT_TRUE(store.ok()) << store.error().message;
    Result<std::optional<Service>> service = (*store)->GetService("loom");
    (*store)->Shutdown();
    return service.ok() && service->has_value();
  }

  FakeClock clock_;
  TempDir tmp_;
  std::vector<std::string> events_;
  Error open_store_error_{ErrorCode::kInternal, "", {}};  // empty message: the store opens
  Error start_http_error_{ErrorCode::kInternal, "", {}};  // empty message: the server starts
};

TEST_F(ServerTest, StartsInOrderAndItsDestructionStopsTheHttpServerFirstAndReleasesTheLockLast) {
  Result<std::unique_ptr<Server>> server =
      Server::Start(MakeOptions(tmp_.path(), false), MakeParts(tmp_.path()));
  ASSERT_TRUE(server.ok()) << server.error().message;
  EXPECT_EQ((*server)->url(), "http://127.0.0.1:43210");
  EXPECT_THAT(events_, ElementsAre("store.open", "delivery.load", "http.start 127.0.0.1:0"));
  EXPECT_FALSE(DataDirLock::Acquire(tmp_.path()).ok()) << "held while the server runs";

  events_.clear();
  server->reset();
  // The engine still runs when the HTTP server stops: it holds the next drill's deadline (a
  // stopped engine holds none).
  EXPECT_THAT(events_, ElementsAre("http.stop", "store writable", "engine pending 1", "http.wait"));
  EXPECT_TRUE(DataDirLock::Acquire(tmp_.path()).ok()) << "released once the server is gone";
  EXPECT_TRUE(ServiceStored(tmp_.path())) << "the store committed what the start wrote";
}

TEST_F(ServerTest, AStartThatFailsAtTheHttpServerTakesDownWhatStartedAndTheDirectoryItCreated) {
  const std::string fresh = tmp_.File("fresh");
  std::filesystem::create_directory(fresh);
  start_http_error_ = Error::Unavailable("bind: Address already in use");
  Result<std::unique_ptr<Server>> server =
      Server::Start(MakeOptions(fresh, /*created=*/true), MakeParts(fresh));
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(server.error().message, "cannot start the HTTP server: bind: Address already in use");
  EXPECT_THAT(events_, ElementsAre("store.open", "delivery.load", "http.start 127.0.0.1:0"));
  EXPECT_FALSE(std::filesystem::exists(fresh));
}

TEST_F(ServerTest, AFailedStartKeepsADirectoryThatWasThereAndWhatTheStoreCommitted) {
  start_http_error_ = Error::Unavailable("bind: Address already in use");
  Result<std::unique_ptr<Server>> server =
      Server::Start(MakeOptions(tmp_.path(), /*created=*/false), MakeParts(tmp_.path()));
  ASSERT_FALSE(server.ok());
  EXPECT_TRUE(std::filesystem::is_directory(tmp_.path()));
  EXPECT_TRUE(DataDirLock::Acquire(tmp_.path()).ok());
  EXPECT_TRUE(ServiceStored(tmp_.path())) << "the store was shut down, its writes committed";
}

TEST_F(ServerTest, AStartThatFailsAtTheStoreStartsNothingElse) {
  const std::string fresh = tmp_.File("fresh");
  std::filesystem::create_directory(fresh);
  open_store_error_ = Error::Unavailable("cannot open store 'x': database is locked");
  Result<std::unique_ptr<Server>> server =
      Server::Start(MakeOptions(fresh, /*created=*/true), MakeParts(fresh));
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.error().message, "cannot open store 'x': database is locked");
  EXPECT_THAT(events_, ElementsAre("store.open"));
  EXPECT_FALSE(std::filesystem::exists(fresh));
}

TEST(ListeningUrlTest, UsesTheBoundPort) {
  EXPECT_EQ(ListeningUrl("127.0.0.1:0", 40123, false), "http://127.0.0.1:40123");
  EXPECT_EQ(ListeningUrl("0.0.0.0:8080", 8080, true), "https://0.0.0.0:8080");
  EXPECT_EQ(ListeningUrl(":8080", 8080, false), "http://0.0.0.0:8080");
  EXPECT_EQ(ListeningUrl("[::1]:0", 5, false), "http://[::1]:5");
  EXPECT_EQ(ListeningUrl("localhost:9", 9, false), "http://localhost:9");
}

}  // namespace
}  // namespace loom
