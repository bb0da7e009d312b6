#include <gtest/gtest.h>

#include "cli/cli_test_harness.h"

namespace loom {
namespace {

using testing::CliHarness;

constexpr char kOnCall[] = R"({"service":"loom","at":"2026-03-28T12:00:00.000Z","roles":{
  "primary":{"user":"alice","name":"Alice Example","schedule":"primary",
             "until":"2026-03-29T07:00:00.000Z"},
  "secondary":{"user":null,"name":null,"schedule":null,"until":null}}})";

TEST(OnCallCommandsTest, OnCallPrintsRolesUsersAndUntil) {
  CliHarness h;
  h.api.Respond(200, kOnCall);
  EXPECT_EQ(h.Run({"oncall", "--service", "loom", "--at", "2026-03-28T12:00:00Z", "--token", "t"}),
            0)
      << h.err.str();
  EXPECT_EQ(h.api.requests[0].url,
            "http://127.0.0.1:8080/v1/oncall?service=loom&at=2026-03-28T12%3A00%3A00Z");
  EXPECT_EQ(h.out.str(),
            "service loom at 2026-03-28T12:00:00.000Z\n"
            "ROLE       USER                   UNTIL\n"
            "primary    Alice Example (alice)  2026-03-29T07:00:00.000Z\n"
            "secondary  (nobody)               -\n");
}

TEST(OnCallCommandsTest, OnCallJsonAndErrors) {
  CliHarness h;
  h.api.Respond(200, kOnCall);
  EXPECT_EQ(h.Run({"oncall", "--json"}), 0);
  EXPECT_EQ(h.api.requests[0].url, "http://127.0.0.1:8080/v1/oncall");
  EXPECT_NE(h.out.str().find("\"Alice Example\""), std::string::npos);

  CliHarness bad;
  EXPECT_EQ(bad.Run({"oncall", "--at", "tomorrow"}), 2);
  EXPECT_TRUE(bad.api.requests.empty());
  EXPECT_EQ(bad.err.str(),
            "error: invalid --at 'tomorrow': expected an RFC 3339 time like "
            "2026-03-29T09:00:00Z\n");

  CliHarness missing;
  missing.api.Respond(404, R"({"title":"Not Found","status":404,"detail":"no service x"})");
  EXPECT_EQ(missing.Run({"oncall", "--service", "x"}), 4);
  EXPECT_NE(missing.err.str().find("no service x"), std::string::npos);
}

TEST(OnCallCommandsTest, ScheduleShifts) {
  CliHarness h;
  h.api.Respond(200, R"({"schedule":"primary","time_zone":"Europe/Berlin","shifts":[
    {"user":null,"start":"2026-03-26T00:00:00.000Z","end":"2026-03-27T08:00:00.000Z","override":false},
    {"user":"alice","start":"2026-03-27T08:00:00.000Z","end":"2026-03-28T08:00:00.000Z","override":true}]})");
  EXPECT_EQ(h.Run({"schedule", "shifts", "primary", "--from", "2026-03-26T00:00:00Z"}), 0)
      << h.err.str();
  EXPECT_EQ(h.api.requests[0].url,
            "http://127.0.0.1:8080/v1/schedules/primary/shifts?from=2026-03-26T00%3A00%3A00Z");
  EXPECT_EQ(h.out.str(),
            "START                     END                       USER\n"
            "2026-03-26T00:00:00.000Z  2026-03-27T08:00:00.000Z  (nobody)\n"
            "2026-03-27T08:00:00.000Z  2026-03-28T08:00:00.000Z  alice [override]\n");
}

TEST(OnCallCommandsTest, OverrideCreateListDelete) {
  CliHarness h;
  h.api.Respond(201, R"({"id":7,"schedule":"primary","user":"bob","from":"2026-03-28T11:00:00.000Z",
                         "to":"2026-03-28T13:00:00.000Z","created_by":"token:ci"})");
  EXPECT_EQ(h.Run({"override", "create", "--schedule", "primary", "--user", "bob", "--from",
                   "2026-03-28T11:00:00Z", "--to", "2026-03-28T13:00:00Z"}),
            0)
      << h.err.str();
  EXPECT_EQ(h.api.requests[0].method, "POST");
  EXPECT_EQ(h.api.requests[0].url, "http://127.0.0.1:8080/v1/schedules/primary/overrides");
  EXPECT_EQ(
      nlohmann::json::parse(h.api.requests[0].body),
      (nlohmann::json{
          {"user", "bob"}, {"from", "2026-03-28T11:00:00Z"}, {"to", "2026-03-28T13:00:00Z"}}));
  EXPECT_EQ(h.out.str(),
            "created override 7: bob on call for primary from 2026-03-28T11:00:00.000Z to "
            "2026-03-28T13:00:00.000Z\n");

  CliHarness list;
  list.api.Respond(200, R"({"schedule":"primary","overrides":[{"id":7,"user":"bob",
      "from":"2026-03-28T11:00:00.000Z","to":"2026-03-28T13:00:00.000Z","created_by":"token:ci"}]})");
  EXPECT_EQ(list.Run({"override", "list", "--schedule", "primary"}), 0);
  EXPECT_EQ(list.out.str(),
            "ID  USER  FROM                      TO                        CREATED BY\n"
            "7   bob   2026-03-28T11:00:00.000Z  2026-03-28T13:00:00.000Z  token:ci\n");

  CliHarness del;
  del.api.Respond(200, R"({"deleted":7})");
  EXPECT_EQ(del.Run({"override", "delete", "--schedule", "primary", "7"}), 0);
  EXPECT_EQ(del.api.requests[0].method, "DELETE");
  EXPECT_EQ(del.api.requests[0].url, "http://127.0.0.1:8080/v1/schedules/primary/overrides/7");
  EXPECT_EQ(del.out.str(), "deleted override 7\n");

  CliHarness bad;
  EXPECT_EQ(bad.Run({"override", "delete", "--schedule", "primary", "seven"}), 2);
  EXPECT_EQ(bad.err.str(), "error: invalid override id 'seven': expected a number\n");
}

}  // namespace
}  // namespace loom
