// The destinations of messages: a user's `contact_methods:` and a service's `incident_channels:`
// (docs/configuration.md "Contact methods" and "services[].incident_channels").

#include <algorithm>
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

// The keys of every type written with its own keys (ChannelAddress::kKeys): a contact method may
// have them besides the common ones (ParseKeyedContactMethod says which apply to its type).
std::span<const std::string_view> KeyedContactKeys() {
  static const std::vector<std::string_view> kKeys = [] {
    std::vector<std::string_view> keys;
    for (const ChannelType* type : ChannelTypes()) {
      for (const ContactKey& key : type->keys) {
        if (std::find(keys.begin(), keys.end(), key.name) == keys.end()) keys.push_back(key.name);
      }
    }
    return keys;
  }();
  return kKeys;
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

// A contact method of a type written with its own keys (ChannelAddress::kKeys): each key as
// text (a `*_env` key's value read from the environment), then the type composes the address
// and secrets; a key of another type is reported.
void ParseKeyedContactMethod(YamlWalker& w, const ChannelType& type, const DefinedNames& names,
                             const Entries& m, const YAML::Node& node, const std::string& path,
                             ContactMethod* cm) {
  if (!type.provider.empty() && names.providers.count(std::string(type.provider)) == 0) {
    w.Report(Find(m, "type")->value, Join(path, "type"),
             "contact method type " + cm->type + " needs notify.providers." +
                 std::string(type.provider));
  }
  std::set<std::string> known = {"id", "type"};
  for (const ContactKey& key : type.keys) known.emplace(key.name);
  for (const auto& [name, e] : m) {
    if (known.count(name) != 0) continue;
    std::string keys;
    for (const ContactKey& key : type.keys) {
      keys += (keys.empty() ? "" : ", ") + std::string(key.name);
    }
    w.Report(e.key, Join(path, name), "does not apply to type " + cm->type + " (use " + keys + ")");
  }
  std::map<std::string, std::string> values;
  bool complete = true;
  for (const ContactKey& key : type.keys) {
    const std::string name(key.name);
    const Entry* e = Find(m, name);
    if (e == nullptr) {
      if (key.required) {
        w.Report(node, Join(path, name), "is required for type " + cm->type);
        complete = false;
      }
      continue;
    }
    std::string value;
    bool ok = false;
    if (key.from_env) {
      ok = w.EnvValue(e, Join(path, name), &cm->secret_env, &value);
    } else {
      ok = w.String(e, Join(path, name), &value) && !value.empty();
      if (!ok && e->value.IsNull()) w.Report(e->key, Join(path, name), "is empty");
    }
    if (!ok) {
      complete = false;
      continue;
    }
    values[name] = std::move(value);
  }
  if (!complete) return;
  if (std::string why = type.compose(values, &cm->address, &cm->secrets); !why.empty()) {
    w.Report(node, path, why);
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
                           {"id", "type", "address", "url", "url_env", "secret_env", "number"},
                           KeyedContactKeys());
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
        if (const ChannelType* keyed = FindChannelType(cm.type);
            keyed->address == ChannelAddress::kKeys) {
          ParseKeyedContactMethod(w, *keyed, names, *m, node, item_path, &cm);
          out->push_back(std::move(cm));
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
        for (std::string_view key : KeyedContactKeys()) {
          if (const Entry* wrong = Find(*m, key)) {
            w.Report(wrong->key, Join(item_path, std::string(key)),
                     "does not apply to type " + cm.type);
          }
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
