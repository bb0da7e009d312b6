// The command line as a whole: version, help, usage errors, and the admin commands.
#include <gtest/gtest.h>

#include "cli/cli_test_harness.h"
#include "cli/version.h"

namespace loom {
namespace {

using testing::CliHarness;

TEST(CliAppTest, Version) {
  for (const char* arg : {"version", "--version"}) {
    CliHarness h;
    EXPECT_EQ(h.Run({arg}), 0);
    EXPECT_EQ(h.out.str(), std::string("loom-oncall ") + kLoomOncallVersion + "\n");
  }
}

TEST(CliAppTest, HelpExits0AndListsTheCommands) {
  CliHarness h;
  EXPECT_EQ(h.Run({"--help"}), 0);
  for (const char* command : {"serve", "incident", "token", "service", "audit", "version"}) {
    EXPECT_NE(h.out.str().find(command), std::string::npos) << command;
  }
}

TEST(CliAppTest, SubcommandHelpExits0) {
  CliHarness h;
  EXPECT_EQ(h.Run({"incident", "list", "--help"}), 0);
  EXPECT_NE(h.out.str().find("--severity"), std::string::npos) << h.out.str();
  EXPECT_NE(h.out.str().find("--server"), std::string::npos) << h.out.str();
}

TEST(CliAppTest, ServeHelpNamesTheAdminTokenVariable) {
  CliHarness h;
  EXPECT_EQ(h.Run({"serve", "--help"}), 0);
  EXPECT_NE(h.out.str().find("LOOM_ONCALL_ADMIN_TOKEN  The bootstrap admin token"),
            std::string::npos)
      << h.out.str();
  EXPECT_NE(h.out.str().find("LOOM_ONCALL_CONFIG"), std::string::npos) << h.out.str();
  EXPECT_TRUE(h.events.empty());  // help starts nothing
}

TEST(CliAppTest, NoCommandIsAUsageError) {
  CliHarness h;
  EXPECT_EQ(h.Run({}), 2);
  EXPECT_NE(h.err.str().find("serve"), std::string::npos);
}

TEST(CliAppTest, UnknownCommandIsAUsageError) {
  CliHarness h;
  EXPECT_EQ(h.Run({"frobnicate"}), 2);
  EXPECT_EQ(h.err.str().rfind("error: ", 0), 0u) << h.err.str();
}

TEST(TokenCommandTest, CreatePrintsOnlyTheTokenOnStdout) {
  CliHarness h;
  h.api.Respond(201, R"({"id":4,"name":"ci","role":"responder","token":"tok-123",
                         "created_at":"2026-11-02T09:00:00.000Z"})");
  EXPECT_EQ(h.Run({"token", "create", "--role", "responder", "--name", "ci", "--token", "adm"}), 0)
      << h.err.str();
  EXPECT_EQ(h.api.requests[0].url, "http://127.0.0.1:8080/v1/tokens");
  EXPECT_EQ(h.api.requests[0].body, R"({"name":"ci","role":"responder"})");
  EXPECT_EQ(h.api.Header(0, "Authorization"), "Bearer adm");
  EXPECT_EQ(h.out.str(), "tok-123\n");
  EXPECT_EQ(h.err.str(), "created responder token 'ci'; it is shown only this once\n");
}

TEST(TokenCommandTest, DefaultNameIsTheRoleAndARandomSuffix) {
  CliHarness h;
  h.api.Respond(201, R"({"token":"t"})");
  EXPECT_EQ(h.Run({"token", "create", "--role", "viewer"}), 0);
  auto body = nlohmann::json::parse(h.api.requests[0].body);
  EXPECT_EQ(body["role"], "viewer");
  EXPECT_EQ(body["name"].get<std::string>().rfind("viewer-", 0), 0u) << body.dump();
}

TEST(TokenCommandTest, RoleIsRequiredAndChecked) {
  CliHarness h;
  EXPECT_EQ(h.Run({"token", "create"}), 2);
  EXPECT_EQ(h.Run({"token", "create", "--role", "root"}), 2);
  EXPECT_TRUE(h.api.requests.empty());
}

TEST(TokenCommandTest, ForbiddenExits3) {
  CliHarness h;
  h.api.Respond(403, R"({"detail":"role admin required"})");
  EXPECT_EQ(h.Run({"token", "create", "--role", "admin"}), 3);
  EXPECT_EQ(h.err.str(), "error: role admin required (HTTP 403)\n");
}

TEST(ServiceCommandTest, CreatePrintsOnlyTheIntegrationKey) {
  CliHarness h;
  h.api.Respond(201, R"({"id":"db","name":"Database","integration_key":"abcd1234"})");
  EXPECT_EQ(h.Run({"service", "create", "db", "--name", "Database"}), 0) << h.err.str();
  EXPECT_EQ(h.api.requests[0].url, "http://127.0.0.1:8080/v1/services");
  EXPECT_EQ(h.api.requests[0].body, R"({"id":"db","name":"Database"})");
  EXPECT_EQ(h.out.str(), "abcd1234\n");
}

TEST(ServiceCommandTest, InvalidIdIsRejectedLocally) {
  CliHarness h;
  EXPECT_EQ(h.Run({"service", "create", "Bad Id"}), 2);
  EXPECT_TRUE(h.api.requests.empty());
}

TEST(ServiceCommandTest, ConflictExits5) {
  CliHarness h;
  h.api.Respond(409, R"({"detail":"service db exists"})");
  EXPECT_EQ(h.Run({"service", "create", "db"}), 5);
  EXPECT_EQ(h.err.str(), "error: service db exists (HTTP 409)\n");
}

TEST(ServiceCommandTest, ListPrintsIdsAndNames) {
  CliHarness h;
  h.api.Respond(200, R"({"services":[{"id":"loom","name":"LOOM node"},{"id":"db","name":"DB"}]})");
  EXPECT_EQ(h.Run({"service", "list"}), 0);
  EXPECT_EQ(h.out.str(), "ID    NAME\nloom  LOOM node\ndb    DB\n");
}

}  // namespace
}  // namespace loom
