#include "http/route_access.h"

namespace loom::http {

const char* CredentialName(Credential credential) {
  switch (credential) {
    case Credential::kCaller: return "caller";
    case Credential::kCalendarFeed: return "calendar feed";
    case Credential::kAdminToken: return "admin token";
    case Credential::kIntegrationKey: return "integration key";
    case Credential::kProvider: return "provider";
    case Credential::kLink: return "link";
    case Credential::kSignIn: return "sign-in";
    case Credential::kSession: return "session";
    case Credential::kPassword: return "password";
    case Credential::kNone: return "none";
  }
  return "none";
}

const char* ScopeName(Scope scope) {
  switch (scope) {
    case Scope::kServer: return "server";
    case Scope::kTeam: return "team";
    case Scope::kPerson: return "person";
    case Scope::kShifts: return "shifts";
  }
  return "server";
}

}  // namespace loom::http
