// `notify:` — how the outbox is delivered: the SMTP server, reachable private hosts, workers,
// retries, bundling and one-click links (docs/configuration.md "notify").

#include <tuple>

#include "config/config_sections.h"
#include "config/value_checks.h"

namespace loom::config {
namespace {

void ParseSmtp(YamlWalker& w, const Entry& e, const std::string& path, SmtpConfig* out) {
  auto m = w.Mapping(e.value, path,
                     {"url", "from", "starttls", "username", "password_env", "verify_tls"});
  if (!m) return;
  if (w.RequiredString(*m, e.value, path, "url", &out->url)) {
    if (std::string why = SmtpUrlProblem(out->url); !why.empty()) {
      w.Report(Find(*m, "url")->value, Join(path, "url"), why);
    }
  }
  if (w.RequiredString(*m, e.value, path, "from", &out->from) && !IsEmailAddress(out->from)) {
    w.Report(Find(*m, "from")->value, Join(path, "from"),
             "'" + out->from + "' is not an e-mail address");
  }
  if (const Entry* starttls = Find(*m, "starttls");
      w.Bool(starttls, Join(path, "starttls"), &out->starttls) && out->starttls &&
      out->url.starts_with("smtps://")) {
    w.Report(starttls->value, Join(path, "starttls"),
             "applies only to smtp:// (smtps:// uses TLS from the start)");
  }
  w.Bool(Find(*m, "verify_tls"), Join(path, "verify_tls"), &out->verify_tls);
  const Entry* username = Find(*m, "username");
  const Entry* password_env = Find(*m, "password_env");
  w.String(username, Join(path, "username"), &out->username);
  std::string password_var;
  w.EnvValue(password_env, Join(path, "password_env"), &password_var, &out->password);
  if (!out->username.empty() && password_env == nullptr) {
    w.Report(username->value, Join(path, "username"),
             "username is set but password_env is not (set both or neither)");
  } else if (out->username.empty() && password_env != nullptr) {
    w.Report(password_env->key, Join(path, "password_env"),
             "password_env is set but username is not (set both or neither)");
  }
}

// `api_url` of a provider: an http(s) URL, kept without a trailing slash.
void ParseApiUrl(YamlWalker& w, const Entries& m, const std::string& path, std::string* out) {
  const Entry* e = Find(m, "api_url");
  if (!w.String(e, Join(path, "api_url"), out)) return;
  if (std::string why = HttpUrlProblem(*out); !why.empty()) {
    w.Report(e->value, Join(path, "api_url"), why);
  }
  while (out->ends_with("/")) out->pop_back();
}

// A required secret of a provider, from the environment variable its `*_env` key names.
void RequiredSecret(YamlWalker& w, const Entries& m, const YAML::Node& node,
                    const std::string& path, const char* key, std::string* out) {
  const Entry* e = Find(m, key);
  if (e == nullptr) {
    w.Report(node, Join(path, key), "is required");
    return;
  }
  std::string var;
  w.EnvValue(e, Join(path, key), &var, out);
}

void ParsePushover(YamlWalker& w, const Entry& e, const std::string& path,
                   PushoverProviderConfig* out) {
  auto m = w.Mapping(e.value, path, {"app_token_env", "api_url"});
  if (!m) return;
  RequiredSecret(w, *m, e.value, path, "app_token_env", &out->app_token);
  ParseApiUrl(w, *m, path, &out->api_url);
}

void ParseTelegram(YamlWalker& w, const Entry& e, const std::string& path,
                   TelegramProviderConfig* out) {
  auto m = w.Mapping(e.value, path, {"bot_token_env", "secret_token_env", "api_url"});
  if (!m) return;
  RequiredSecret(w, *m, e.value, path, "bot_token_env", &out->bot_token);
  RequiredSecret(w, *m, e.value, path, "secret_token_env", &out->secret_token);
  ParseApiUrl(w, *m, path, &out->api_url);
}

void ParseTwilio(YamlWalker& w, const Entry& e, const std::string& path, TwilioConfig* out,
                 DefinedNames* names) {
  auto m = w.Mapping(e.value, path,
                     {"account_sid_env", "auth_token_env", "from", "messaging_service_sid",
                      "api_url", "per_person_hourly"});
  if (!m) return;
  for (auto [key, name, value] :
       {std::tuple{"account_sid_env", &out->account_sid_env, &out->account_sid},
        std::tuple{"auth_token_env", &out->auth_token_env, &out->auth_token}}) {
    const Entry* env = Find(*m, key);
    if (env == nullptr) {
      w.Report(e.value, Join(path, key), "is required");
      continue;
    }
    w.EnvValue(env, Join(path, key), name, value);
  }
  const Entry* from = Find(*m, "from");
  const Entry* service = Find(*m, "messaging_service_sid");
  if ((from == nullptr) == (service == nullptr)) {
    w.Report(e.value, path, "set exactly one of from or messaging_service_sid");
  }
  if (w.String(from, Join(path, "from"), &out->from)) {
    names->providers.insert("twilio.from");
    if (!IsE164Number(out->from)) {
      w.Report(from->value, Join(path, "from"),
               "'" + out->from + "' is not an E.164 phone number (+ and up to 15 digits)");
    }
  }
  if (w.String(service, Join(path, "messaging_service_sid"), &out->messaging_service_sid) &&
      !out->messaging_service_sid.starts_with("MG")) {
    w.Report(service->value, Join(path, "messaging_service_sid"),
             "'" + out->messaging_service_sid + "' is not a messaging service SID (MG...)");
  }
  ParseApiUrl(w, *m, path, &out->api_url);
  w.Int(Find(*m, "per_person_hourly"), Join(path, "per_person_hourly"), 1, 3600,
        &out->per_person_hourly);
}

// `notify.providers`: the vendor accounts the phone and push channels send through.
void ParseProviders(YamlWalker& w, const Entry& e, NotifyConfig* out, DefinedNames* names) {
  if (e.value.IsNull()) return;
  auto m = w.Mapping(e.value, "notify.providers", {"twilio", "pushover", "telegram"});
  if (!m) return;
  if (const Entry* twilio = Find(*m, "twilio"); twilio != nullptr && !twilio->value.IsNull()) {
    names->providers.insert("twilio");  // even when invalid: its own errors say what is wrong
    out->twilio.emplace();
    ParseTwilio(w, *twilio, "notify.providers.twilio", &*out->twilio, names);
  }
  if (const Entry* p = Find(*m, "pushover")) {
    names->providers.insert("pushover");
    ParsePushover(w, *p, "notify.providers.pushover", &out->pushover.emplace());
  }
  if (const Entry* p = Find(*m, "telegram")) {
    names->providers.insert("telegram");
    ParseTelegram(w, *p, "notify.providers.telegram", &out->telegram.emplace());
  }
}

}  // namespace

void ParseNotify(YamlWalker& w, const Entry& section, NotifyConfig* out, DefinedNames* names) {
  auto m = w.Mapping(section.value, "notify",
                     {"smtp", "allow_hosts", "workers", "per_destination", "max_attempts", "retry",
                      "bundle_window", "timeout", "link_ttl", "link_secret_env", "providers"});
  if (!m) return;
  if (const Entry* e = Find(*m, "smtp"); e != nullptr && !e->value.IsNull()) {
    names->smtp = true;  // even when invalid: its own errors say what is wrong
    out->smtp.emplace();
    ParseSmtp(w, *e, "notify.smtp", &*out->smtp);
  }
  if (const Entry* e = Find(*m, "providers")) ParseProviders(w, *e, out, names);
  if (const Entry* e = Find(*m, "allow_hosts")) {
    w.ForEachItem(*e, "notify.allow_hosts", "host names, IP addresses or CIDR ranges",
                  [&](const YAML::Node& item, const std::string& item_path) {
                    if (!item.IsScalar() || item.Scalar().empty() ||
                        item.Scalar().find_first_of(" \t\r\n") != std::string::npos) {
                      w.Report(item, item_path,
                               "must be a host name, an IP address or a CIDR range (10.0.0.0/8)");
                      return;
                    }
                    out->allow_hosts.push_back(item.Scalar());
                  });
  }
  w.Int(Find(*m, "workers"), "notify.workers", 1, 64, &out->workers);
  w.Int(Find(*m, "per_destination"), "notify.per_destination", 1, 64, &out->per_destination);
  w.Int(Find(*m, "max_attempts"), "notify.max_attempts", 1, 100, &out->max_attempts);
  if (const Entry* e = Find(*m, "retry")) {
    if (auto r = w.Mapping(e->value, "notify.retry", {"initial", "max"})) {
      const bool initial_ok =
          w.DurationValue(Find(*r, "initial"), "notify.retry.initial", false, &out->retry_initial);
      const Entry* max = Find(*r, "max");
      if (w.DurationValue(max, "notify.retry.max", false, &out->retry_max) && initial_ok &&
          out->retry_max < out->retry_initial) {
        w.Report(max->value, "notify.retry.max", "must not be shorter than notify.retry.initial");
      }
    }
  }
  w.DurationValue(Find(*m, "bundle_window"), "notify.bundle_window", true, &out->bundle_window);
  w.DurationValue(Find(*m, "timeout"), "notify.timeout", false, &out->timeout);
  w.DurationValue(Find(*m, "link_ttl"), "notify.link_ttl", false, &out->link_ttl);
  std::string var;
  if (const Entry* e = Find(*m, "link_secret_env");
      w.EnvValue(e, "notify.link_secret_env", &var, &out->link_secret) &&
      out->link_secret.size() < kMinLinkSecretLength) {
    w.Report(e->value, "notify.link_secret_env",
             "environment variable " + var + " is too short: at least 32 characters (it has " +
                 std::to_string(out->link_secret.size()) + ")");
    out->link_secret.clear();
  }
}

}  // namespace loom::config
