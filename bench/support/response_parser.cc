#include "support/response_parser.h"

#include <cctype>
#include <cstdlib>
#include <optional>
#include <string>

namespace loom::bench {
namespace {

bool IEqualsPrefix(std::string_view text, std::string_view lower_prefix) {
  if (text.size() < lower_prefix.size()) return false;
  for (size_t i = 0; i < lower_prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != lower_prefix[i]) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

ResponseParser::State ResponseParser::Parse(std::string_view buf, size_t* consumed) {
  auto head_end = buf.find("\r\n\r\n");
  if (head_end == std::string_view::npos)
    return buf.size() > 65536 ? State::kBad : State::kNeedMore;
  std::string_view head = buf.substr(0, head_end);
  auto line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  if (!IEqualsPrefix(status_line, "http/1.") || status_line.size() < 12) return State::kBad;
  status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
  close = IEqualsPrefix(status_line, "http/1.0");
  std::optional<size_t> length;
  bool chunked = false;
  size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    auto next = head.find("\r\n", pos);
    if (next == std::string_view::npos) next = head.size();
    std::string_view line = head.substr(pos, next - pos);
    pos = next + 2;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon), value = Trim(line.substr(colon + 1));
    if (name.size() == 14 && IEqualsPrefix(name, "content-length")) {
      length = static_cast<size_t>(std::strtoull(std::string(value).c_str(), nullptr, 10));
    } else if (name.size() == 17 && IEqualsPrefix(name, "transfer-encoding")) {
      chunked = IEqualsPrefix(value, "chunked");
    } else if (name.size() == 10 && IEqualsPrefix(name, "connection")) {
      close = IEqualsPrefix(value, "close");
    }
  }
  size_t body_start = head_end + 4;
  if (chunked) {
    body.clear();
    size_t p = body_start;
    while (true) {
      auto eol = buf.find("\r\n", p);
      if (eol == std::string_view::npos) return State::kNeedMore;
      size_t size = std::strtoull(std::string(buf.substr(p, eol - p)).c_str(), nullptr, 16);
      p = eol + 2;
      if (size == 0) {
        auto end = buf.find("\r\n", p);  // no trailers expected: the final CRLF
        if (end == std::string_view::npos) return State::kNeedMore;
        *consumed = end + 2;
        return State::kDone;
      }
      if (buf.size() < p + size + 2) return State::kNeedMore;
      body.append(buf.substr(p, size));
      p += size + 2;
    }
  }
  size_t n = length.value_or(0);
  if (buf.size() < body_start + n) return State::kNeedMore;
  body.assign(buf.substr(body_start, n));
  *consumed = body_start + n;
  return State::kDone;
}

}  // namespace loom::bench
