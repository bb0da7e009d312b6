#include "core/severity.h"

#include <algorithm>
#include <cctype>

namespace loom {
namespace {
std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}
}  // namespace

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kSev1: return "sev1";
    case Severity::kSev2: return "sev2";
    case Severity::kSev3: return "sev3";
    case Severity::kSev4: return "sev4";
  }
  return "sev2";
}

std::optional<Severity> ParseSeverity(std::string_view text) {
  std::string s = Lower(text);
  if (s == "sev1") return Severity::kSev1;
  if (s == "sev2") return Severity::kSev2;
  if (s == "sev3") return Severity::kSev3;
  if (s == "sev4") return Severity::kSev4;
  return std::nullopt;
}

Severity SeverityMapping::Map(std::string_view word, std::string_view override_text) const {
  if (!override_text.empty()) {
    if (auto s = ParseSeverity(override_text)) return *s;
  }
  auto it = by_word.find(Lower(word));
  return it == by_word.end() ? fallback : it->second;
}

}  // namespace loom
