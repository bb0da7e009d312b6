// The destinations of messages: a user's `contact_methods:` and a service's `incident_channels:`
// (docs/configuration.md "Contact methods" and "services[].incident_channels").

#include <sstream>

#include "config/config_sections.h"
#include "config/value_checks.h"
#include "notify/channels.h"

namespace loom::config {
namespace {

// Where a channel type is written.
enum class ChannelUse { kContactMethod, kIncidentChannel };

// What the configuration needs to know about a channel type.
struct ChannelTypeInfo {
  std::string problem;     // "" when the type may be used there, else the reason
  bool is_email = false;   // written as an e-mail `address` (else as `url` or `url_env`)
  bool is_signed = false;  // its messages are signed: `secret_env` applies
  bool via_smtp = false;   // sent through notify.smtp
  bool is_phone = false;   // written as an E.164 `number`
  std::string provider;    // the notify.providers entry it sends through ("" = none)
};

// Which types a contact method and an incident channel may have, how each is written and
// whether it is signed: read from the channel table (notify/channels.h), so that a new channel
// type changes nothing here.
ChannelTypeInfo CheckChannelType(ChannelUse use, const std::string& type) {
  ChannelTypeInfo info;
  const ChannelType* channel = FindChannelType(type);
  if (channel != nullptr) {
    info.is_email = channel->address == ChannelAddress::kEmail;
    info.is_signed = channel->signs;
    info.via_smtp = channel->via_smtp;
    info.is_phone = channel->address == ChannelAddress::kPhoneNumber;
    info.provider = std::string(channel->provider);
  }
  if (use == ChannelUse::kContactMethod) {
    if (channel == nullptr) {
      info.problem = "'" + type + "' is not a contact method type (" + ChannelTypeNames(", ") + ")";
    }
  } else if (channel == nullptr || !channel->incident_channel) {
    info.problem = "'" + type + "' is not an incident channel type (" +
                   ChannelTypeNames(", ", /*incident_channels_only=*/true) + ")";
  }
  return info;
}

// The list hint of incident_channels.
std::string IncidentChannelsHint() {
  return "{ id, type: " + ChannelTypeNames(" | ", /*incident_channels_only=*/true) +
         ", url | url_env, secret_env }";
}

// The URL and, for signed types, the signing secrets of a destination written as a URL:
// `url` XOR `url_env`, `secret_env` (signed types only, optional).
struct WebDestination {
  std::string url;
  std::string url_env;
  std::string secret_env;
  std::vector<std::string> secrets;
};

void ParseWebDestination(YamlWalker& w, const Entries& m, const YAML::Node& node,
                         const std::string& path, const std::string& type, bool is_signed,
                         WebDestination* out) {
  const Entry* url = Find(m, "url");
  const Entry* url_env = Find(m, "url_env");
  if ((url == nullptr) == (url_env == nullptr)) {
    w.Report(node, path, "set exactly one of url or url_env (preferred: the URL is a secret)");
  } else if (url != nullptr) {
    const std::string url_path = Join(path, "url");
    if (!w.String(url, url_path, &out->url)) {
      if (url->value.IsNull()) w.Report(url->key, url_path, "is empty");
    } else if (out->url.empty()) {
      w.Report(url->value, url_path, "is empty");
    } else if (std::string why = HttpUrlProblem(out->url); !why.empty()) {
      w.Report(url->value, url_path, why);
    }
  } else {
    const std::string env_path = Join(path, "url_env");
    if (w.EnvValue(url_env, env_path, &out->url_env, &out->url)) {
      if (std::string why = HttpUrlProblem(out->url); !why.empty()) {
        w.Report(url_env->value, env_path,
                 "the URL in environment variable " + out->url_env + " " + why);
      }
    } else {
      out->url_env.clear();
    }
  }
  const Entry* secret_env = Find(m, "secret_env");
  if (secret_env == nullptr) return;
  const std::string secret_path = Join(path, "secret_env");
  if (!is_signed) {
    w.Report(secret_env->key, secret_path,
             "does not apply to type " + type + " (only webhooks are signed)");
    return;
  }
  std::string value;
  if (!w.EnvValue(secret_env, secret_path, &out->secret_env, &value)) return;
  // Several secrets during a rotation, newest first, separated by white space.
  std::istringstream words(value);
  int n = 0;
  for (std::string secret; words >> secret;) {
    ++n;
    if (!IsWebhookSecret(secret)) {
      w.Report(secret_env->value, secret_path,
               "environment variable " + out->secret_env + ": secret " + std::to_string(n) +
                   " is not a webhook secret (whsec_ followed by base64)");
    }
    out->secrets.push_back(std::move(secret));
  }
  if (n == 0) {
    w.Report(secret_env->value, secret_path,
             "environment variable " + out->secret_env + " holds no secret");
  }
}

// The destination of `out` (a ContactMethod or an IncidentChannelConfig, whose `type` is set):
// its URL into `out->*url` (`out->*url_is_secret` when it came from `url_env`), `url_env`,
// `secret_env` and `secrets`.
template <typename T>
void ParseWebDestination(YamlWalker& w, const Entries& m, const YAML::Node& node,
                         const std::string& path, bool is_signed, std::string T::*url,
                         bool T::*url_is_secret, T* out) {
  WebDestination d;
  ParseWebDestination(w, m, node, path, out->type, is_signed, &d);
  out->*url = std::move(d.url);
  out->*url_is_secret = !d.url_env.empty();
  out->url_env = std::move(d.url_env);
  out->secret_env = std::move(d.secret_env);
  out->secrets = std::move(d.secrets);
}

// The `number` of a phone contact method (sms, voice): required, E.164; no other address key.
void ParsePhoneNumber(YamlWalker& w, const Entries& m, const YAML::Node& node,
                      const std::string& path, ContactMethod* out) {
  for (const char* key : {"address", "url", "url_env", "secret_env"}) {
    if (const Entry* wrong = Find(m, key)) {
      w.Report(wrong->key, Join(path, key),
               "does not apply to type " + out->type + " (use number)");
    }
  }
  if (w.RequiredString(m, node, path, "number", &out->address) && !IsE164Number(out->address)) {
    w.Report(Find(m, "number")->value, Join(path, "number"),
             "'" + out->address +
                 "' is not an E.164 phone number (+ and up to 15 digits, e.g. "
                 "+15551234567)");
  }
}

}  // namespace

void ParseContactMethods(YamlWalker& w, const Entry& e, const std::string& path,
                         const DefinedNames& names, std::vector<ContactMethod>* out,
                         std::set<std::string>* ids) {
  std::map<std::string, int> id_lines;
  w.ForEachItem(
      e, path, "{ id, type, address | url | url_env | number, secret_env }",
      [&](const YAML::Node& node, const std::string& item_path) {
        auto m = w.Mapping(node, item_path,
                           {"id", "type", "address", "url", "url_env", "secret_env", "number"});
        if (!m) return;
        ContactMethod cm;
        if (w.RequiredString(*m, node, item_path, "id", &cm.id)) {
          const Entry* id = Find(*m, "id");
          ids->insert(cm.id);
          w.UniqueId(&id_lines, cm.id, id->value, Join(item_path, "id"), "contact method");
        }
        const Entry* type = Find(*m, "type");
        if (!w.RequiredString(*m, node, item_path, "type", &cm.type)) return;
        const ChannelTypeInfo info = CheckChannelType(ChannelUse::kContactMethod, cm.type);
        if (!info.problem.empty()) {
          w.Report(type->value, Join(item_path, "type"), info.problem);
          return;
        }
        if (!info.provider.empty() && names.providers.count(info.provider) == 0) {
          w.Report(type->value, Join(item_path, "type"),
                   "contact method type " + cm.type + " needs notify.providers." + info.provider);
        }
        if (info.is_phone) {
          ParsePhoneNumber(w, *m, node, item_path, &cm);
          out->push_back(std::move(cm));
          return;
        }
        if (const Entry* wrong = Find(*m, "number")) {
          w.Report(wrong->key, Join(item_path, "number"),
                   "does not apply to type " + cm.type + " (only sms and voice have a number)");
        }
        if (!info.is_email) {
          // A URL, from the file or the environment.
          if (const Entry* wrong = Find(*m, "address")) {
            w.Report(wrong->key, Join(item_path, "address"),
                     "does not apply to type " + cm.type + " (use url or url_env)");
          }
          ParseWebDestination(w, *m, node, item_path, info.is_signed, &ContactMethod::address,
                              &ContactMethod::address_is_secret, &cm);
          out->push_back(std::move(cm));
          return;
        }
        for (const char* key : {"url", "url_env", "secret_env"}) {
          if (const Entry* wrong = Find(*m, key)) {
            w.Report(wrong->key, Join(item_path, key),
                     "does not apply to type " + cm.type + " (use address)");
          }
        }
        if (info.via_smtp && !names.smtp) {
          w.Report(type->value, Join(item_path, "type"),
                   "contact method type " + cm.type +
                       " needs notify.smtp (the mail server to send through)");
        }
        if (w.RequiredString(*m, node, item_path, "address", &cm.address) &&
            !IsEmailAddress(cm.address)) {
          w.Report(Find(*m, "address")->value, Join(item_path, "address"),
                   "'" + cm.address + "' is not an e-mail address");
        }
        out->push_back(std::move(cm));
      });
}

void ParseIncidentChannels(YamlWalker& w, const Entry& e, const std::string& path,
                           std::vector<IncidentChannelConfig>* out) {
  std::map<std::string, int> id_lines;
  size_t index = 0;
  const std::string hint = IncidentChannelsHint();
  w.ForEachItem(e, path, hint, [&](const YAML::Node& node, const std::string& item_path) {
    const size_t i = index++;
    auto m = w.Mapping(node, item_path, {"id", "type", "url", "url_env", "secret_env"});
    if (!m) return;
    IncidentChannelConfig channel;
    const Entry* type = Find(*m, "type");
    if (!w.RequiredString(*m, node, item_path, "type", &channel.type)) return;
    const ChannelTypeInfo info = CheckChannelType(ChannelUse::kIncidentChannel, channel.type);
    if (!info.problem.empty()) {
      w.Report(type->value, Join(item_path, "type"), info.problem);
      return;
    }
    const Entry* id = Find(*m, "id");
    const YAML::Node& id_at = id != nullptr ? id->value : node;
    if (!w.String(id, Join(item_path, "id"), &channel.id)) {
      channel.id = channel.type + "-" + std::to_string(i);
    }
    if (!IsValidUserId(channel.id)) {
      w.Report(id_at, Join(item_path, "id"),
               "'" + channel.id + "' is not a valid channel id (" + kUserIdRule + ")");
    } else {
      w.UniqueId(&id_lines, channel.id, id_at, Join(item_path, "id"), "incident channel");
    }
    ParseWebDestination(w, *m, node, item_path, info.is_signed, &IncidentChannelConfig::url,
                        &IncidentChannelConfig::url_is_secret, &channel);
    out->push_back(std::move(channel));
  });
}

}  // namespace loom::config
