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
// problem added otherwise.
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

void OnlyKeys(const std::map<std::string, std::string>& keys, const std::set<std::string>& allowed,
              const std::string& type, std::vector<ContactKeyProblem>* problems) {
  for (const auto& [name, value] : keys) {
    if (allowed.count(name) == 0) problems->push_back({name, "does not apply to type " + type});
  }
}

const std::string* Key(const std::map<std::string, std::string>& keys, const std::string& name) {
  auto it = keys.find(name);
  return it == keys.end() ? nullptr : &it->second;
}

}  // namespace

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
  std::vector<ContactKeyProblem> problems;
  const ChannelType* channel = FindChannelType(type);
  if (channel == nullptr) {
    return {
        {"type", "'" + type + "' is not a contact method type (" + ChannelTypeNames(", ") + ")"}};
  }
  out->type = type;
  if (!channel->provider.empty() && context.providers.count(std::string(channel->provider)) == 0) {
    problems.push_back({"type", "contact method type " + type + " needs notify.providers." +
                                    std::string(channel->provider)});
  }
  if (channel->via_smtp && !context.smtp) {
    problems.push_back({"type", "contact method type " + type +
                                    " needs notify.smtp (the mail server to send through)"});
  }
  switch (channel->address) {
    case ChannelAddress::kEmail: {
      OnlyKeys(keys, {"address"}, type, &problems);
      const std::string* address = Key(keys, "address");
      if (address == nullptr || address->empty()) {
        problems.push_back({"address", "is required for type " + type});
      } else if (!IsEmailAddress(*address)) {
        problems.push_back({"address", "'" + *address + "' is not an e-mail address"});
      } else {
        out->address = *address;
      }
      break;
    }
    case ChannelAddress::kPhoneNumber: {
      OnlyKeys(keys, {"number"}, type, &problems);
      const std::string* number = Key(keys, "number");
      if (number == nullptr || number->empty()) {
        problems.push_back({"number", "is required for type " + type});
      } else if (!IsE164Number(*number)) {
        problems.push_back({"number", "'" + *number +
                                          "' is not an E.164 phone number (+ and up to 15 "
                                          "digits, e.g. +15551234567)"});
      } else {
        out->address = *number;
      }
      break;
    }
    case ChannelAddress::kUrl: {
      std::set<std::string> allowed = {"url", "url_env"};
      if (channel->signs) allowed.insert("secret_env");
      OnlyKeys(keys, allowed, type, &problems);
      const std::string* url = Key(keys, "url");
      const std::string* url_env = Key(keys, "url_env");
      if ((url == nullptr) == (url_env == nullptr)) {
        problems.push_back({"url", "set exactly one of url or url_env"});
      } else if (url != nullptr) {
        if (std::string why = HttpUrlProblem(*url); !why.empty()) {
          problems.push_back({"url", why});
        } else {
          out->address = *url;
        }
      } else {
        std::string value = EnvKey("url_env", *url_env, context, &problems);
        if (!value.empty()) {
          if (std::string why = HttpUrlProblem(value); !why.empty()) {
            problems.push_back(
                {"url_env", "the URL in environment variable " + *url_env + " " + why});
          } else {
            out->address = std::move(value);
            out->address_is_secret = true;
            out->url_env = *url_env;
          }
        }
      }
      if (const std::string* secret_env = Key(keys, "secret_env"); secret_env && channel->signs) {
        std::string value = EnvKey("secret_env", *secret_env, context, &problems);
        std::istringstream words(value);
        for (std::string secret; words >> secret;) {
          if (!IsWebhookSecret(secret)) {
            problems.push_back({"secret_env", "environment variable " + *secret_env +
                                                  " holds a value that is not a webhook secret "
                                                  "(whsec_ followed by base64)"});
            break;
          }
          out->secrets.push_back(std::move(secret));
        }
        out->secret_env = *secret_env;
      }
      break;
    }
    case ChannelAddress::kKeys: {
      std::set<std::string> allowed;
      for (const ContactKey& key : channel->keys) allowed.emplace(key.name);
      OnlyKeys(keys, allowed, type, &problems);
      std::map<std::string, std::string> values;
      for (const ContactKey& key : channel->keys) {
        const std::string name(key.name);
        const std::string* given = Key(keys, name);
        if (given == nullptr || given->empty()) {
          if (key.required) problems.push_back({name, "is required for type " + type});
          continue;
        }
        if (key.from_env) {
          std::string value = EnvKey(name, *given, context, &problems);
          if (value.empty()) continue;
          out->secret_env = *given;
          values[name] = std::move(value);
        } else {
          values[name] = *given;
        }
      }
      if (problems.empty()) {
        if (std::string why = channel->compose(values, &out->address, &out->secrets);
            !why.empty()) {
          problems.push_back({"", why});
        }
      }
      break;
    }
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
