// The typed reads every configuration section shares: mappings with their allowed keys, strings,
// integers, booleans, durations, lists, `*_env` variables and unique ids, each with the key path
// and line that an error names. A YamlWalker collects every problem of one document (it never
// stops at the first), as FieldErrors `file:line: key.path: reason` (docs/configuration.md
// "Errors").
//
// yaml-cpp throws. Load() catches the parse error; everything else may throw from yaml-cpp on a
// node it cannot handle, so callers catch std::exception at their edge (ParseConfig, LoadConfig,
// DemoConfig). A walker visits mappings by iterating their pairs (never operator[] on a missing
// key), so each key and value keeps its YAML::Mark for the error line.
//
// Not thread-safe: one walker per document, used by one thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/time_format.h"

namespace loom::config {

// Looks up an environment variable; nullptr when unset (config.h's EnvLookup).
using EnvLookup = std::function<const char*(const char*)>;

// One key of a mapping with its nodes (for marks).
struct Entry {
  YAML::Node key;
  YAML::Node value;
};
using Entries = std::map<std::string, Entry, std::less<>>;

// The entry of `key`, nullptr when the mapping has none.
const Entry* Find(const Entries& entries, std::string_view key);

// Key paths as errors show them: Join("server", "listen") = "server.listen" (Join("", k) = k),
// Index("services", 2) = "services[2]".
std::string Join(const std::string& path, std::string_view key);
std::string Index(const std::string& path, size_t i);

// 1-based line of `node`, 0 when unknown.
int LineOf(const YAML::Node& node);

// A name a shell accepts as an environment variable: [A-Za-z_][A-Za-z0-9_]*.
bool IsEnvName(std::string_view s);

class YamlWalker {
 public:
  // `source` prefixes every message (a file path, or "demo"). `env` must outlive the walker; an
  // empty `env` has no variables.
  YamlWalker(std::string source, const EnvLookup& env);

  const std::string& source() const { return source_; }

  // Parses `text` into `*root`; false (reported as "invalid YAML: ...", with the line) when it is
  // not YAML.
  bool Load(const std::string& text, YAML::Node* root);

  // Records one problem: "<source>[:<line>]: [<path>: ]<reason>" (line 0 = unknown, path "" =
  // the document).
  void Report(int line, const std::string& path, const std::string& reason);
  void Report(const YAML::Node& at, const std::string& path, const std::string& reason);

  // The value of environment variable `name`, nullptr when unset.
  const char* Env(const std::string& name) const;

  // The pairs of mapping `node`; reports a non-mapping, non-scalar or duplicate keys and keys
  // outside `allowed` and `also_allowed` (reserved keys, left out of the "expected" hint). A null
  // node (`server:` with nothing after it) is an empty mapping. nullopt (reported) when `node` is
  // not a mapping.
  std::optional<Entries> Mapping(const YAML::Node& node, const std::string& path,
                                 std::initializer_list<std::string_view> allowed,
                                 std::span<const std::string_view> also_allowed = {});

  // Scalar readers: true and `*out` set when `e` holds a valid value. A missing entry or a null
  // value counts as absent (false, nothing reported, `*out` unchanged); a value of the wrong kind
  // is reported.
  bool String(const Entry* e, const std::string& path, std::string* out);
  bool Int(const Entry* e, const std::string& path, int64_t min, int64_t max, int64_t* out);
  // The same for an `int` field (min and max within int).
  bool Int(const Entry* e, const std::string& path, int min, int max, int* out);
  bool Bool(const Entry* e, const std::string& path, bool* out);
  // A duration ("30s", "5m", "1h30m"; common/time_format.h); zero only when `allow_zero`.
  bool DurationValue(const Entry* e, const std::string& path, bool allow_zero, Duration* out);
  // A string that must pass `check`; its error message becomes the reason.
  bool CheckedString(const Entry* e, const std::string& path, std::string* out,
                     const std::function<Status(const std::string&)>& check);
  // A required non-empty string key of mapping `m` (defined at `node`): false, reported as
  // "is required" at the key (or `node` when the key is missing), when absent, null or empty.
  bool RequiredString(const Entries& m, const YAML::Node& node, const std::string& path,
                      std::string_view key, std::string* out);
  // The value of the environment variable named by `e` (`*_env` keys): false (reported) when no
  // variable is named, the name is not a variable name, or the variable is unset or empty.
  // Messages name the variable, never its value. A missing `e` is absent (false, not reported).
  bool EnvValue(const Entry* e, const std::string& path, std::string* name, std::string* value);

  // Records `id` (defined at `at`) in `seen` (id → line): false, reported as "duplicate <what> id
  // '<id>' (first at line N)", when it is already there.
  bool UniqueId(std::map<std::string, int>* seen, const std::string& id, const YAML::Node& at,
                const std::string& path, std::string_view what);
  // UniqueId for an id that must also be `valid`: an invalid one is reported as "'<id>' is not a
  // valid <what> id (<rule>)" and not recorded.
  bool ValidUniqueId(std::map<std::string, int>* seen, const std::string& id, bool valid,
                     std::string_view rule, const YAML::Node& at, const std::string& path,
                     std::string_view what);

  // Calls `item(node, path)` for each element of the list `e`; a null value is an empty list; a
  // non-list is reported as "must be a list of <hint>".
  void ForEachItem(const Entry& e, const std::string& path, std::string_view hint,
                   const std::function<void(const YAML::Node&, const std::string&)>& item);
  // Parses each element of the list `e` with `parse(node, path, T*)` and appends it to `out`.
  template <typename T, typename Parse>
  void ParseItems(const Entry& e, const std::string& path, std::string_view hint,
                  std::vector<T>* out, Parse parse) {
    ForEachItem(e, path, hint, [&](const YAML::Node& node, const std::string& item_path) {
      T item;
      parse(node, item_path, &item);
      out->push_back(std::move(item));
    });
  }

  // "config <source>:<line>" for a value set at `node` (where a policy value came from).
  std::string ConfigSource(const YAML::Node& node) const;

  // True while nothing has been reported.
  bool ok() const { return fields_.empty(); }
  // Every problem reported, as one InvalidArgument Error: the message has one problem per line,
  // `fields` one entry each (pointer = key path, detail = the line). REQUIRES: !ok().
  Error TakeError();

 private:
  std::string source_;
  const EnvLookup& env_;
  std::vector<FieldError> fields_;
};

}  // namespace loom::config
