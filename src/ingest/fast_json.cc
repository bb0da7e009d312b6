#include "ingest/fast_json.h"

#include <new>

namespace loom::ingest {
namespace {

simdjson::dom::parser NewParser() {
  simdjson::dom::parser parser;
  // Sets the depth limit; the capacity grows with the largest body the thread sees.
  if (parser.allocate(64 * 1024, kMaxJsonDepth) != simdjson::SUCCESS) throw std::bad_alloc();
  return parser;
}

}  // namespace

JsonBodyStatus ParseFastJsonBody(std::string_view body, FastElement* out) {
  thread_local simdjson::dom::parser parser = NewParser();
  simdjson::error_code error = parser.parse(body.data(), body.size()).get(*out);
  if (error == simdjson::NUMBER_ERROR) {
    // A number simdjson cannot hold (a 30-digit integer): let nlohmann-json read it as a double
    // and parse its compact rewrite instead. Rare, so this path may be slow.
    Json doc;
    if (JsonBodyStatus status = ParseJsonBody(body, &doc); status != JsonBodyStatus::kOk) {
      return status;
    }
    const std::string rewritten = DumpCompact(doc);
    error = parser.parse(rewritten.data(), rewritten.size()).get(*out);
  }
  if (error == simdjson::MEMALLOC) throw std::bad_alloc();
  if (error == simdjson::DEPTH_ERROR) return JsonBodyStatus::kTooDeep;
  if (error != simdjson::SUCCESS) return JsonBodyStatus::kMalformed;
  return JsonBodyStatus::kOk;
}

std::optional<FastElement> FastMember(FastObject obj, std::string_view key) {
  // The last of duplicate keys wins, as with nlohmann-json and most JSON readers (simdjson's
  // at_key would return the first).
  std::optional<FastElement> value;
  for (simdjson::dom::key_value_pair field : obj) {
    if (field.key == key) value = field.value;
  }
  if (value && value->is_null()) return std::nullopt;
  return value;
}

std::optional<std::string_view> FastStringMember(FastObject obj, std::string_view key) {
  std::optional<FastElement> value = FastMember(obj, key);
  std::string_view text;
  if (!value || value->get_string().get(text) != simdjson::SUCCESS) return std::nullopt;
  return text;
}

void AppendFastMember(std::string& out, std::string_view key, FastElement value) {
  if (out.empty() || out.back() != '{') out += ',';
  out += '"';
  out += key;  // our own constant keys: no escaping needed
  out += "\":";
  out += simdjson::to_string(value);
}

}  // namespace loom::ingest
