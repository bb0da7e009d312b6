#include "cli/incident_commands.h"

#include <gtest/gtest.h>

#include "cli/cli_test_harness.h"

namespace loom {
namespace {

using testing::CliHarness;

TEST(NormalizeIncidentIdTest, AcceptsTheIdAnyCaseOrTheBareNumber) {
  EXPECT_EQ(NormalizeIncidentId("INC-7").value(), "INC-7");
  EXPECT_EQ(NormalizeIncidentId("inc-7").value(), "INC-7");
  EXPECT_EQ(NormalizeIncidentId("7").value(), "INC-7");
}

TEST(NormalizeIncidentIdTest, RejectsAnythingElse) {
  for (const char* bad : {"", "INC-", "INC-0", "INC--1", "INC-7x", "abc", "INC 7", "../x"}) {
    auto r = NormalizeIncidentId(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(NormalizeIncidentId("foo").error().message,
            "invalid incident id 'foo': expected INC-<number>, e.g. INC-42");
}

constexpr char kIncident[] =
    R"({"id":"INC-3","number":3,"state":"acknowledged","severity":"sev1","service":"loom",
        "title":"LOOM ready probe failing","alert_count":2,"commander":"token:ci",
        "created_at":"2026-11-02T08:55:00.000Z"})";

TEST(IncidentCommandsTest, ListPrintsATableFromServerAndTokenInTheEnvironment) {
  CliHarness h;
  h.env["LOOM_ONCALL_SERVER"] = "http://10.0.0.1:8080";
  h.env["LOOM_ONCALL_TOKEN"] = "env-token";
  h.api.Respond(200, std::string(R"({"incidents":[)") + kIncident + R"(],"next":null})");
  EXPECT_EQ(h.Run({"incident", "list", "--open", "--severity", "sev1", "--limit", "5"}), 0)
      << h.err.str();
  ASSERT_EQ(h.api.requests.size(), 1u);
  EXPECT_EQ(h.api.requests[0].url,
            "http://10.0.0.1:8080/v1/incidents?severity=sev1&open=true&limit=5");
  EXPECT_EQ(h.api.Header(0, "Authorization"), "Bearer env-token");
  EXPECT_EQ(h.out.str(),
            "ID     SEV   STATE         SERVICE  AGE  ALERTS  TITLE\n"
            "INC-3  sev1  acknowledged  loom     5m   2       LOOM ready probe failing\n");
  EXPECT_EQ(h.err.str(), "");
}

TEST(IncidentCommandsTest, FlagsWinOverTheEnvironment) {
  CliHarness h;
  h.env["LOOM_ONCALL_SERVER"] = "http://env:1";
  h.env["LOOM_ONCALL_TOKEN"] = "env-token";
  h.api.Respond(200, R"({"incidents":[],"next":null})");
  EXPECT_EQ(h.Run({"incident", "list", "--server", "http://flag:2", "--token", "flag-token"}), 0);
  EXPECT_EQ(h.api.requests[0].url, "http://flag:2/v1/incidents");
  EXPECT_EQ(h.api.Header(0, "Authorization"), "Bearer flag-token");
  EXPECT_EQ(h.out.str(), "No incidents.\n");
}

TEST(IncidentCommandsTest, DefaultServerIsLocalhost8080) {
  CliHarness h;
  h.api.Respond(200, R"({"incidents":[],"next":null})");
  EXPECT_EQ(h.Run({"incident", "list"}), 0);
  EXPECT_EQ(h.api.requests[0].url, "http://127.0.0.1:8080/v1/incidents");
  EXPECT_EQ(h.api.Header(0, "Authorization"), "");
}

TEST(IncidentCommandsTest, ListMentionsTheNextPageOnStderr) {
  CliHarness h;
  h.api.Respond(200, std::string(R"({"incidents":[)") + kIncident + R"(],"next":"3"})");
  EXPECT_EQ(h.Run({"incident", "list", "--limit", "1"}), 0);
  EXPECT_EQ(h.err.str(), "more incidents: repeat with --cursor 3\n");
}

TEST(IncidentCommandsTest, JsonPrintsTheServersBody) {
  CliHarness h;
  std::string body = std::string(R"({"incidents":[)") + kIncident + R"(],"next":null})";
  h.api.Respond(200, body);
  EXPECT_EQ(h.Run({"incident", "list", "--json"}), 0);
  EXPECT_EQ(h.out.str(), body + "\n");
}

TEST(IncidentCommandsTest, AckPostsTheNoteAndPrintsTheNewState) {
  CliHarness h;
  h.api.Respond(200, kIncident);
  EXPECT_EQ(h.Run({"incident", "ack", "INC-3", "--note", "looking"}), 0) << h.err.str();
  ASSERT_EQ(h.api.requests.size(), 1u);
  EXPECT_EQ(h.api.requests[0].method, "POST");
  EXPECT_EQ(h.api.requests[0].url, "http://127.0.0.1:8080/v1/incidents/INC-3/acknowledge");
  EXPECT_EQ(h.api.requests[0].body, R"({"note":"looking"})");
  EXPECT_EQ(h.out.str(), "INC-3 acknowledged (sev1, commander token:ci)\n");
}

TEST(IncidentCommandsTest, LifecycleEndpoints) {
  for (auto [command, endpoint] :
       std::vector<std::pair<std::string, std::string>>{{"ack", "acknowledge"},
                                                        {"acknowledge", "acknowledge"},
                                                        {"mitigate", "mitigate"},
                                                        {"resolve", "resolve"},
                                                        {"close", "close"}}) {
    CliHarness h;
    h.api.Respond(200, kIncident);
    EXPECT_EQ(h.Run({"incident", command, "5"}), 0) << command << ": " << h.err.str();
    ASSERT_EQ(h.api.requests.size(), 1u);
    EXPECT_EQ(h.api.requests[0].url, "http://127.0.0.1:8080/v1/incidents/INC-5/" + endpoint);
    EXPECT_EQ(h.api.requests[0].body, "{}");
  }
}

TEST(IncidentCommandsTest, NoteCommanderAndSeverityBodies) {
  CliHarness h;
  h.api.Respond(200, kIncident);
  h.api.Respond(200, kIncident);
  h.api.Respond(200, kIncident);
  EXPECT_EQ(h.Run({"incident", "note", "INC-3", "restarted", "the", "node"}), 0) << h.err.str();
  EXPECT_EQ(h.Run({"incident", "commander", "INC-3", "alice"}), 0) << h.err.str();
  EXPECT_EQ(h.Run({"incident", "severity", "INC-3", "SEV2"}), 0) << h.err.str();
  ASSERT_EQ(h.api.requests.size(), 3u);
  EXPECT_EQ(h.api.requests[0].url, "http://127.0.0.1:8080/v1/incidents/INC-3/notes");
  EXPECT_EQ(h.api.requests[0].body, R"({"note":"restarted the node"})");
  EXPECT_EQ(h.api.requests[1].url, "http://127.0.0.1:8080/v1/incidents/INC-3/commander");
  EXPECT_EQ(h.api.requests[1].body, R"({"commander":"alice"})");
  EXPECT_EQ(h.api.requests[2].url, "http://127.0.0.1:8080/v1/incidents/INC-3/severity");
  EXPECT_EQ(h.api.requests[2].body, R"({"severity":"sev2"})");
}

TEST(IncidentCommandsTest, StatusUpdateUnackAndNotifications) {
  CliHarness h;
  h.api.Respond(200, kIncident);
  h.api.Respond(200, kIncident);
  h.api.Respond(200, R"({"incident":"INC-3","notifications":[{"id":1,"step":0,"role":"primary",
    "user":"alice","kind":"page","method":"mail","state":"pending","attempts":1,
    "created_at":"2026-11-02T08:58:00Z"}]})");
  EXPECT_EQ(h.Run({"incident", "update", "INC-3", "--impact", "EU users", "--scope", "messaging",
                   "--mitigation", "failover", "--next-update", "2026-11-02T09:20:00Z"}),
            0)
      << h.err.str();
  EXPECT_EQ(h.Run({"incident", "unack", "3"}), 0) << h.err.str();
  EXPECT_EQ(h.Run({"incident", "notifications", "INC-3"}), 0) << h.err.str();
  ASSERT_EQ(h.api.requests.size(), 3u);
  EXPECT_EQ(h.api.requests[0].url, "http://127.0.0.1:8080/v1/incidents/INC-3/updates");
  EXPECT_EQ(
      h.api.requests[0].body,
      R"({"impact":"EU users","mitigation":"failover","next_update_at":"2026-11-02T09:20:00Z",)"
      R"("scope":"messaging"})");
  EXPECT_EQ(h.api.requests[1].url, "http://127.0.0.1:8080/v1/incidents/INC-3/unacknowledge");
  EXPECT_EQ(h.api.requests[2].method, "GET");
  EXPECT_EQ(h.api.requests[2].url, "http://127.0.0.1:8080/v1/incidents/INC-3/notifications");
  const std::string out = h.out.str();
  EXPECT_NE(out.find("status update posted to INC-3"), std::string::npos) << out;
  EXPECT_NE(out.find("STEP  KIND  METHOD  ROLE     USER   STATE    ATTEMPTS  AGE"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("0     page  mail    primary  alice  pending  1         2m"),
            std::string::npos)
      << out;
}

