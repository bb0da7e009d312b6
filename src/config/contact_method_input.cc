#include "config/contact_method_input.h"

#include <cstdlib>
#include <sstream>

#include "config/value_checks.h"
#include "config/yaml_walker.h"
#include "notify/channels.h"

namespace loom {
namespace {

using config::HttpUrlProblem;
using config::IsE164Number;
using config::IsEmailAddress;
using config::IsEnvName;
using config::IsWebhookSecret;

// The value of the `*_env` key `key`: the variable's name checked and its value read; "" with a
// problem added otherwise. Messages name the variable, never its value.
std::string EnvKey(const std::string& key, const std::string& name, const ContactContext& context,
                   std::vector<ContactKeyProblem>* problems) {
  if (!IsEnvName(name)) {
    problems->push_back({key, "'" + name + "' is not an environment variable name"});
    return "";
  }
  const char* value = context.env ? context.env(name) : nullptr;
  if (value == nullptr || *value == '\0') {
    problems->push_back({key, "environment variable " + name + " is not set"});
    return "";
  }
  return value;
}

// The value of key `name`; null when absent or "".
const std::string* Key(const std::map<std::string, std::string>& keys, const std::string& name) {
  auto it = keys.find(name);
  return it == keys.end() || it->second.empty() ? nullptr : &it->second;
}

// The signing secrets in the variable named by `name`: several during a rotation, newest first,
// separated by white space.
void ReadSecrets(const std::string& name, const ContactContext& context, ContactMethod* out,
                 std::vector<ContactKeyProblem>* problems) {
  out->secret_env = name;
  const std::string value = EnvKey("secret_env", name, context, problems);
  if (value.empty()) return;
  std::istringstream words(value);
  int n = 0;
  for (std::string secret; words >> secret;) {
    ++n;
    if (!IsWebhookSecret(secret)) {
      problems->push_back(
          {"secret_env", "environment variable " + name + ": secret " + std::to_string(n) +
                             " is not a webhook secret (whsec_ followed by base64)"});
    }
    out->secrets.push_back(std::move(secret));
  }
  if (n == 0) {
    problems->push_back({"secret_env", "environment variable " + name + " holds no secret"});
  }
}

// `url` XOR `url_env` (a URL from the environment is a secret), then `secret_env` when given.
void ReadUrl(const std::map<std::string, std::string>& keys, const ContactContext& context,
             ContactMethod* out, std::vector<ContactKeyProblem>* problems) {
  const std::string* url = Key(keys, "url");
  const std::string* url_env = Key(keys, "url_env");
  if ((url == nullptr) == (url_env == nullptr)) {
    problems->push_back({"", "set exactly one of url or url_env"});
  } else if (url != nullptr) {
    if (std::string why = HttpUrlProblem(*url); !why.empty()) {
      problems->push_back({"url", why});
    } else {
      out->address = *url;
    }
  } else {
    std::string value = EnvKey("url_env", *url_env, context, problems);
    if (!value.empty()) {
      if (std::string why = HttpUrlProblem(value); !why.empty()) {
        problems->push_back({"url_env", "the URL in environment variable " + *url_env + " " + why});
      } else {
        out->address = std::move(value);
        out->address_is_secret = true;
        out->url_env = *url_env;
      }
    }
  }
  if (const std::string* secret_env = Key(keys, "secret_env")) {
    ReadSecrets(*secret_env, context, out, problems);
  }
}

// The type's own keys (ChannelAddress::kKeys), `*_env` ones read from the environment, composed
// into the address and secrets by the type.
void ReadOwnKeys(const ChannelType& channel, const std::map<std::string, std::string>& keys,
                 const ContactContext& context, ContactMethod* out,
                 std::vector<ContactKeyProblem>* problems) {
  std::map<std::string, std::string> values;
  bool complete = true;
  for (const ContactKey& key : channel.keys) {
    const std::string name(key.name);
    const std::string* given = Key(keys, name);
    if (given == nullptr) {
      if (key.required) {
        problems->push_back({name, "is required for type " + out->type});
        complete = false;
      }
      continue;
    }
    if (!key.from_env) {
      values[name] = *given;
      continue;
    }
    std::string value = EnvKey(name, *given, context, problems);
    if (value.empty()) {
      complete = false;
      continue;
    }
    out->secret_env = *given;
    values[name] = std::move(value);
  }
  if (!complete) return;
  if (std::string why = channel.compose(values, &out->address, &out->secrets); !why.empty()) {
    problems->push_back({"", why});
  }
}

}  // namespace

std::vector<ContactKey> ContactKeysOf(const ChannelType& channel) {
  switch (channel.address) {
    case ChannelAddress::kEmail: return {{.name = "address", .required = true}};
    case ChannelAddress::kPhoneNumber: return {{.name = "number", .required = true}};
    case ChannelAddress::kUrl: {
      std::vector<ContactKey> keys = {{.name = "url"}, {.name = "url_env", .from_env = true}};
      if (channel.signs) keys.push_back({.name = "secret_env", .from_env = true});
      return keys;
    }
    case ChannelAddress::kKeys: return {channel.keys.begin(), channel.keys.end()};
  }
  return {};
}

std::vector<ContactKeyProblem> ResolveDestinationKeys(
    const ChannelType& channel, const std::map<std::string, std::string>& keys,
    const ContactContext& context, ContactMethod* out) {
  std::vector<ContactKeyProblem> problems;
  out->type = std::string(channel.name);
  const std::vector<ContactKey> accepted = ContactKeysOf(channel);
  std::string names;
  for (const ContactKey& key : accepted)
    names += (names.empty() ? "" : ", ") + std::string(key.name);
  for (const auto& [name, value] : keys) {
    bool known = false;
    for (const ContactKey& key : accepted) known = known || key.name == name;
    if (!known) {
      problems.push_back({name, "does not apply to type " + out->type + " (use " + names + ")"});
    }
  }
  switch (channel.address) {
    case ChannelAddress::kEmail:
    case ChannelAddress::kPhoneNumber: {
      const bool email = channel.address == ChannelAddress::kEmail;
      const std::string name = email ? "address" : "number";
      const std::string* value = Key(keys, name);
      if (value == nullptr) {
        problems.push_back({name, "is required for type " + out->type});
      } else if (email && !IsEmailAddress(*value)) {
        problems.push_back({name, "'" + *value + "' is not an e-mail address"});
      } else if (!email && !IsE164Number(*value)) {
        problems.push_back({name, "'" + *value +
                                      "' is not an E.164 phone number (+ and up to 15 digits, "
                                      "e.g. +15551234567)"});
      } else {
        out->address = *value;
      }
      break;
    }
    case ChannelAddress::kUrl: ReadUrl(keys, context, out, &problems); break;
    case ChannelAddress::kKeys: ReadOwnKeys(channel, keys, context, out, &problems); break;
  }
  return problems;
}

ContactContext ContactContextOf(const Config& config) {
  ContactContext context;
  context.env = [](const std::string& name) { return std::getenv(name.c_str()); };
  context.smtp = config.notify.smtp.has_value();
  if (config.notify.twilio) {
    context.providers.insert("twilio");
    if (!config.notify.twilio->from.empty()) context.providers.insert("twilio.from");
  }
  if (config.notify.pushover) context.providers.insert("pushover");
  if (config.notify.telegram) context.providers.insert("telegram");
  return context;
}

std::vector<ContactKeyProblem> ResolveContactKeys(const std::string& type,
                                                  const std::map<std::string, std::string>& keys,
                                                  const ContactContext& context,
                                                  ContactMethod* out) {
  const ChannelType* channel = FindChannelType(type);
  if (channel == nullptr) {
    return {
        {"type", "'" + type + "' is not a contact method type (" + ChannelTypeNames(", ") + ")"}};
  }
  std::vector<ContactKeyProblem> problems;
  if (!channel->provider.empty() && context.providers.count(std::string(channel->provider)) == 0) {
    problems.push_back({"type", "contact method type " + type + " needs notify.providers." +
                                    std::string(channel->provider)});
  }
  if (channel->via_smtp && !context.smtp) {
    problems.push_back({"type", "contact method type " + type +
                                    " needs notify.smtp (the mail server to send through)"});
  }
  for (ContactKeyProblem& p : ResolveDestinationKeys(*channel, keys, context, out)) {
    problems.push_back(std::move(p));
  }
  return problems;
}

std::shared_ptr<const OnCallSnapshot> WithStoredContacts(
    const std::shared_ptr<const OnCallSnapshot>& base,
    const std::vector<StoredContactMethod>& methods,
    const std::vector<StoredNotificationRules>& rules, const ContactContext& context,
    std::vector<std::string>* skipped) {
  std::map<std::string, User> users = base->users;
  for (const StoredContactMethod& stored : methods) {
    auto user = users.find(stored.user_id);
    if (!stored.verified || user == users.end()) continue;
    ContactMethod method;
    std::vector<ContactKeyProblem> problems =
        ResolveContactKeys(stored.type, stored.keys, context, &method);
    if (!problems.empty()) {
      if (skipped != nullptr) {
        skipped->push_back("contact method " + stored.id + " of " + stored.user_id + ": " +
                           (problems[0].key.empty() ? "" : problems[0].key + " ") +
                           problems[0].message);
      }
      continue;
    }
    method.id = stored.id;
    user->second.contact_methods.push_back(std::move(method));
  }
  for (const StoredNotificationRules& r : rules) {
    auto user = users.find(r.user_id);
    if (user == users.end()) continue;
    user->second.high_rules = r.high;
    user->second.low_rules = r.low;
  }
  auto merged = std::make_shared<OnCallSnapshot>(*base);  // keeps the teams and schedules
  merged->users = std::move(users);
  return merged;
}

}  // namespace loom
