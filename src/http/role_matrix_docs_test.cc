// docs/authentication.md "Route by route" lists every route of the table (routes.cc) with what it
// needs, in table order: this test keeps the two in step (a route added, removed or given another
// role without its line in the docs fails, and prints the lines the docs should have).
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "http/api.h"
#include "testing/temp_dir.h"

namespace loom::http {
namespace {

// What the docs say a route needs.
std::string Needs(const RouteAccess& a) {
  const std::string role = std::string("`") + RoleName(a.role) + "`";
  switch (a.credential) {
    case Credential::kCaller:
      switch (a.scope) {
        case Scope::kServer: return role;
        case Scope::kTeam: return role + " on the team";
        case Scope::kPerson:
          return "the person themself with " + role + " (globally or in a team), or an `admin`";
        case Scope::kShifts:
          return role + " on the schedule's team, or `responder` in it for one's own shifts";
      }
      break;
    case Credential::kCalendarFeed:
      return "a token of role `calendar` or higher, as header or `?token=`";
    case Credential::kAdminToken: return "a token of role `admin` (also as `x-loom-admin-token`)";
    case Credential::kIntegrationKey: return "an integration key";
    case Credential::kProvider: return "the provider's signature or secret";
    case Credential::kLink: return "the link";
    case Credential::kSignIn: return "nobody (signing in; rate-limited)";
    case Credential::kSession: return "the console session (and the CSRF token to change it)";
    case Credential::kPassword: return "the current password, a reset token, or an `admin`";
    case Credential::kNone: return "nobody";
  }
  return "?";
}

// The lines of the "Route by route" table of docs/authentication.md (after its header rows).
std::vector<std::string> DocumentedLines() {
  const std::string doc =
      loom::testing::ReadFileOrDie(loom::testing::TestDataPath("../../docs/authentication.md"));
  std::vector<std::string> lines;
  const size_t section = doc.find("\n### Route by route\n");
  if (section == std::string::npos) return lines;
  std::istringstream in(doc.substr(section));
  std::string line;
  bool table = false;
  while (std::getline(in, line)) {
    if (line.starts_with("| Route |") || line.starts_with("| ---")) {
      table = true;
      continue;
    }
    if (table && !line.starts_with("|")) break;
    if (table) lines.push_back(line);
  }
  return lines;
}

TEST(RoleMatrixDocsTest, TheDocsListEveryRouteWithWhatItNeeds) {
  std::vector<std::string> expected;
  for (const Api::RouteEntry& r : Api::RouteTable()) {
    expected.push_back(std::string("| `") + MethodName(r.method) + " " + r.pattern + "` | " +
                       Needs(r.access) + " |");
  }
  const std::vector<std::string> documented = DocumentedLines();
  std::string want;
  for (const std::string& line : expected) want += line + "\n";
  EXPECT_EQ(documented, expected) << "docs/authentication.md \"Route by route\" should read:\n"
                                  << want;
}

}  // namespace
}  // namespace loom::http
