#include "server/server.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <utility>
#include <vector>

#include "accounts/password_hash.h"
#include "common/crypto.h"
#include "config/contact_method_input.h"
#include "config/oncall_snapshot.h"
#include "engine/drill_deadline.h"
#include "engine/link_key.h"
#include "server/probe_setup.h"
#include "server/sign_on_setup.h"

namespace loom {
namespace {

// An error with what failed put before its message (the code kept).
Error WithContext(const std::string& what, const Error& e) {
  return Error{e.code, what + ": " + e.message, {}};
}

Status SeedServices(const Config& config, Store& store) {
  for (const ServiceConfig& configured : config.services) {
    std::vector<std::string> hashes;
    hashes.reserve(configured.integration_keys.size());
    for (const std::string& key : configured.integration_keys) hashes.push_back(Sha256Hex(key));
    Status seeded = store.UpsertConfiguredService(configured.service, hashes);
    if (!seeded.ok()) {
      return WithContext("cannot seed service '" + configured.service.id + "'", seeded.error());
    }
  }
  return OkStatus();
}

// The configured heartbeats (`services[].heartbeats`), and every heartbeat resumed: none expires
// before interval + grace from this start (store/heartbeat_store.h).
Status ApplyHeartbeats(const Config& config, Store& store) {
  std::vector<Heartbeat> heartbeats;
  for (const ServiceConfig& configured : config.services) {
    heartbeats.insert(heartbeats.end(), configured.heartbeats.begin(), configured.heartbeats.end());
  }
  Status applied = store.ApplyConfiguredHeartbeats(heartbeats);
  if (!applied.ok()) return WithContext("cannot apply the heartbeats", applied.error());
  return OkStatus();
}

// Seeds the configured users, then builds the on-call picture from the configuration and the
// overrides stored through the API. The file is re-applied at every start; stored overrides of a
// schedule that is no longer configured are kept in the store but left out (with a warning).
// `serve --demo`: every configured user who has no password yet gets the demo's (demo.env), so
// that the walkthrough signs in as a person; a password a user set is kept.
Status SeedDemoPasswords(const Config& config, AccountStore& store) {
  if (config.demo_password.empty()) return OkStatus();
  for (const UserConfig& u : config.users) {
    Result<std::optional<StoredAccount>> account = store.GetAccount(u.user.id);
    if (!account.ok()) return std::move(account).error();
    if (!account->has_value() || !(**account).password_hash.empty()) continue;
    Result<std::string> hash = HashPassword(config.demo_password);
    if (!hash.ok()) return std::move(hash).error();
    Result<bool> set = AwaitWrite<bool>(
        [&](auto done) { store.SetPasswordHash(u.user.id, std::move(*hash), done); });
    if (!set.ok()) return std::move(set).error();
  }
  return OkStatus();
}

// `snapshot` with the people created through the API (store/account_store.h), then the contact
// methods people added and verified and their notification rules (store/contact_store.h) merged
// in; `skipped` gets the methods that no longer resolve.
Result<std::shared_ptr<const OnCallSnapshot>> WithContacts(
    Result<std::shared_ptr<const OnCallSnapshot>> snapshot, Store& store,
    const ContactContext& context, std::vector<std::string>* skipped) {
  if (!snapshot.ok()) return snapshot;
  auto accounts = store.ListAccounts();
  if (!accounts.ok()) return std::move(accounts).error();
  snapshot = WithCreatedUsers(*snapshot, *accounts);
  auto methods = store.ListContactMethods("");
  if (!methods.ok()) return std::move(methods).error();
  auto rules = store.ListNotificationRules();
  if (!rules.ok()) return std::move(rules).error();
  return WithStoredContacts(*snapshot, *methods, *rules, context, skipped);
}

Result<OnCallDeps> LoadOnCall(const Config& config, Store& store) {
  std::vector<User> users;
  for (const UserConfig& u : config.users) users.push_back(u.user);
  Status seeded = store.UpsertConfiguredUsers(users);
  if (!seeded.ok()) return WithContext("cannot seed users", seeded.error());
  auto stored = store.ListOverrides();
  if (!stored.ok()) return WithContext("cannot read schedule overrides", stored.error());
  std::vector<std::string> skipped;
  const ContactContext contacts = ContactContextOf(config);
  auto snapshot =
      WithContacts(BuildOnCallSnapshot(config, *stored, &skipped), store, contacts, &skipped);
  if (!snapshot.ok()) return std::move(snapshot).error();
  for (const std::string& line : skipped) spdlog::warn("on-call: {}", line);

  OnCallDeps deps;
  deps.roster = std::make_shared<Roster>(std::move(snapshot).value());
  auto shared_config = std::make_shared<const Config>(config);
  // REQUIRES: the store outlives the HTTP server that calls it (the server's members).
  deps.rebuild = [shared_config, &store, contacts](const std::vector<ScheduleOverride>& overrides) {
    return WithContacts(BuildOnCallSnapshot(*shared_config, overrides), store, contacts, nullptr);
  };
  deps.stored_overrides = std::move(stored).value();
  return deps;
}

}  // namespace

Server::Server(Options options, Parts parts)
    : options_(std::move(options)),
      parts_(std::move(parts)),
      data_dir_(std::move(options_.data_dir)) {}

Server::~Server() {
  // The members go in reverse (see the header); nothing else to do first.
}

Result<std::unique_ptr<Server>> Server::Start(Options options, Parts parts) {
  std::unique_ptr<Server> server(new Server(std::move(options), std::move(parts)));
  // Each step starts its members; on a failure `server` goes and takes down what had started.
  if (Status s = server->StartStore(); !s.ok()) return std::move(s).error();
  if (Status s = server->StartEngine(); !s.ok()) return std::move(s).error();
  if (Status s = server->StartDelivery(); !s.ok()) return std::move(s).error();
  if (Status s = server->StartHttp(); !s.ok()) return std::move(s).error();
  // Leadership last: with SQLite the engine, the outbox workers and the probe rounds start here.
  Server* self = server.get();
  server->leadership_.store = server->store_.store.get();
  server->store_.store->SetLeadershipHooks([self] { self->Lead(); }, [self] { self->Follow(); });
  server->data_dir_.Served();
  const Config& config = server->options_.config;
  spdlog::info(
      "loom-oncall {} serving on {} (config {}, store {}, {} service(s), {} user(s), {} "
      "schedule(s))",
      server->options_.version, server->url_, config.source, server->parts_.store_name,
      config.services.size(), config.users.size(), config.schedules.size());
  return server;
}

Status Server::StartStore() {
  const Config& config = options_.config;
  // Before the store, the probes and the clients take descriptors: the soft open-file limit up to
  // the hard one (the connection cap is sized from it in StartHttp).
  open_files_ = RaiseOpenFileLimit();
  if (!open_files_.error.empty()) {
    spdlog::warn("cannot raise the open-file limit ({}); keeping soft limit {}", open_files_.error,
                 open_files_.soft);
  }
  Result<std::unique_ptr<Store>> opened = parts_.open_store();
  if (!opened.ok()) return std::move(opened).error();
  store_.store = std::move(opened).value();
  Store& store = *store_.store;

  if (Status seeded = SeedServices(config, store); !seeded.ok()) return seeded;
  if (Status applied = ApplyHeartbeats(config, store); !applied.ok()) return applied;
  // `maintenance:` (store/maintenance_store.h); a window's held escalations wait in the store.
  if (Status applied = store.ApplyConfiguredMaintenance(config.maintenance); !applied.ok()) {
    return WithContext("cannot apply the maintenance windows", applied.error());
  }
  Result<OnCallDeps> oncall = LoadOnCall(config, store);
  if (!oncall.ok()) return std::move(oncall).error();
  oncall_ = std::move(oncall).value();
  roster_ = oncall_.roster;
  if (Status seeded = SeedDemoPasswords(config, store); !seeded.ok()) {
    return WithContext("cannot give the demo users their password", seeded.error());
  }

  // One-click links: one key (read or created once) signs the links notifications carry and
  // verifies them at /a/.
  Result<std::string> link_key = LoadOrCreateLinkKey(config.notify.link_secret, store);
  if (!link_key.ok()) return std::move(link_key).error();
  link_key_ = std::move(link_key).value();
  link_signer_ = std::make_shared<const LinkSigner>(link_key_, config.server.public_url,
                                                    config.notify.link_ttl);

  // The drill schedule: it starts with the first start-up (kept in the store), and the next
  // drill's deadline is planned before the engine loads the pending ones.
  Result<TimePoint> drill_anchor = StartDrillSchedule(config.drills, store, parts_.clock.Now());
  if (!drill_anchor.ok()) return std::move(drill_anchor).error();
  drill_anchor_ = *drill_anchor;
  return OkStatus();
}

Status Server::StartEngine() {
  loop_ = std::make_unique<DeadlineLoop>(parts_.clock);
  loop_->Start();
  // The escalation engine: its hooks in the store before the first request (a new incident's
  // first page is decided in its own transaction, on every instance); it runs while this
  // instance leads.
  engine_ =
      std::make_unique<EscalationEngine>(*store_.store, parts_.clock, options_.policy, roster_);
  if (Status loaded = engine_->Load(); !loaded.ok()) {
    return WithContext("cannot load pending deadlines", loaded.error());
  }
  // The availability playbook's probes (server/probe_setup.h): the worker runs on every instance
  // (on-demand rounds, the resolve gate); the scheduled rounds only while this one leads.
  Result<std::shared_ptr<ProbeRunner>> probes =
      MakeProbeRunner(options_.config, *store_.store, parts_.clock);
  if (!probes.ok()) return std::move(probes).error();
  probes_ = std::move(probes).value();
  probes_->SetScheduled(false);  // until this instance leads
  probes_->Start(*loop_);
  return OkStatus();
}

Status Server::StartDelivery() {
  // Loaded (pending messages back in their heap) now; sending once this instance leads, by when
  // the links in messages can name the bound address.
  Result<std::unique_ptr<DeliveryService>> delivery = parts_.load_delivery(
      *store_.store, roster_,
      [this](int64_t incident, const std::string& recipient, const std::string& via,
             TimePoint now) { return LinksFor(incident, recipient, via, now); });
  if (!delivery.ok()) return std::move(delivery).error();
  delivery_ = std::move(delivery).value();
  return OkStatus();
}

LinkSigner::Links Server::LinksFor(int64_t incident, const std::string& recipient,
                                   const std::string& via, TimePoint now) const {
  std::shared_ptr<const LinkSigner> links;
  {
    std::lock_guard<std::mutex> lock(links_mu_);
    links = message_links_;
  }
  return links ? links->For(incident, recipient, via, now) : LinkSigner::Links{};
}

Status Server::StartHttp() {
  const Config& config = options_.config;
  ServerOptions server_options;
  server_options.listen = config.server.listen;
  server_options.tls_cert = config.server.tls_cert;
  server_options.tls_key = config.server.tls_key;
  server_options.threads = config.server.threads;
  server_options.version = options_.version;
  server_options.drills = config.drills;
  if (config.notify.telegram) {
    server_options.telegram_secret_token = config.notify.telegram->secret_token;
  }
  server_options.drill_anchor = drill_anchor_;
  server_options.public_url = config.server.public_url;
  if (config.notify.twilio) server_options.twilio_auth_token = config.notify.twilio->auth_token;
  const ConnectionBudget budget =
      HttpConnectionBudget(open_files_.soft, CountOpenFiles().value_or(0), config.notify.workers,
                           server_options.max_connections);
  server_options.max_connections = budget.max_connections;
  spdlog::info(
      "open files: soft limit {}{} (hard limit {}); HTTP connections capped at {}, {} "
      "descriptors kept for the store, probes and deliveries",
      open_files_.soft,
      open_files_.soft != open_files_.before ? ", raised from " + std::to_string(open_files_.before)
                                             : std::string(),
      open_files_.hard == RLIM_INFINITY ? std::string("unlimited")
                                        : std::to_string(open_files_.hard),
      budget.max_connections, budget.reserved);
  // People signing in (`auth:`): reset links start with the public URL, known once bound.
  server_options.accounts.local = config.auth.local;
  server_options.accounts.session_idle = config.auth.session.idle;
  server_options.accounts.session_absolute = config.auth.session.absolute;
  server_options.accounts.reset_ttl = config.auth.reset_ttl;
  server_options.accounts.public_url = [this] {
    std::lock_guard<std::mutex> lock(links_mu_);
    return public_url_;
  };
  // Contact methods people add: their codes and tests go straight through delivery's channels.
  server_options.accounts.contacts = ContactContextOf(config);
  server_options.accounts.send_direct = [this](const Destination& to, const Notice& notice) {
    return delivery_->SendDirect(to, notice);
  };
  if (parts_.make_mail) {
    Result<std::shared_ptr<Channel>> mail = parts_.make_mail();
    if (!mail.ok()) return std::move(mail).error();
    server_options.accounts.mail = std::move(mail).value();
  }
  std::string admin_hash = config.admin_token.empty() ? "" : Sha256Hex(config.admin_token);
  if (admin_hash.empty()) {
    spdlog::warn("LOOM_ONCALL_ADMIN_TOKEN is not set: only API tokens created earlier work");
  }
  // Single sign-on: its redirect URI is under the configured public URL (what the provider has
  // registered), not the bound address.
  Result<std::shared_ptr<oidc::SignOn>> sign_on =
      MakeSignOn(config, config.server.public_url, parts_.clock);
  if (!sign_on.ok()) return WithContext("cannot set up single sign-on", sign_on.error());
  auto started =
      parts_.start_http(server_options, ServerDeps{*store_.store, parts_.clock, admin_hash,
                                                   options_.policy, std::move(oncall_),
                                                   [this] {
                                                     EngineStats stats = engine_->Stats();
                                                     stats.delivery = delivery_->Stats();
                                                     return stats;
                                                   },
                                                   link_signer_, probes_, *sign_on});
  if (!started.ok()) return WithContext("cannot start the HTTP server", started.error());
  http_.server = std::move(started).value();

  const bool tls = !config.server.tls_cert.empty();
  url_ = ListeningUrl(config.server.listen, http_.server->port(), tls);
  // A public URL the file did not set follows the address actually bound (--listen, port 0).
  const std::string public_url = options_.public_url_derived ? url_ : config.server.public_url;
  std::lock_guard<std::mutex> lock(links_mu_);
  public_url_ = public_url;
  message_links_ =
      std::make_shared<const LinkSigner>(link_key_, public_url, config.notify.link_ttl);
  return OkStatus();
}

// PostgreSQL runs `lead` again every second while this instance leads: what could not be loaded
// (the database was away a moment ago) is loaded then, and once everything is, Load reads
// nothing. A failure is logged when its cause changes, not every second. Leading after following
// reloads what is pending, as another instance may have left it.
void Server::Lead() {
  probes_->SetScheduled(true);
  engine_->Start(*loop_);
  delivery_->Start(*loop_);
  Status loaded = engine_->Load();
  if (loaded.ok()) loaded = delivery_->Load();
  if (loaded.ok()) {
    if (!lead_error_.empty()) spdlog::info("loaded the pending work");
    lead_error_.clear();
  } else if (loaded.error().message != lead_error_) {
    lead_error_ = loaded.error().message;
    spdlog::error("loading the pending work (tried again every second): {}", lead_error_);
  }
}

void Server::Follow() {
  probes_->SetScheduled(false);
  delivery_->Stop();
  engine_->Stop();
}

std::string ListeningUrl(const std::string& listen, uint16_t port, bool tls) {
  std::string host = listen;
  size_t colon = listen.rfind(':');
  // "[::1]:8080" and "host:8080" split at the last ':'; a bare IPv6 address has ':' inside.
  if (colon != std::string::npos && (listen.find(':') == colon || listen.front() == '[')) {
    host = listen.substr(0, colon);
  }
  if (host.empty()) host = "0.0.0.0";
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

}  // namespace loom
