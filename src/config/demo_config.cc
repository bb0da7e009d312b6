// The demo configuration of `serve --demo` (config.h DemoConfig; docs/configuration.md "The demo
// configuration"): fixed server and store settings, the on-call picture below parsed like a
// file, and the secrets kept in <data_dir>/demo.env (config/demo_secrets.h).

#include <cstring>
#include <filesystem>

#include "config/config.h"
#include "config/demo_secrets.h"
#include "config/value_checks.h"

namespace loom {
namespace {

using config::kAdminTokenEnv;

// The demo's on-call picture, in the shape of DESIGN.md's sketch, parsed like a config file: four
// users, one schedule per role of service `loom`, so that the demo always pages someone.
constexpr char kDemoOnCall[] = R"(users:
  - { id: demo-primary, name: Demo Primary, email: primary@example.com }
  - { id: demo-secondary, name: Demo Secondary, email: secondary@example.com }
  - { id: demo-manager, name: Demo Escalation Manager, email: manager@example.com }
  - { id: demo-security, name: Demo Security Lead, email: security@example.com }
schedules:
  - id: loom-primary
    time_zone: UTC
    layers:
      - { participants: [demo-primary, demo-secondary], shift: 1w, handoff: "09:00", start: 2026-01-05 }
  - id: loom-secondary
    time_zone: UTC
    layers:
      - { participants: [demo-secondary, demo-primary], shift: 1w, handoff: "09:00", start: 2026-01-05 }
  - id: loom-escalation
    time_zone: UTC
    layers:
      - { participants: [demo-manager], shift: 1w, handoff: "09:00", start: 2026-01-05 }
  - id: loom-security
    time_zone: UTC
    layers:
      - { participants: [demo-security], shift: 1w, handoff: "09:00", start: 2026-01-05 }
services:
  - id: loom
    name: LOOM node
    roles: { primary: loom-primary, secondary: loom-secondary,
             escalation_manager: loom-escalation, security_lead: loom-security }
    business_hours: { time_zone: UTC, days: mon-fri, from: "09:00", to: "17:00" }
    grouping: { window: 30m, match_labels: [service, env] }
)";

Result<Config> BuildDemoConfig(const std::string& data_dir, const EnvLookup& env) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Error::Invalid("cannot create data directory " + data_dir + ": " + ec.message());
  auto secrets = config::LoadOrCreateDemoSecrets(data_dir);
  if (!secrets.ok()) return std::move(secrets).error();

  Config config;
  config.source = "demo";
  config.server.listen = "127.0.0.1:8080";
  config.server.data_dir = data_dir;
  config.server.public_url = "http://127.0.0.1:8080";
  config.store.kind = "sqlite";
  config.store.path = (std::filesystem::path(data_dir) / "loom-oncall.db").string();
  config.runbook = "docs/INCIDENT-RESPONSE-ONCALL.md";
  const EnvLookup no_env;  // the demo text names no variables
  auto oncall = ParseConfig(kDemoOnCall, "demo", no_env);
  if (!oncall.ok())
    return Error::Internal("the built-in demo on-call configuration: " + oncall.error().message);
  config.users = std::move(oncall->users);
  config.schedules = std::move(oncall->schedules);
  ServiceConfig service = std::move(oncall->services.front());
  service.integration_keys.push_back(secrets->key);
  config.services.push_back(std::move(service));
  config.admin_token = secrets->token;
  config.demo_password = secrets->password;
  if (const char* token = env ? env(kAdminTokenEnv) : nullptr; token != nullptr && *token != '\0') {
    if (std::strlen(token) < config::kMinAdminTokenLength) {
      return Error::Invalid(std::string(kAdminTokenEnv) +
                            ": environment variable is too short: at least 16 characters");
    }
    config.admin_token = token;
  }
  return config;
}

}  // namespace

Result<Config> DemoConfig(const std::string& data_dir, const EnvLookup& env) {
  try {
    return BuildDemoConfig(data_dir, env);
  } catch (const std::exception& e) {
    return Error::Internal("demo configuration failed: " + std::string(e.what()));
  }
}

}  // namespace loom
