#include "ingest/json_input.h"

#include <cstring>

namespace loom::ingest {

size_t JsonNestingDepth(std::string_view text, size_t limit) {
  size_t depth = 0;
  size_t max_depth = 0;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    char c = *p++;
    switch (c) {
      case '"': {
        // Skip the string: find the next quote not escaped by an odd run of backslashes. memchr
        // keeps this fast, since string contents are most of a typical event's bytes.
        for (;;) {
          const void* q = std::memchr(p, '"', static_cast<size_t>(end - p));
          if (q == nullptr) return max_depth;  // unterminated: the parser will refuse it
          const char* quote = static_cast<const char*>(q);
          size_t backslashes = 0;
          for (const char* b = quote; b > p && b[-1] == '\\'; --b) ++backslashes;
          p = quote + 1;
          if (backslashes % 2 == 0) break;
        }
        break;
      }
      case '[':
      case '{':
        if (++depth > max_depth) {
          max_depth = depth;
          if (max_depth > limit) return max_depth;
        }
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return max_depth;
}

JsonBodyStatus ParseJsonBody(std::string_view body, Json* out) {
  // A body shorter than the limit cannot nest deeper than it: skip the scan for those.
  if (body.size() > kMaxJsonDepth && JsonNestingDepth(body, kMaxJsonDepth) > kMaxJsonDepth) {
    return JsonBodyStatus::kTooDeep;
  }
  *out = Json::parse(body.begin(), body.end(), /*cb=*/nullptr, /*allow_exceptions=*/false);
  return out->is_discarded() ? JsonBodyStatus::kMalformed : JsonBodyStatus::kOk;
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string CapTitle(std::string_view text) {
  const size_t length = Utf8Length(text);
  if (length <= kMaxTitleLength) return std::string(text);
  const std::string marker = "\u2026 [cut: " + std::to_string(length) +
                             " characters in all; the full text is in the alert's details]";
  const size_t keep = kMaxTitleLength - Utf8Length(marker);
  // The byte where character `keep` (0-based) starts.
  size_t end = 0;
  for (size_t chars = 0; end < text.size(); ++end) {
    if ((static_cast<unsigned char>(text[end]) & 0xC0) != 0x80 && chars++ == keep) break;
  }
  std::string out(text.substr(0, end));
  out += marker;
  return out;
}

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return false;
  }
  return true;
}

const Json* Member(const Json& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

Json* Member(Json& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

const std::string* StringMember(const Json& obj, std::string_view key) {
  const Json* v = Member(obj, key);
  return v != nullptr && v->is_string() ? v->get_ptr<const std::string*>() : nullptr;
}

std::string DumpCompact(const Json& value) {
  std::string out;
  AppendCompact(out, value);
  return out;
}

void AppendCompact(std::string& out, const Json& value) {
  // What Json::dump() does, minus its temporary string: serialise straight into `out`.
  nlohmann::detail::serializer<Json> serializer(nlohmann::detail::output_adapter<char>(out), ' ',
                                                Json::error_handler_t::replace);
  serializer.dump(value, /*pretty_print=*/false, /*ensure_ascii=*/false, /*indent_step=*/0);
}

void AppendMember(std::string& out, std::string_view key, const Json& value) {
  if (out.empty() || out.back() != '{') out += ',';
  out += '"';
  out += key;  // our own constant keys: no escaping needed
  out += "\":";
  AppendCompact(out, value);
}

Error InternalParserError(std::string_view format, const std::exception& e) {
  return Error::Internal(std::string(format) + " parser failed: " + e.what());
}

}  // namespace loom::ingest