TEST(IncidentCommandsTest, ReassignPostsTheUser) {
  CliHarness h;
  h.api.Respond(200, kIncident);
  EXPECT_EQ(h.Run({"incident", "reassign", "INC-3", "bob", "--note", "db expert"}), 0)
      << h.err.str();
  ASSERT_EQ(h.api.requests.size(), 1u);
  EXPECT_EQ(h.api.requests[0].url, "http://127.0.0.1:8080/v1/incidents/INC-3/reassign");
  EXPECT_EQ(h.api.requests[0].body, R"({"note":"db expert","user":"bob"})");
}

TEST(IncidentCommandsTest, AnIncompleteStatusUpdateExits2NamingTheMissingFlags) {
  CliHarness h;
  EXPECT_EQ(h.Run({"incident", "update", "INC-3", "--impact", "EU users"}), 2);
  EXPECT_TRUE(h.api.requests.empty());
  EXPECT_NE(h.err.str().find("missing --scope, --mitigation, --next-update"), std::string::npos)
      << h.err.str();
}

TEST(IncidentCommandsTest, ShowPrintsTheDetailView) {
  CliHarness h;
  h.api.Respond(200, kIncident);
  EXPECT_EQ(h.Run({"incident", "show", "inc-3"}), 0) << h.err.str();
  EXPECT_EQ(h.api.requests[0].method, "GET");
  EXPECT_EQ(h.api.requests[0].url, "http://127.0.0.1:8080/v1/incidents/INC-3");
  EXPECT_EQ(h.out.str().rfind("INC-3  LOOM ready probe failing\n", 0), 0u) << h.out.str();
}

