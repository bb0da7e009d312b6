// `incident evidence ...` and `incident checklist` against a fake API.
#include <gtest/gtest.h>

#include "cli/cli_test_harness.h"

namespace loom {
namespace {

using testing::CliHarness;

TEST(SecurityCommandsTest, EvidenceAddSendsAReference) {
  CliHarness h;
  h.api.Respond(201, R"({"id":2,"name":"snapshot","size":9,"sha256":"ab12"})");
  EXPECT_EQ(h.Run({"incident", "evidence", "add", "4", "--uri", "s3://x/y", "--name", "snapshot"}),
            0)
      << h.err.str();
  ASSERT_EQ(h.api.requests.size(), 1u);
  EXPECT_EQ(h.api.requests[0].url, "http://127.0.0.1:8080/v1/incidents/INC-4/evidence");
  EXPECT_EQ(h.api.requests[0].body, R"({"kind":"reference","name":"snapshot","uri":"s3://x/y"})");
  EXPECT_NE(h.out.str().find("evidence 2 added to INC-4: snapshot (9 bytes, sha256 ab12)"),
            std::string::npos)
      << h.out.str();
}

TEST(SecurityCommandsTest, EvidenceAddNeedsExactlyOneSource) {
  CliHarness h;
  EXPECT_EQ(h.Run({"incident", "evidence", "add", "4", "--uri", "a", "--request-id", "b"}), 2);
  EXPECT_EQ(h.Run({"incident", "evidence", "add", "4"}), 2);
  EXPECT_TRUE(h.api.requests.empty());
}

TEST(SecurityCommandsTest, ChecklistDonePostsTheItemAndPrintsTheList) {
  CliHarness h;
  h.api.Respond(200, R"({"incident":"INC-4","items":[
    {"id":"rotate-loom-admin-token","text":"Revoke/rotate LOOM_ADMIN_TOKEN","owner":"alice",
     "done":true},
    {"id":"tighten-allowlists","text":"Tighten allowlists","owner":null,"done":false}],
    "done":1,"total":2,"complete":false})");
  EXPECT_EQ(h.Run({"incident", "checklist", "INC-4", "rotate-loom-admin-token", "--done", "--owner",
                   "alice"}),
            0)
      << h.err.str();
  ASSERT_EQ(h.api.requests.size(), 1u);
  EXPECT_EQ(h.api.requests[0].url,
            "http://127.0.0.1:8080/v1/incidents/INC-4/checklist/rotate-loom-admin-token");
  EXPECT_EQ(h.api.requests[0].body, R"({"done":true,"owner":"alice"})");
  EXPECT_EQ(h.out.str(),
            "[x] rotate-loom-admin-token  Revoke/rotate LOOM_ADMIN_TOKEN  owner alice\n"
            "[ ] tighten-allowlists  Tighten allowlists\n"
            "1/2 done\n");
}

}  // namespace
}  // namespace loom
