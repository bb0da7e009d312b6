// server_section.cc: `server:`, `store:` and `log:`.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/config_test_util.h"

namespace loom::config_test {
namespace {

using ::testing::HasSubstr;

TEST(ParseConfig, ServerErrors) {
  for (const char* listen : {"localhost", "127.0.0.1:99999", ":8080", "::1:8080", "[::1:8080",
                             "host name:80", "127.0.0.1:", "127.0.0.1:80x"}) {
    std::string msg = ErrorOf(std::string("server:\n  listen: \"") + listen + "\"\n");
    EXPECT_THAT(msg, HasSubstr("loom-oncall.yaml:2: server.listen: ")) << listen;
    EXPECT_THAT(msg, HasSubstr("expected HOST:PORT")) << listen;
  }
  for (const char* listen :
       {"127.0.0.1:8080", "localhost:80", "[::1]:8080", "[::]:0", "oncall.example.com:443"}) {
    auto r = Parse(std::string("server:\n  listen: \"") + listen + "\"\n");
    EXPECT_TRUE(r.ok()) << listen << ": " << r.error().message;
  }
  EXPECT_EQ(ErrorOf("server:\n  tls_cert: /etc/c.pem\n"),
            "loom-oncall.yaml:2: server.tls_cert: tls_cert is set but tls_key is not (set both "
            "or neither)");
  EXPECT_EQ(ErrorOf("server:\n  listen: 127.0.0.1:1\n  tls_key: /etc/k.pem\n"),
            "loom-oncall.yaml:3: server.tls_key: tls_key is set but tls_cert is not (set both or "
            "neither)");
  EXPECT_EQ(ErrorOf("server:\n  threads: many\n"),
            "loom-oncall.yaml:2: server.threads: must be an integer from 0 to 256");
  EXPECT_EQ(ErrorOf("server:\n  public_url: oncall.example.com\n"),
            "loom-oncall.yaml:2: server.public_url: must start with http:// or https://");
  EXPECT_EQ(ErrorOf("server:\n  port: 8080\n"),
            "loom-oncall.yaml:2: server.port: unknown key (expected one of: listen, data_dir, "
            "public_url, tls_cert, tls_key, threads)");
  // Unquoted IPv6 is YAML flow syntax: a syntax error, or a list.
  EXPECT_THAT(ErrorOf("server:\n  listen: [::1]:8080\n"),
              ::testing::StartsWith("loom-oncall.yaml:2: invalid YAML"));
  EXPECT_EQ(ErrorOf("server:\n  listen: [::1]\n"),
            "loom-oncall.yaml:2: server.listen: must be a string; quote IPv6 addresses: "
            "\"[::1]:8080\"");
  EXPECT_EQ(ErrorOf("server:\n  data_dir: { a: b }\n"),
            "loom-oncall.yaml:2: server.data_dir: must be a string");
  EXPECT_EQ(ErrorOf("server: 8080\n"),
            "loom-oncall.yaml:1: server: must be a mapping (key: value lines)");
}

TEST(ParseConfig, StoreAndLogErrors) {
  EXPECT_EQ(ErrorOf("store:\n  kind: mysql\n"),
            "loom-oncall.yaml:2: store.kind: 'mysql' is not a store kind (sqlite, postgres)");
  EXPECT_EQ(ErrorOf("store:\n  kind: postgres\n"),
            "loom-oncall.yaml:2: store.url_env: is required for kind: postgres (the environment "
            "variable holding the URL)");
  EXPECT_EQ(ErrorOf("store:\n  kind: postgres\n  url_env: PG_URL\n"),
            "loom-oncall.yaml:3: store.url_env: environment variable PG_URL is not set");
  EXPECT_EQ(ErrorOf("store:\n  kind: sqlite\n  url_env: PG_URL\n"),
            "loom-oncall.yaml:3: store.url_env: applies only to kind: postgres");
  EXPECT_EQ(ErrorOf("log:\n  level: verbose\n"),
            "loom-oncall.yaml:2: log.level: 'verbose' is not a log level (trace, debug, info, "
            "warn, error)");
  auto r = Parse("store:\n  kind: postgres\n  url_env: PG_URL\n",
                 EnvOf({{"PG_URL", "postgres://localhost/oncall"}}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->store.kind, "postgres");
  EXPECT_EQ(r->store.url_env, "PG_URL");
  EXPECT_EQ(r->store.url, "postgres://localhost/oncall");
  EXPECT_EQ(r->store.path, "");
}

}  // namespace
}  // namespace loom::config_test
