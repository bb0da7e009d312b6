// Server: one running loom-oncall server, what `loom-oncall serve` starts and stops
// (cli/serve_command.h parses the flags, loads the configuration and the policy, claims the data
// directory and hands them over).
//
// Start() brings the parts up in this order, and each part is a member declared in the same
// order, so that destruction is the teardown in reverse: a start that fails half-way takes down
// only what had started, and a running server stops by being destroyed.
//   1. the data directory claim (its lock; a directory this start created goes unless it served)
//   2. the open-file limit, raised to the hard one before anything takes descriptors
//   3. the store, opened and migrated (shut down last: queued writes commit); the configured
//      services and users seeded, the on-call picture, the one-click link key and the drill
//      schedule read or created in it
//   4. the deadline loop (engine/deadline_loop.h): the thread the engine, the outbox scheduler and
//      the probe ticks wait on
//   5. the escalation engine, loaded: its hooks are in the store before the first request
//   6. the availability probes (their worker runs for on-demand rounds on every instance)
//   7. the outbox workers, loaded but not sending
//   8. the HTTP server; the links messages carry then name the address it bound
//   9. leadership (Store::SetLeadershipHooks): the engine, the outbox workers and the scheduled
//      probe rounds run while this instance leads — at once with SQLite
// The teardown: leadership hooks removed; the HTTP server stopped (in-flight requests finish);
// the outbox workers stopped (sends in progress are recorded); the probes, the engine and the
// loop stopped; the store shut down; the claim released. docs/THREADS.md names the threads.
//
// Thread safety: Start and the destructor on one thread (serve's main thread); url() and
// config() from any.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "config/config.h"
#include "core/roster.h"
#include "core/severity_policy.h"
#include "engine/deadline_loop.h"
#include "engine/delivery.h"
#include "engine/escalation_engine.h"
#include "engine/probe_runner.h"
#include "http/server.h"
#include "notify/action_link.h"
#include "server/data_dir_lock.h"
#include "server/open_files.h"
#include "store/store.h"

namespace loom {

// One-click links for (incident number, recipient, via, now): what DeliveryService::Options::links
// takes.
using MessageLinks =
    std::function<LinkSigner::Links(int64_t, const std::string&, const std::string&, TimePoint)>;

class Server {
 public:
  // What the configuration and the flags decided.
  struct Options {
    Config config;  // with the flags' overrides applied
    std::shared_ptr<const SeverityPolicy> policy;
    DataDirClaim data_dir;            // the data directory, locked (step 1)
    bool public_url_derived = false;  // the public URL follows the bound address (--listen :0)
    std::string version;              // served at /health and logged
  };
  // The parts built outside (the CLI wires the real ones; tests wire fakes).
  struct Parts {
    Clock& clock;
    // Opens (and migrates) the configured store; the error names the store.
    std::function<Result<std::unique_ptr<Store>>()> open_store;
    std::string store_name;  // how logs name the store (never a URL)
    // Starts the HTTP server (http/server.h's StartHttpServer).
    std::function<Result<std::unique_ptr<HttpServer>>(const ServerOptions&, ServerDeps)> start_http;
    // Builds the outbox workers, loaded and not started (cli/delivery_setup.h's LoadDelivery).
    std::function<Result<std::unique_ptr<DeliveryService>>(Store&, std::shared_ptr<Roster>,
                                                           MessageLinks)>
        load_delivery;
    // The e-mail channel of notify.smtp that password reset links go through
    // (cli/delivery_setup.h's MakeMailChannel); null, or a null channel: reset links are not sent.
    std::function<Result<std::shared_ptr<Channel>>()> make_mail = nullptr;
  };

  // Brings the server up (the steps above). On failure what had started is stopped again and the
  // error names the step that failed.
  static Result<std::unique_ptr<Server>> Start(Options options, Parts parts);

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  // The teardown (above).
  ~Server();

  // "http://HOST:PORT" with the bound port (https with TLS).
  const std::string& url() const { return url_; }
  const Config& config() const { return options_.config; }

 private:
  // A store that is shut down when it goes.
  struct OpenStore {
    std::unique_ptr<Store> store;
    ~OpenStore() {
      if (store) store->Shutdown();
    }
  };
  // An HTTP server that is stopped when it goes (in-flight requests finish).
  struct RunningHttp {
    std::unique_ptr<HttpServer> server;
    ~RunningHttp() {
      if (!server) return;
      server->Stop();
      server->Wait();
    }
  };
  // Leadership hooks that are removed when they go.
  struct Leadership {
    Store* store = nullptr;
    ~Leadership() {
      if (store != nullptr) store->SetLeadershipHooks(nullptr, nullptr);
    }
  };

  Server(Options options, Parts parts);
  Status StartStore();
  Status StartEngine();
  Status StartDelivery();
  Status StartHttp();
  void Lead();
  void Follow();
  LinkSigner::Links LinksFor(int64_t incident, const std::string& recipient, const std::string& via,
                             TimePoint now) const;

  // What it was started with (not started or stopped).
  Options options_;
  Parts parts_;
  std::string url_;
  std::string lead_error_;  // the last failure of Lead(), logged once per cause

  // The parts, in start order (see the header comment): destruction is the teardown.
  DataDirClaim data_dir_;
  OpenFileLimit open_files_;
  OpenStore store_;
  std::shared_ptr<Roster> roster_;
  OnCallDeps oncall_;  // handed to the HTTP server
  std::string link_key_;
  std::shared_ptr<const LinkSigner> link_signer_;  // verifies links at /a/
  TimePoint drill_anchor_{};
  mutable std::mutex links_mu_;
  std::shared_ptr<const LinkSigner> message_links_;  // GUARDED_BY(links_mu_): set with url_
  std::string public_url_;                           // GUARDED_BY(links_mu_): set with url_
  std::unique_ptr<DeadlineLoop> loop_;
  std::unique_ptr<EscalationEngine> engine_;
  std::shared_ptr<ProbeRunner> probes_;
  std::unique_ptr<DeliveryService> delivery_;
  RunningHttp http_;
  Leadership leadership_;
};

// "http://127.0.0.1:8080" from listen "127.0.0.1:0" and the bound port; https with TLS. An empty
// host (":8080") reads as 0.0.0.0; an IPv6 host keeps its brackets.
std::string ListeningUrl(const std::string& listen, uint16_t port, bool tls);

}  // namespace loom
