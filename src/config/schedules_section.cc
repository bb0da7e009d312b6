// `schedules:` — on-call rotations: layers, restrictions and overrides (docs/configuration.md
// "schedules[]").

#include "config/config_sections.h"
#include "config/value_checks.h"

namespace loom::config {
namespace {

// Reports `user` unless it is a configured user.
void CheckUserRef(YamlWalker& w, const DefinedNames& names, const YAML::Node& at,
                  const std::string& path, const std::string& user) {
  if (names.users.count(user) == 0) {
    w.Report(at, path, "unknown user '" + user + "' (not in users:)");
  }
}

void ParseRestriction(YamlWalker& w, const YAML::Node& node, const std::string& path,
                      Restriction* out) {
  auto m = w.Mapping(node, path, {"days", "from", "to"});
  if (!m) return;
  std::string text;
  if (const Entry* days = Find(*m, "days"); w.String(days, Join(path, "days"), &text)) {
    auto bits = ParseWeekdays(text);
    if (!bits.ok()) {
      w.Report(days->value, Join(path, "days"), bits.error().message);
    } else {
      out->weekdays = *bits;
    }
  }
  for (const char* key : {"from", "to"}) {
    const Entry* e = Find(*m, key);
    if (!w.String(e, Join(path, key), &text)) continue;
    auto minute = ParseTimeOfDay(text);
    if (!minute.ok()) {
      w.Report(e->value, Join(path, key), minute.error().message);
    } else {
      (std::string_view(key) == "from" ? out->from_minute : out->to_minute) = *minute;
    }
  }
}

void ParseLayer(YamlWalker& w, const DefinedNames& names, const YAML::Node& node,
                const std::string& path, RotationLayer* out) {
  auto m = w.Mapping(node, path, {"participants", "shift", "handoff", "start", "restrictions"});
  if (!m) return;
  const std::string participants_path = Join(path, "participants");
  const Entry* participants = Find(*m, "participants");
  if (participants == nullptr || participants->value.IsNull() ||
      (participants->value.IsSequence() && participants->value.size() == 0)) {
    w.Report(participants != nullptr ? participants->key : node, participants_path,
             "needs at least one user id");
  } else if (!participants->value.IsSequence()) {
    w.Report(participants->value, participants_path,
             "must be a list of user ids, e.g. [alice, bob]");
  } else {
    for (size_t i = 0; i < participants->value.size(); ++i) {
      const YAML::Node& p = participants->value[i];
      const std::string p_path = Index(participants_path, i);
      if (!p.IsScalar()) {
        w.Report(p, p_path, "must be a user id");
        continue;
      }
      CheckUserRef(w, names, p, p_path, p.Scalar());
      out->participants.push_back(p.Scalar());
    }
  }
  std::string text;
  if (const Entry* shift = Find(*m, "shift"); w.String(shift, Join(path, "shift"), &text)) {
    auto d = ParseDuration(text);
    const int64_t minutes =
        d.ok() ? std::chrono::duration_cast<std::chrono::minutes>(*d).count() : 0;
    if (!d.ok() || minutes < 60 || minutes % 60 != 0 || std::chrono::minutes(minutes) != *d) {
      w.Report(shift->value, Join(path, "shift"),
               "'" + text + "' is not a shift length in whole hours, days or weeks (12h, 1d, 1w)");
    } else {
      out->shift_length_minutes = minutes;
    }
  }
  if (const Entry* handoff = Find(*m, "handoff"); w.String(handoff, Join(path, "handoff"), &text)) {
    auto minute = ParseTimeOfDay(text);
    if (!minute.ok()) {
      w.Report(handoff->value, Join(path, "handoff"), minute.error().message);
    } else {
      out->handoff_minute = *minute;
    }
  }
  if (w.RequiredString(*m, node, path, "start", &text)) {
    auto days = ParseCivilDate(text);
    if (!days.ok()) {
      w.Report(Find(*m, "start")->value, Join(path, "start"), days.error().message);
    } else {
      out->start_days = *days;
    }
  }
  if (const Entry* restrictions = Find(*m, "restrictions")) {
    w.ForEachItem(*restrictions, Join(path, "restrictions"), "{ days, from, to }",
                  [&](const YAML::Node& item, const std::string& item_path) {
                    Restriction r;
                    ParseRestriction(w, item, item_path, &r);
                    out->restrictions.push_back(r);
                  });
  }
}

void ParseOverride(YamlWalker& w, const DefinedNames& names, const YAML::Node& node,
                   const std::string& path, OverrideConfig* out) {
  auto m = w.Mapping(node, path, {"user", "from", "to"});
  if (!m) return;
  if (w.RequiredString(*m, node, path, "user", &out->user)) {
    CheckUserRef(w, names, Find(*m, "user")->value, Join(path, "user"), out->user);
  }
  bool times_ok = true;
  for (const char* key : {"from", "to"}) {
    std::string text;
    if (!w.RequiredString(*m, node, path, key, &text)) {
      times_ok = false;
      continue;
    }
    auto local = ParseLocalDateTime(text);
    if (!local.ok()) {
      w.Report(Find(*m, key)->value, Join(path, key), local.error().message);
      times_ok = false;
      continue;
    }
    (std::string_view(key) == "from" ? out->from : out->to) = *local;
  }
  if (times_ok && std::make_pair(out->to.days, out->to.minute) <=
                      std::make_pair(out->from.days, out->from.minute)) {
    w.Report(Find(*m, "to")->value, Join(path, "to"), "must be after from");
  }
}

void ParseSchedule(YamlWalker& w, DefinedNames* names, const YAML::Node& node,
                   const std::string& path, ScheduleConfig* out) {
  auto m = w.Mapping(node, path, {"id", "name", "time_zone", "team", "layers", "overrides"});
  if (!m) return;
  if (w.RequiredString(*m, node, path, "id", &out->id)) {
    w.ValidUniqueId(&names->schedules, out->id, IsValidServiceId(out->id), kServiceIdRule,
                    Find(*m, "id")->value, Join(path, "id"), "schedule");
  }
  w.CheckedString(Find(*m, "time_zone"), Join(path, "time_zone"), &out->time_zone, CheckTimeZone);
  ParseTeamRef(w, *names, Find(*m, "team"), Join(path, "team"), &out->team);
  if (const Entry* layers = Find(*m, "layers")) {
    w.ParseItems(*layers, Join(path, "layers"), "layers { participants, shift, handoff, start }",
                 &out->layers,
                 [&](const YAML::Node& n, const std::string& p, RotationLayer* layer) {
                   ParseLayer(w, *names, n, p, layer);
                 });
  }
  if (const Entry* overrides = Find(*m, "overrides")) {
    w.ParseItems(*overrides, Join(path, "overrides"), "overrides { user, from, to }",
                 &out->overrides,
                 [&](const YAML::Node& n, const std::string& p, OverrideConfig* o) {
                   ParseOverride(w, *names, n, p, o);
                 });
  }
}

}  // namespace

void ParseSchedules(YamlWalker& w, const Entry& section, DefinedNames* names,
                    std::vector<ScheduleConfig>* out) {
  w.ParseItems(section, "schedules", "schedules (lines starting with '- id:')", out,
               [&](const YAML::Node& node, const std::string& path, ScheduleConfig* schedule) {
                 ParseSchedule(w, names, node, path, schedule);
               });
}

}  // namespace loom::config
