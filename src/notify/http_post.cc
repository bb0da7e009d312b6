#include "notify/http_post.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "notify/curl_handles.h"

namespace loom {
namespace {

struct Transfer {
  std::string body;
  size_t max_body = 0;
  bool truncated = false;
  std::string retry_after;  // raw value of the last response's header
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  size_t room = t->max_body - t->body.size();
  if (n > room) {
    // A receiver has no business sending us more: stop reading rather than buffer it.
    t->body.append(data, room);
    t->truncated = true;
    return 0;
  }
  t->body.append(data, n);
  return n;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  // A new status line (after a 100 Continue) starts a new header block.
  if (line.starts_with("HTTP/")) t->retry_after.clear();
  auto colon = line.find(':');
  if (colon != std::string_view::npos && IEquals(Trim(line.substr(0, colon)), "retry-after")) {
    t->retry_after = std::string(Trim(line.substr(colon + 1)));
  }
  return size * count;
}

int MonthIndex(std::string_view name) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i) {
    if (name == kMonths[i]) return i + 1;
  }
  return 0;
}

// The three HTTP-date forms of RFC 9110 section 5.6.7, all GMT.
std::optional<TimePoint> ParseHttpDate(std::string_view value) {
  std::string s(value);
  int day = 0, year = 0, hour = 0, minute = 0, second = 0, used = 0;
  char month[4] = {};
  char weekday[16] = {};
  bool parsed = false;
  if (std::sscanf(s.c_str(), "%15[A-Za-z], %2d %3s %4d %2d:%2d:%2d GMT%n", weekday, &day, month,
                  &year, &hour, &minute, &second, &used) == 7 &&
      used == static_cast<int>(s.size())) {
    parsed = true;  // IMF-fixdate
  } else if (std::sscanf(s.c_str(), "%15[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d GMT%n", weekday, &day,
                         month, &year, &hour, &minute, &second, &used) == 7 &&
             used == static_cast<int>(s.size())) {
    year += year < 70 ? 2000 : 1900;  // RFC 850's two-digit year
    parsed = true;
  } else if (std::sscanf(s.c_str(), "%3s %3s %2d %2d:%2d:%2d %4d%n", weekday, month, &day, &hour,
                         &minute, &second, &year, &used) == 7 &&
             used == static_cast<int>(s.size())) {
    parsed = true;  // asctime
  }
  if (!parsed) return std::nullopt;
  int m = MonthIndex(month);
  if (m == 0 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(m),
                                  std::chrono::day(day)};
  if (!ymd.ok()) return std::nullopt;
  auto t = std::chrono::sys_days(ymd) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
           std::chrono::seconds(second);
  return std::chrono::time_point_cast<Duration>(t);
}

}  // namespace

std::optional<Duration> ParseRetryAfter(std::string_view value, TimePoint now) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(value.front()))) {
    int64_t seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    // Out of range means "a very long time": a year is as good as forever for a retry.
    constexpr int64_t kMaxSeconds = 365LL * 24 * 3600;
    if (ec == std::errc::result_out_of_range)
      seconds = kMaxSeconds;
    else if (ec != std::errc() || end != value.data() + value.size())
      return std::nullopt;
    return std::chrono::seconds(std::min(seconds, kMaxSeconds));
  }
  auto at = ParseHttpDate(value);
  if (!at) return std::nullopt;
  return *at > now ? *at - now : Duration(0);
}

HttpResponse HttpPost(const OutboundPolicy& policy, const HttpRequest& request, TimePoint now) {
  EnsureCurlInitialized();
  HttpResponse response;
  const std::string origin = UrlOrigin(request.url);
  if (Status checked = policy.CheckUrl(request.url); !checked.ok()) {
    response.transport = HttpResponse::Transport::kRefused;
    // CheckUrl's messages name the host at most, never the path.
    response.error = checked.error().message;
    return response;
  }
  CurlEasy curl(curl_easy_init());
  if (!curl) {
    response.error = "libcurl could not create a handle";
    return response;
  }
  curl_slist* raw_headers = nullptr;
  for (const std::string& h : request.headers)
    raw_headers = curl_slist_append(raw_headers, h.c_str());
  // No "Expect: 100-continue" round trip: receivers that ignore it would cost us a second.
  raw_headers = curl_slist_append(raw_headers, "Expect:");
  CurlList headers(raw_headers);

  Transfer transfer;
  transfer.max_body = request.max_response_bytes;
  ConnectGuard guard(policy, UrlHost(request.url));
  CURL* c = curl.get();
  guard.Install(c);
  long timeout_ms = static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(request.timeout).count());
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROXY, "");     // see the header: the guard must see the destination
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // worker threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (request.get) {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);

  CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  bool completed = rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && transfer.truncated);
  if (completed && status > 0) {
    response.transport = HttpResponse::Transport::kCompleted;
    response.status = static_cast<int>(status);
    response.body = std::move(transfer.body);
    if (!transfer.retry_after.empty()) {
      response.retry_after = ParseRetryAfter(transfer.retry_after, now);
    }
    return response;
  }
  if (guard.RefusedOnly()) {
    response.transport = HttpResponse::Transport::kRefused;
    response.error = guard.RefusalMessage();
    return response;
  }
  response.transport = HttpResponse::Transport::kFailed;
  response.error = std::string(curl_easy_strerror(rc)) + " (" + origin + ")";
  return response;
}

SendResult TransportFailure(const HttpResponse& response) {
  SendResult result;
  result.outcome = response.transport == HttpResponse::Transport::kRefused
                       ? SendResult::Outcome::kRejected
                       : SendResult::Outcome::kRetry;
  result.error = response.error;
  return result;
}

std::string ShortPrintable(std::string_view text, size_t max) {
  std::string out;
  for (char c : Trim(text)) {
    if (out.size() >= max) break;
    unsigned char u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : ' ';
  }
  return out;
}

}  // namespace loom
