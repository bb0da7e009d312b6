#include "config/yaml_walker.h"

#include <cctype>
#include <charconv>

namespace loom::config {

const Entry* Find(const Entries& entries, std::string_view key) {
  auto it = entries.find(key);
  return it == entries.end() ? nullptr : &it->second;
}

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string Index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

int LineOf(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

bool IsEnvName(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

YamlWalker::YamlWalker(std::string source, const EnvLookup& env)
    : source_(std::move(source)), env_(env) {}

bool YamlWalker::Load(const std::string& text, YAML::Node* root) {
  try {
    *root = YAML::Load(text);
    return true;
  } catch (const YAML::Exception& e) {
    Report(e.mark.is_null() ? 0 : e.mark.line + 1, "", "invalid YAML: " + e.msg);
    return false;
  }
}

void YamlWalker::Report(int line, const std::string& path, const std::string& reason) {
  std::string msg = source_;
  if (line > 0) msg += ":" + std::to_string(line);
  msg += ": ";
  if (!path.empty()) msg += path + ": ";
  msg += reason;
  fields_.push_back({path, msg});
}

void YamlWalker::Report(const YAML::Node& at, const std::string& path, const std::string& reason) {
  Report(LineOf(at), path, reason);
}

const char* YamlWalker::Env(const std::string& name) const {
  return env_ ? env_(name.c_str()) : nullptr;
}

std::optional<Entries> YamlWalker::Mapping(const YAML::Node& node, const std::string& path,
                                           std::initializer_list<std::string_view> allowed,
                                           std::span<const std::string_view> also_allowed) {
  if (node.IsNull()) return Entries{};
  if (!node.IsMap()) {
    Report(node, path, "must be a mapping (key: value lines)");
    return std::nullopt;
  }
  Entries entries;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      Report(key, path, "keys must be plain words");
      continue;
    }
    const std::string& name = key.Scalar();
    bool known = false;
    for (auto a : allowed) known = known || a == name;
    for (auto a : also_allowed) known = known || a == name;
    if (!known) {
      std::string expected;
      for (auto a : allowed) expected += (expected.empty() ? "" : ", ") + std::string(a);
      Report(key, Join(path, name), "unknown key (expected one of: " + expected + ")");
      continue;
    }
    if (const Entry* first = Find(entries, name)) {
      Report(key, Join(path, name),
             "duplicate key (first set at line " + std::to_string(LineOf(first->key)) + ")");
      continue;
    }
    entries.emplace(name, Entry{key, it->second});
  }
  return entries;
}

bool YamlWalker::String(const Entry* e, const std::string& path, std::string* out) {
  if (e == nullptr || e->value.IsNull()) return false;
  if (!e->value.IsScalar()) {
    Report(e->value, path, "must be a string");
    return false;
  }
  *out = e->value.Scalar();
  return true;
}

bool YamlWalker::Int(const Entry* e, const std::string& path, int64_t min, int64_t max,
                     int64_t* out) {
  if (e == nullptr || e->value.IsNull()) return false;
  int64_t value = 0;
  bool parsed = false;
  if (e->value.IsScalar()) {
    const std::string& s = e->value.Scalar();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    parsed = !s.empty() && ec == std::errc() && end == s.data() + s.size();
  }
  if (!parsed || value < min || value > max) {
    Report(e->value, path,
           "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return false;
  }
  *out = value;
  return true;
}

bool YamlWalker::Int(const Entry* e, const std::string& path, int min, int max, int* out) {
  int64_t value = 0;
  if (!Int(e, path, int64_t{min}, int64_t{max}, &value)) return false;
  *out = static_cast<int>(value);
  return true;
}

bool YamlWalker::Bool(const Entry* e, const std::string& path, bool* out) {
  if (e == nullptr || e->value.IsNull()) return false;
  bool value = false;
  if (!e->value.IsScalar() || !YAML::convert<bool>::decode(e->value, value)) {
    Report(e->value, path, "must be true or false");
    return false;
  }
  *out = value;
  return true;
}

bool YamlWalker::DurationValue(const Entry* e, const std::string& path, bool allow_zero,
                               Duration* out) {
  std::string text;
  if (!String(e, path, &text)) return false;
  auto d = ParseDuration(text);
  if (!d.ok()) {
    Report(e->value, path, d.error().message + " (e.g. 30s, 5m, 1h30m)");
    return false;
  }
  if (!allow_zero && *d <= Duration::zero()) {
    Report(e->value, path, "must be longer than 0");
    return false;
  }
  *out = *d;
  return true;
}

bool YamlWalker::CheckedString(const Entry* e, const std::string& path, std::string* out,
                               const std::function<Status(const std::string&)>& check) {
  std::string text;
  if (!String(e, path, &text)) return false;
  if (Status s = check(text); !s.ok()) {
    Report(e->value, path, s.error().message);
    return false;
  }
  *out = std::move(text);
  return true;
}

bool YamlWalker::RequiredString(const Entries& m, const YAML::Node& node, const std::string& path,
                                std::string_view key, std::string* out) {
  const Entry* e = Find(m, key);
  if (String(e, Join(path, key), out) && !out->empty()) return true;
  if (e == nullptr || e->value.IsNull() || (e->value.IsScalar() && out->empty())) {
    Report(e != nullptr ? e->key : node, Join(path, key), "is required");
  }
  return false;
}

bool YamlWalker::EnvValue(const Entry* e, const std::string& path, std::string* name,
                          std::string* value) {
  if (e == nullptr) return false;
  if (!String(e, path, name)) {
    // A null value's mark points past it: name the key's line.
    if (e->value.IsNull()) Report(e->key, path, "names no variable");
    return false;
  }
  if (!IsEnvName(*name)) {
    Report(e->value, path, "'" + *name + "' is not an environment variable name");
    return false;
  }
  const char* v = Env(*name);
  if (v == nullptr || *v == '\0') {
    Report(e->value, path, "environment variable " + *name + " is not set");
    return false;
  }
  *value = v;
  return true;
}

bool YamlWalker::UniqueId(std::map<std::string, int>* seen, const std::string& id,
                          const YAML::Node& at, const std::string& path, std::string_view what) {
  auto [it, fresh] = seen->emplace(id, LineOf(at));
  if (fresh) return true;
  Report(at, path,
         "duplicate " + std::string(what) + " id '" + id + "' (first at line " +
             std::to_string(it->second) + ")");
  return false;
}

bool YamlWalker::ValidUniqueId(std::map<std::string, int>* seen, const std::string& id, bool valid,
                               std::string_view rule, const YAML::Node& at, const std::string& path,
                               std::string_view what) {
  if (!valid) {
    Report(at, path,
           "'" + id + "' is not a valid " + std::string(what) + " id (" + std::string(rule) + ")");
    return false;
  }
  return UniqueId(seen, id, at, path, what);
}

void YamlWalker::ForEachItem(
    const Entry& e, const std::string& path, std::string_view hint,
    const std::function<void(const YAML::Node&, const std::string&)>& item) {
  if (e.value.IsNull()) return;
  if (!e.value.IsSequence()) {
    Report(e.value, path, "must be a list of " + std::string(hint));
    return;
  }
  for (size_t i = 0; i < e.value.size(); ++i) item(e.value[i], Index(path, i));
}

std::string YamlWalker::ConfigSource(const YAML::Node& node) const {
  return "config " + source_ + ":" + std::to_string(LineOf(node));
}

Error YamlWalker::TakeError() {
  std::string message;
  for (const auto& f : fields_) message += (message.empty() ? "" : "\n") + f.detail;
  return Error::Invalid(std::move(message), std::exchange(fields_, {}));
}

}  // namespace loom::config
