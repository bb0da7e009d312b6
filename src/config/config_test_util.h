// What the configuration's test suites share: a fake environment and parse helpers that name the
// file "loom-oncall.yaml", as the expected messages do. Test-only (included by *_test.cc).
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>

#include "config/config.h"

namespace loom::config_test {

inline constexpr char kKeyA[] = "0123456789abcdef0123456789abcdef";
inline constexpr char kKeyB[] = "fedcba9876543210fedcba9876543210";

// A fake environment: tests never read or change the real one.
class FakeEnv {
 public:
  FakeEnv() = default;
  explicit FakeEnv(std::map<std::string, std::string> vars) : vars_(std::move(vars)) {}
  EnvLookup lookup() const {
    return [this](const char* name) -> const char* {
      auto it = vars_.find(name);
      return it == vars_.end() ? nullptr : it->second.c_str();
    };
  }
  std::map<std::string, std::string> vars_;
};

inline FakeEnv EnvOf(std::map<std::string, std::string> vars) { return FakeEnv(std::move(vars)); }

inline Result<Config> Parse(const std::string& yaml, const FakeEnv& env = FakeEnv()) {
  return ParseConfig(yaml, "loom-oncall.yaml", env.lookup());
}

// The whole error message of a parse that must fail.
inline std::string ErrorOf(const std::string& yaml, const FakeEnv& env = FakeEnv()) {
  auto r = Parse(yaml, env);
  if (r.ok()) {
    ADD_FAILURE() << "expected an error for:\n" << yaml;
    return "";
  }
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  return r.error().message;
}

// ---- delivery: contact methods, notification rules, incident channels, notify ----

inline constexpr char kHookSecretNew[] = "whsec_bmV3IHNlY3JldCBmb3IgdGVzdHM=";
inline constexpr char kHookSecretOld[] = "whsec_b2xkIHNlY3JldA==";
inline constexpr char kSlackUrl[] = "https://hooks.slack.com/services/T000/B000/secretpart";

// Every variable the delivery tests name, set to valid values.
inline std::map<std::string, std::string> DeliveryVars() {
  return {{"ALICE_HOOK_SECRET", std::string(kHookSecretNew) + "\n " + kHookSecretOld},
          {"ALICE_SLACK", kSlackUrl},
          {"OPS_SLACK", kSlackUrl},
          {"OPS_HOOK_SECRET", kHookSecretNew},
          {"SMTP_PASSWORD", "smtp-password-value"},
          {"LINK_SECRET", "0123456789abcdef0123456789abcdef-link"}};
}

}  // namespace loom::config_test
