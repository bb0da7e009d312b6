// Contact methods written as a map of keys outside the configuration file: the ones people add
// through the API (POST /v1/users/{id}/contact-methods, docs/profile.md). Checked against the
// same channel table (notify/channels.h) and value checks (config/value_checks.h) as the file's
// `contact_methods:` (channels_section.cc); `*_env` keys only name an environment variable, read
// when the method is resolved.
//
// Thread safety: pure functions; `env` is called on the caller's thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/roster.h"
#include "store/contact_store.h"

namespace loom {

struct ChannelType;  // notify/channels.h (not included here: cli has its own HttpRequest)
struct ContactKey;

// A problem with one key ("/number": "is not an E.164 phone number ...").
struct ContactKeyProblem {
  std::string key;  // "type", "url", ... ("" for the method as a whole)
  std::string message;
};

// What resolving needs besides the keys: the environment and what `notify:` configures.
struct ContactContext {
  std::function<const char*(const std::string&)> env;  // getenv in production
  bool smtp = false;                                   // notify.smtp is set
  std::set<std::string> providers;  // "twilio", "twilio.from", "pushover", "telegram"
};

// The context of `config` with the process environment.
ContactContext ContactContextOf(const Config& config);

// THE check of a destination's keys: the file's `contact_methods:` and `incident_channels:`
// (config/channels_section.cc) and the API's contact methods (http/contact_method_handlers.cc)
// all answer with these problems, so the same mistake gets the same message everywhere.
//
// Checks the keys of a method of `type` and, when there is no problem, fills `out` (type,
// address, secrets, url_env, secret_env; not its id). The keys a type accepts are
// ContactKeysOf(type); every other key "does not apply to type <type> (use <its keys>)". A key
// given as "" counts as absent. `type` must be a channel type and its provider (ChannelType::
// provider) and the SMTP relay (via_smtp) configured. An empty answer means `out` is usable.
std::vector<ContactKeyProblem> ResolveContactKeys(const std::string& type,
                                                  const std::map<std::string, std::string>& keys,
                                                  const ContactContext& context,
                                                  ContactMethod* out);

// The part of ResolveContactKeys that reads the keys of `channel` into `out`, without the checks
// of the type's provider and relay: incident channels (which need neither) use it directly.
std::vector<ContactKeyProblem> ResolveDestinationKeys(
    const ChannelType& channel, const std::map<std::string, std::string>& keys,
    const ContactContext& context, ContactMethod* out);

// The keys a destination of `channel` is written with, in the order forms and hints list them:
// `address` (e-mail types), `number` (phone types), `url`, `url_env` and, for signed types,
// `secret_env` (URL types: exactly one of url and url_env), or the type's own keys.
std::vector<ContactKey> ContactKeysOf(const ChannelType& channel);

// `base` with the stored methods that are verified and still resolve added to their users
// (after the file's methods) and each stored rule set replacing the file's rules of its user.
// Stored methods and rules of users the snapshot does not have are left out; `skipped`
// (optional) gets one line per verified method that no longer resolves.
std::shared_ptr<const OnCallSnapshot> WithStoredContacts(
    const std::shared_ptr<const OnCallSnapshot>& base,
    const std::vector<StoredContactMethod>& methods,
    const std::vector<StoredNotificationRules>& rules, const ContactContext& context,
    std::vector<std::string>* skipped = nullptr);

}  // namespace loom
