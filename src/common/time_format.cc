#include "common/time_format.h"

// date.h's parser trips g++ 12's -Wmaybe-uninitialized inside its own code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <date/date.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <cctype>
#include <sstream>

namespace loom {

std::string FormatRfc3339(TimePoint t) {
  return date::format("%FT%TZ", std::chrono::time_point_cast<std::chrono::milliseconds>(t));
}

Result<TimePoint> ParseRfc3339(std::string_view text) {
  std::string s(text);
  if (s.size() >= 11 && s[10] == ' ') s[10] = 'T';
  // Normalise a trailing "+hh:mm" / "-hh:mm" to "+hhmm" so one %z format covers both spellings.
  if (s.size() > 6) {
    size_t n = s.size();
    if ((s[n - 6] == '+' || s[n - 6] == '-') && s[n - 3] == ':') s.erase(n - 3, 1);
  }
  if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) {
    s.pop_back();
    s += "+0000";
  }
  std::istringstream in(s);
  date::sys_time<std::chrono::nanoseconds> tp;
  in >> date::parse("%FT%T%z", tp);
  if (in.fail() || in.peek() != std::char_traits<char>::eof()) {
    return Error::Invalid("not an RFC 3339 timestamp: '" + std::string(text) + "'");
  }
  return std::chrono::time_point_cast<std::chrono::microseconds>(tp);
}

Result<Duration> ParseDuration(std::string_view text) {
  if (text.empty()) return Error::Invalid("empty duration");
  int64_t total = 0;
  size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      return Error::Invalid("bad duration '" + std::string(text) + "': expected a number");
    }
    int64_t n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      n = n * 10 + (text[i] - '0');
      if (n > 1'000'000'000)
        return Error::Invalid("duration too large: '" + std::string(text) + "'");
      ++i;
    }
    int64_t unit = 1;
    if (i < text.size()) {
      switch (text[i]) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        case 'w': unit = 7 * 86400; break;
        default:
          return Error::Invalid("bad duration '" + std::string(text) +
                                "': units are s, m, h, d, w");
      }
      ++i;
    } else if (any) {
      return Error::Invalid("bad duration '" + std::string(text) + "': missing unit");
    }
    total += n * unit;
    any = true;
  }
  return Duration(std::chrono::seconds(total));
}

}  // namespace loom
