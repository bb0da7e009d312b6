// Small JSON output helpers for hot paths, where a DOM (nlohmann::json) would cost more than the
// few fields written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace loom {

// Builds one flat JSON object, fields in the order added. Keys are trusted literals; values are
// escaped. Cheaper than a DOM on the writer's hot path, where every event carries a few fields.
class JsonObjectWriter {
 public:
  JsonObjectWriter() {
    out_.reserve(256);
    out_.push_back('{');
  }
  JsonObjectWriter& Add(std::string_view key, std::string_view value);
  JsonObjectWriter& Add(std::string_view key, const char* value) {
    return Add(key, std::string_view(value));
  }
  JsonObjectWriter& Add(std::string_view key, int64_t value);
  JsonObjectWriter& AddBool(std::string_view key, bool value);
  // Returns the finished object; the writer must not be used afterwards.
  std::string Finish();

 private:
  void Key(std::string_view key);

  std::string out_;
  bool first_ = true;
};

// Appends `text` as a JSON string literal (with quotes).
void AppendJsonString(std::string_view text, std::string* out);

}  // namespace loom
