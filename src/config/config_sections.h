// The parsers of the configuration file's sections, one file per top-level section of
// docs/configuration.md, over the shared YamlWalker (config/yaml_walker.h). config.cc walks the
// top level and calls them; each reads its part of the document into its part of Config and
// reports every problem to the walker (so `out` may be partly filled after an error: the caller
// then discards the Config).
//
// Order matters only for references: config.cc parses notify, then users, then teams, then
// schedules, then services, and auth after them, so that an e-mail contact method can see
// notify.smtp, a team its users, a schedule its users and team, a service its schedules and team
// and single sign-on's group_roles their teams (DefinedNames).
//
// REQUIRES (all): `section` is the entry of the section's key in the top-level mapping (its value
// may be null: "not set"). yaml-cpp may throw; the callers catch at their edge.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/yaml_walker.h"

namespace loom::config {

// What earlier sections defined that later sections refer to.
struct DefinedNames {
  // `notify.smtp` is set (even when invalid: its own errors say what is wrong). E-mail contact
  // methods need it.
  bool smtp = false;
  // The keys of `notify.providers` that are set ("twilio", "twilio.from", "pushover",
  // "telegram"): a contact method needs its type's (ChannelType::provider).
  std::set<std::string> providers;
  std::map<std::string, int> users;      // valid, unique user id → line
  std::map<std::string, int> schedules;  // valid, unique schedule id → line
  std::map<std::string, int> teams;      // valid, unique team id → line
};

// server_section.cc: `server:`, `store:` and `log:`.
void ParseServer(YamlWalker& w, const Entry& section, ServerConfig* out);
void ParseStore(YamlWalker& w, const Entry& section, StoreConfig* out);
void ParseLog(YamlWalker& w, const Entry& section, LogOptions* out);

// policy_section.cc: `policy:` (overrides of the runbook's severity policy, each with the line
// it came from).
void ParsePolicy(YamlWalker& w, const Entry& section, PolicyOverrides* out);

// notify_section.cc: `notify:` (SMTP, reachable private hosts, workers, retries, links). Sets
// names->smtp.
void ParseNotify(YamlWalker& w, const Entry& section, NotifyConfig* out, DefinedNames* names);

// users_section.cc: `users:` with their contact methods and notification rules. Records every
// valid user id in names->users.
void ParseUsers(YamlWalker& w, const Entry& section, DefinedNames* names,
                std::vector<UserConfig>* out);

// channels_section.cc: the destinations of messages — one user's `contact_methods:` and one
// service's `incident_channels:` (`path` is the key's path). `ids` receives every contact
// method id written (also of invalid methods, so that rules naming them are not reported twice).
void ParseContactMethods(YamlWalker& w, const Entry& e, const std::string& path,
                         const DefinedNames& names, std::vector<ContactMethod>* out,
                         std::set<std::string>* ids);
void ParseIncidentChannels(YamlWalker& w, const Entry& e, const std::string& path,
                           std::vector<IncidentChannelConfig>* out);

// teams_section.cc: `teams:` (members must be in names.users). Records every valid team id in
// names->teams. ParseTeamRef reads a service's or schedule's `team:` (`e` may be null: none),
// which must be in names.teams.
void ParseTeams(YamlWalker& w, const Entry& section, DefinedNames* names, std::vector<Team>* out);
void ParseTeamRef(YamlWalker& w, const DefinedNames& names, const Entry* e, const std::string& path,
                  std::string* out);

// schedules_section.cc: `schedules:` (layers, restrictions, overrides); participants and
// override users must be in names.users. Records every valid schedule id in names->schedules.
void ParseSchedules(YamlWalker& w, const Entry& section, DefinedNames* names,
                    std::vector<ScheduleConfig>* out);

// services_section.cc: `services:` (ids, integration keys, severity map, roles, business hours,
// grouping, and through the files above the incident channels and the probe); role schedules
// must be in names.schedules.
void ParseServices(YamlWalker& w, const Entry& section, const DefinedNames& names,
                   std::vector<ServiceConfig>* out);

// probe_section.cc: one service's `probe:` (`path` is its key path).
void ParseProbe(YamlWalker& w, const Entry& e, const std::string& path, ProbeConfig* out);

// heartbeats_section.cc: one service's `heartbeats:` (`path` is its key path); ids are unique
// across services (`seen_ids`: id → line).
void ParseHeartbeats(YamlWalker& w, const Entry& e, const std::string& path,
                     const std::string& service_id, std::map<std::string, int>* seen_ids,
                     std::vector<Heartbeat>* out);

// maintenance_section.cc: `maintenance:` — maintenance windows over the services of
// `services` (configured services only).
void ParseMaintenance(YamlWalker& w, const Entry& section,
                      const std::vector<ServiceConfig>& services,
                      std::vector<MaintenanceWindow>* out);

// playbooks_section.cc: the playbooks' settings, `security:` and `drills:`.
void ParseSecurity(YamlWalker& w, const Entry& section, SecurityPlaybookConfig* out);
void ParseDrills(YamlWalker& w, const Entry& section, DrillSettings* out);

// auth_section.cc: `auth:` — local sign-in, session expiry, reset links; its `oidc` key goes to
// single sign-on's parser (with `names`, for the teams its group_roles name).
void ParseAuth(YamlWalker& w, const Entry& section, const DefinedNames& names, AuthConfig* out);
// oidc_section.cc: `auth.oidc` (single sign-on); `section` is the `oidc` entry of `auth:`, `path`
// its key path ("auth.oidc"). A null value leaves `*out` unset (off). A group_roles entry's
// `team` must be in names.teams, and its role is at most admin (owner only by users[].role).
void ParseOidc(YamlWalker& w, const Entry& section, const std::string& path,
               const DefinedNames& names, std::optional<OidcConfig>* out);

}  // namespace loom::config