TEST(IncidentCommandsTest, BadIncidentIdExits2WithoutARequest) {
  CliHarness h;
  EXPECT_EQ(h.Run({"incident", "ack", "bogus"}), 2);
  EXPECT_EQ(h.err.str(),
            "error: invalid incident id 'bogus': expected INC-<number>, e.g. INC-42\n");
  EXPECT_TRUE(h.api.requests.empty());
  EXPECT_EQ(h.out.str(), "");
}

TEST(IncidentCommandsTest, BadSeverityExits2WithoutARequest) {
  CliHarness h;
  EXPECT_EQ(h.Run({"incident", "severity", "INC-1", "critical"}), 2);
  EXPECT_EQ(h.err.str(), "error: invalid severity 'critical': expected sev1, sev2, sev3 or sev4\n");
  EXPECT_TRUE(h.api.requests.empty());
}

TEST(IncidentCommandsTest, InvalidFlagValuesAreUsageErrors) {
  for (std::vector<std::string> args : {
           std::vector<std::string>{"incident", "list", "--state", "open"},
           std::vector<std::string>{"incident", "list", "--limit", "0"},
           std::vector<std::string>{"incident", "list", "--limit", "501"},
           std::vector<std::string>{"incident", "ack"},
           std::vector<std::string>{"incident", "note", "INC-1"},
           std::vector<std::string>{"incident", "list", "--server", "localhost:8080"},
           std::vector<std::string>{"incident"},
       }) {
    CliHarness h;
    EXPECT_EQ(h.Run(args), 2) << args.back();
    EXPECT_EQ(h.err.str().rfind("error: ", 0), 0u) << h.err.str();
    EXPECT_TRUE(h.api.requests.empty());
  }
}

TEST(IncidentCommandsTest, HttpErrorsPrintTheProblemDetailAndMapTheExitCode) {
  struct Case {
    int status;
    int exit_code;
  };
  for (Case c : {Case{400, 2}, Case{401, 3}, Case{403, 3}, Case{404, 4}, Case{409, 5}, Case{429, 6},
                 Case{503, 6}, Case{500, 1}}) {
    CliHarness h;
    h.api.Respond(c.status, R"({"title":"x","detail":"it went wrong"})");
    EXPECT_EQ(h.Run({"incident", "resolve", "INC-2"}), c.exit_code) << c.status;
    EXPECT_EQ(h.err.str(), "error: it went wrong (HTTP " + std::to_string(c.status) + ")\n");
    EXPECT_EQ(h.out.str(), "");
  }
}

TEST(IncidentCommandsTest, UnreachableServerExits6) {
  CliHarness h;
  h.api.FailWith(Error::Unavailable("Connection refused"));
  EXPECT_EQ(h.Run({"incident", "list", "--server", "http://127.0.0.1:9"}), 6);
  EXPECT_EQ(h.err.str(), "error: cannot reach http://127.0.0.1:9: Connection refused\n");
}

TEST(IncidentCommandsTest, TransportOptionsFromFlags) {
  CliHarness h;
  h.api.Respond(200, R"({"incidents":[]})");
  EXPECT_EQ(h.Run({"incident", "list", "--timeout", "7"}), 0);
  ASSERT_EQ(h.api.transports.size(), 1u);
  EXPECT_EQ(h.api.transports[0].timeout_seconds, 7);
}

}  // namespace
}  // namespace loom
