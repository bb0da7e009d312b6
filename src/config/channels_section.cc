// The destinations of messages: a user's `contact_methods:` and a service's `incident_channels:`
// (docs/configuration.md "Contact methods" and "services[].incident_channels"). Their keys are
// checked by the one rule the API's contact methods use too (ResolveContactKeys,
// config/contact_method_input.h); this file only reads them from the YAML and reports each
// problem at its line.

#include <optional>
#include <set>
#include <string_view>

#include "config/config_sections.h"
#include "config/contact_method_input.h"
#include "config/value_checks.h"
#include "notify/channels.h"

namespace loom::config {
namespace {

// The mapping of one destination: `id`, `type` and whatever other keys it has. Those are judged
// by the shared check (config/contact_method_input.h), so a key of another type, or a key no type
// has, gets the answer the API gives.
std::optional<Entries> DestinationMapping(YamlWalker& w, const YAML::Node& node,
                                          const std::string& path) {
  std::vector<std::string> own;
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it->first.IsScalar()) own.push_back(it->first.Scalar());
    }
  }
  const std::vector<std::string_view> views(own.begin(), own.end());
  return w.Mapping(node, path, {"id", "type"}, views);
}

// The keys of `m` besides `id` and `type`, as text (a null value as ""): what the shared check
// reads. A value that is not text is reported here and its key added to `reported`.
std::map<std::string, std::string> KeyValues(YamlWalker& w, const Entries& m,
                                             const std::string& path,
                                             std::set<std::string>* reported) {
  std::map<std::string, std::string> keys;
  for (const auto& [name, e] : m) {
    if (name == "id" || name == "type") continue;
    std::string value;
    if (w.String(&e, Join(path, name), &value)) {
      keys[name] = std::move(value);
    } else if (e.value.IsNull()) {
      keys[name] = "";
    } else {
      reported->insert(name);
    }
  }
  return keys;
}

// Reports the shared check's problems at the line of their key (the item's for the destination
// as a whole or a key it lacks), except those of keys `reported` already.
void ReportKeyProblems(YamlWalker& w, const Entries& m, const YAML::Node& node,
                       const std::string& path, const std::vector<ContactKeyProblem>& problems,
                       const std::set<std::string>& reported) {
  for (const ContactKeyProblem& p : problems) {
    if (reported.count(p.key) != 0) continue;
    const Entry* e = p.key.empty() ? nullptr : Find(m, p.key);
    w.Report(e != nullptr ? e->key : node, p.key.empty() ? path : Join(path, p.key), p.message);
  }
}

// The shared check's context: the walker's environment and what `notify:` set.
ContactContext ContextOf(YamlWalker& w, const DefinedNames& names) {
  ContactContext context;
  context.env = [&w](const std::string& name) { return w.Env(name); };
  context.smtp = names.smtp;
  context.providers = names.providers;
  return context;
}

}  // namespace

void ParseContactMethods(YamlWalker& w, const Entry& e, const std::string& path,
                         const DefinedNames& names, std::vector<ContactMethod>* out,
                         std::set<std::string>* ids) {
  std::map<std::string, int> id_lines;
  const ContactContext context = ContextOf(w, names);
  w.ForEachItem(
      e, path, "{ id, type, address | url | url_env | number | the type's own keys, secret_env }",
      [&](const YAML::Node& node, const std::string& item_path) {
        auto m = DestinationMapping(w, node, item_path);
        if (!m) return;
        ContactMethod cm;
        if (w.RequiredString(*m, node, item_path, "id", &cm.id)) {
          const Entry* id = Find(*m, "id");
          ids->insert(cm.id);
          w.UniqueId(&id_lines, cm.id, id->value, Join(item_path, "id"), "contact method");
        }
        if (!w.RequiredString(*m, node, item_path, "type", &cm.type)) return;
        std::set<std::string> reported;
        const std::map<std::string, std::string> keys = KeyValues(w, *m, item_path, &reported);
        ReportKeyProblems(w, *m, node, item_path, ResolveContactKeys(cm.type, keys, context, &cm),
                          reported);
        out->push_back(std::move(cm));
      });
}

void ParseIncidentChannels(YamlWalker& w, const Entry& e, const std::string& path,
                           std::vector<IncidentChannelConfig>* out) {
  std::map<std::string, int> id_lines;
  size_t index = 0;
  const std::string hint =
      "{ id, type: " + ChannelTypeNames(" | ", /*incident_channels_only=*/true) +
      ", url | url_env, secret_env }";
  const ContactContext context = ContextOf(w, DefinedNames{});
  w.ForEachItem(e, path, hint, [&](const YAML::Node& node, const std::string& item_path) {
    const size_t i = index++;
    auto m = DestinationMapping(w, node, item_path);
    if (!m) return;
    IncidentChannelConfig channel;
    const Entry* type = Find(*m, "type");
    if (!w.RequiredString(*m, node, item_path, "type", &channel.type)) return;
    const ChannelType* kind = FindChannelType(channel.type);
    if (kind == nullptr || !kind->incident_channel) {
      w.Report(type->value, Join(item_path, "type"),
               "'" + channel.type + "' is not an incident channel type (" +
                   ChannelTypeNames(", ", /*incident_channels_only=*/true) + ")");
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
    std::set<std::string> reported;
    const std::map<std::string, std::string> keys = KeyValues(w, *m, item_path, &reported);
    ContactMethod destination;
    ReportKeyProblems(w, *m, node, item_path,
                      ResolveDestinationKeys(*kind, keys, context, &destination), reported);
    channel.url = std::move(destination.address);
    channel.url_is_secret = destination.address_is_secret;
    channel.url_env = std::move(destination.url_env);
    channel.secret_env = std::move(destination.secret_env);
    channel.secrets = std::move(destination.secrets);
    out->push_back(std::move(channel));
  });
}

}  // namespace loom::config
