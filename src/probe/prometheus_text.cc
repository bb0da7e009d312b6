#include "probe/prometheus_text.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace loom {
namespace {

bool NameChar(char c, bool first) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
         (!first && std::isdigit(static_cast<unsigned char>(c)));
}

std::optional<double> ParseValue(std::string_view v) {
  if (v == "NaN") return std::nan("");
  if (v == "+Inf" || v == "Inf") return HUGE_VAL;
  if (v == "-Inf") return -HUGE_VAL;
  std::string s(v);
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0') return std::nullopt;
  return d;
}

class LineParser {
 public:
  LineParser(std::string_view line, int number) : s_(line), n_(number) {}

  Result<PromSample> Sample() {
    PromSample out;
    size_t start = i_;
    while (i_ < s_.size() && NameChar(s_[i_], i_ == start)) ++i_;
    if (i_ == start) return Fail("expected a metric name");
    out.name = std::string(s_.substr(start, i_ - start));
    if (i_ < s_.size() && s_[i_] == '{') {
      ++i_;
      while (true) {
        SkipSpaces();
        if (i_ < s_.size() && s_[i_] == '}') {
          ++i_;
          break;
        }
        size_t ls = i_;
        while (i_ < s_.size() && NameChar(s_[i_], i_ == ls)) ++i_;
        if (i_ == ls) return Fail("expected a label name");
        std::string key(s_.substr(ls, i_ - ls));
        SkipSpaces();
        if (i_ >= s_.size() || s_[i_] != '=') return Fail("expected '=' after label " + key);
        ++i_;
        SkipSpaces();
        if (i_ >= s_.size() || s_[i_] != '"') return Fail("expected a quoted label value");
        ++i_;
        std::string value;
        while (true) {
          if (i_ >= s_.size()) return Fail("unterminated label value");
          char c = s_[i_++];
          if (c == '"') break;
          if (c == '\\') {
            if (i_ >= s_.size()) return Fail("unterminated escape");
            char e = s_[i_++];
            value += e == 'n' ? '\n' : e;  // \\ and \" keep the character
          } else {
            value += c;
          }
        }
        out.labels.emplace_back(std::move(key), std::move(value));
        SkipSpaces();
        if (i_ < s_.size() && s_[i_] == ',') ++i_;
      }
    }
    SkipSpaces();
    std::string_view value = Token();
    if (value.empty()) return Fail("missing sample value");
    auto v = ParseValue(value);
    if (!v) return Fail("bad sample value '" + std::string(value) + "'");
    out.value = *v;
    SkipSpaces();
    std::string_view ts = Token();
    if (!ts.empty()) {
      char* end = nullptr;
      std::string t(ts);
      long long ms = std::strtoll(t.c_str(), &end, 10);
      if (*end != '\0') return Fail("bad timestamp '" + t + "'");
      out.timestamp_ms = ms;
    }
    SkipSpaces();
    if (i_ != s_.size()) return Fail("unexpected text after the sample");
    return out;
  }

 private:
  void SkipSpaces() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  std::string_view Token() {
    size_t b = i_;
    while (i_ < s_.size() && s_[i_] != ' ' && s_[i_] != '\t') ++i_;
    return s_.substr(b, i_ - b);
  }
  Error Fail(const std::string& why) const {
    return Error::Invalid("metrics line " + std::to_string(n_) + ": " + why);
  }

  std::string_view s_;
  int n_;
  size_t i_ = 0;
};

}  // namespace

std::string_view PromSample::Label(std::string_view key) const {
  for (const auto& [k, v] : labels) {
    if (k == key) return v;
  }
  return {};
}

std::optional<double> PromScrape::Value(
    std::string_view name, const std::vector<std::pair<std::string, std::string>>& match) const {
  for (const auto& s : samples) {
    if (s.name != name) continue;
    bool ok = true;
    for (const auto& [k, v] : match) ok = ok && s.Label(k) == v;
    if (ok) return s.value;
  }
  return std::nullopt;
}

double PromScrape::Sum(std::string_view name) const {
  double sum = 0;
  for (const auto& s : samples) {
    if (s.name == name) sum += s.value;
  }
  return sum;
}

Result<PromScrape> ParsePrometheusText(std::string_view text) {
  PromScrape out;
  int number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos) continue;
    line.remove_prefix(first);
    if (line[0] == '#') {
      // "# TYPE name kind"; other comments (HELP, free text) are skipped.
      if (line.substr(0, 7) == "# TYPE ") {
        std::string_view rest = line.substr(7);
        size_t sp = rest.find(' ');
        if (sp == std::string_view::npos) {
          return Error::Invalid("metrics line " + std::to_string(number) + ": TYPE without a kind");
        }
        out.types[std::string(rest.substr(0, sp))] = std::string(rest.substr(sp + 1));
      }
      continue;
    }
    auto sample = LineParser(line, number).Sample();
    if (!sample.ok()) return std::move(sample).error();
    out.samples.push_back(std::move(*sample));
  }
  return out;
}

}  // namespace loom
