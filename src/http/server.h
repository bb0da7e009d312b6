// The HTTP server: Boost.Beast on Asio, plain or TLS, keep-alive, a deadline on every read and
// write, a body limit on every request (512 KiB on ingest endpoints), bounded in-flight work.
//
// Routes: the Api's table (http/routes.cc; docs/api.md is the contract): one ingest route per
// format of ingest/ingest_formats.h, then the native /v1 API, the one-click links (/a/{token}),
// health and metrics, and the web console (/ui).
//
// Thread safety: Start() returns a running server; Stop() may be called from any thread (e.g. a
// signal handler's strand) and is idempotent.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "core/drill.h"
#include "core/severity_policy.h"
#include "engine/escalation_engine.h"
#include "http/account_options.h"
#include "http/oncall_deps.h"
#include "notify/action_link.h"
#include "store/store.h"

namespace loom {

class ProbeRunner;  // engine/probe_runner.h
namespace oidc {
class SignOn;  // oidc/sign_on.h
}  // namespace oidc

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free port
  std::string tls_cert, tls_key;          // PEM files; both set = HTTPS
  int threads = 0;                        // 0 = std::thread::hardware_concurrency()
  size_t ingest_body_limit = 512 * 1024;
  size_t api_body_limit = 1024 * 1024;
  int read_timeout_seconds = 30;
  int max_connections = 10000;
  std::string version = "0.1.0";
  DrillSettings drills;               // `drills:` (ApiOptions::drills)
  TimePoint drill_anchor{};           // ApiOptions::drill_anchor
  http::AccountOptions accounts;      // ApiOptions::accounts (`auth:`)
  std::string public_url;             // ApiOptions::public_url
  std::string twilio_auth_token;      // ApiOptions::twilio_auth_token
  std::string telegram_secret_token;  // ApiOptions::telegram_secret_token
};

struct ServerDeps {
  Store& store;
  Clock& clock;
  // SHA-256 hex of $LOOM_ONCALL_ADMIN_TOKEN; empty when unset (then only stored tokens work).
  std::string admin_token_hash;
  // The effective severity policy (runbook + config overrides), served at GET /v1/policy; null
  // answers that route with 503.
  std::shared_ptr<const SeverityPolicy> policy;
  // Users, schedules and overrides; empty: those routes answer 503.
  OnCallDeps oncall;
  // The escalation engine's figures for /metrics; null: left out.
  std::function<EngineStats()> engine_stats;
  // Verifies one-click links (GET/POST /a/{token}); the same signer makes the links the
  // notifications carry. Null: /a/ answers 404.
  std::shared_ptr<const LinkSigner> links;
  // The availability playbook's probes (on-demand routes, resolve gate); null: none.
  std::shared_ptr<ProbeRunner> probes = nullptr;
  // Single sign-on (auth.oidc, /ui/auth/oidc/...); null: off.
  std::shared_ptr<oidc::SignOn> sign_on = nullptr;
};

class HttpServer {
 public:
  virtual ~HttpServer() = default;
  // The bound port (useful with port 0).
  virtual uint16_t port() const = 0;
  // Graceful: stop accepting, let in-flight requests finish (bounded wait), then stop threads.
  virtual void Stop() = 0;
  // Blocks until the server has stopped.
  virtual void Wait() = 0;
};

// REQUIRES: deps.store and deps.clock outlive the server.
Result<std::unique_ptr<HttpServer>> StartHttpServer(const ServerOptions& options, ServerDeps deps);

}  // namespace loom
