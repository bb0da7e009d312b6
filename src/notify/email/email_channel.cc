#include "notify/email/email_channel.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

#include "common/crypto.h"
#include "notify/channels.h"
#include "notify/curl_handles.h"
#include "notify/notice_text.h"

namespace loom {
namespace {

constexpr size_t kMaxTitleBytes = 150;       // keeps the subject a readable single line
constexpr size_t kMaxThreadReferences = 20;  // a bundle's References/X-Loom-Incident entries
constexpr size_t kMaxListedIncidents = 50;   // incidents written out in a bundle's body
constexpr std::string_view kSubjectPrefix = "[loom-oncall] ";

bool IsAtext(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr;
}

std::string SingleLine(std::string_view text) {
  std::string out(text);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return out;
}

std::string DomainOf(std::string_view address) {
  auto at = address.rfind('@');
  std::string domain = at == std::string_view::npos ? "" : std::string(address.substr(at + 1));
  std::transform(domain.begin(), domain.end(), domain.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // A sender without a domain still needs a right-hand side; .invalid cannot collide (RFC 2606).
  return domain.empty() ? "loom-oncall.invalid" : domain;
}

std::string IncidentRef(int64_t number, std::string_view domain) {
  return "<incident-" + std::to_string(number) + "@" + std::string(domain) + ">";
}

// "Name <a@b>" with a non-ASCII name encoded; anything else as configured.
std::string FromHeaderValue(std::string_view from) {
  auto open = from.rfind('<');
  if (open == std::string_view::npos || open == 0) return SingleLine(from);
  std::string_view name = from.substr(0, open);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  return EncodeHeaderText(name) + " " + SingleLine(from.substr(open));
}

// Quoted-printable keeps CRLF as line breaks but encodes a bare LF as "=0A", which makes one
// long encoded line of the whole body.
std::string ToCrlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (char c : text) {
    if (c == '\r') continue;  // detail text may already have CRLF (or stray CR)
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

std::string FooterLine(const Notice& notice) {
  std::string line = "loom-oncall \u00b7 " + notice.type;
  if (!notice.recipient_name.empty()) {
    line += " for " + notice.recipient_name;
    if (!notice.role.empty()) line += " (" + notice.role + ")";
  }
  return line;
}

std::string RenderText(const Notice& notice) {
  std::string out = notice.summary + "\n";
  if (!notice.detail.empty()) out += "\n" + notice.detail + "\n";
  size_t shown = std::min(notice.incidents.size(), kMaxListedIncidents);
  for (size_t i = 0; i < shown; ++i) {
    const NoticeIncident& incident = notice.incidents[i];
    out += "\n" + incident.id + " " + incident.title + "\n";
    if (std::string facts = IncidentFacts(incident); !facts.empty()) out += facts + "\n";
    if (!incident.ack_url.empty()) out += "Acknowledge: " + incident.ack_url + "\n";
    if (!incident.open_url.empty()) out += "Open: " + incident.open_url + "\n";
  }
  if (notice.incidents.size() > shown) {
    out += "\n... and " + std::to_string(notice.incidents.size() - shown) + " more\n";
  }
  out += "\n-- \n" + FooterLine(notice) + "\n";
  return out;
}

std::string RenderHtml(const Notice& notice) {
  std::string out =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>"
      "<body style=\"font-family:sans-serif\">\n<p><strong>" +
      EscapeHtml(notice.summary) + "</strong></p>\n";
  if (!notice.detail.empty()) {
    out += "<p style=\"white-space:pre-wrap\">" + EscapeHtml(notice.detail) + "</p>\n";
  }
  size_t shown = std::min(notice.incidents.size(), kMaxListedIncidents);
  for (size_t i = 0; i < shown; ++i) {
    const NoticeIncident& incident = notice.incidents[i];
    out += "<p><strong>" + EscapeHtml(incident.id) + "</strong> " + EscapeHtml(incident.title);
    if (std::string facts = IncidentFacts(incident); !facts.empty()) {
      out += "<br>" + EscapeHtml(facts);
    }
    std::string links;
    if (!incident.ack_url.empty()) {
      links += "<a href=\"" + EscapeHtml(incident.ack_url) + "\">Acknowledge</a>";
    }
    if (!incident.open_url.empty()) {
      if (!links.empty()) links += " &middot; ";
      links += "<a href=\"" + EscapeHtml(incident.open_url) + "\">Open</a>";
    }
    if (!links.empty()) out += "<br>" + links;
    out += "</p>\n";
  }
  if (notice.incidents.size() > shown) {
    out += "<p>&hellip; and " + std::to_string(notice.incidents.size() - shown) + " more</p>\n";
  }
  out += "<p style=\"color:#666;font-size:small\">" + EscapeHtml(FooterLine(notice)) +
         "</p>\n</body></html>\n";
  return out;
}

}  // namespace

std::string EmailSubject(const Notice& notice) {
  std::string subject(kSubjectPrefix);
  if (notice.incidents.size() > 1) {
    return subject + std::to_string(notice.incidents.size()) + " incidents need you (bundled)";
  }
  subject += notice.summary;
  if (notice.incidents.size() == 1) {
    const NoticeIncident& incident = notice.incidents.front();
    subject += ": " + incident.id;
    if (!incident.title.empty()) subject += " " + TruncateUtf8(incident.title, kMaxTitleBytes);
  }
  return subject;
}

std::string EncodeHeaderText(std::string_view text) {
  std::string line = SingleLine(text);
  bool plain = std::all_of(line.begin(), line.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
  });
  // "=?" in plain text would be read as the start of an encoded word.
  if (plain && line.find("=?") == std::string::npos) return line;
  // 45 bytes encode to 60 base64 characters: 72 with the "=?UTF-8?B?" "?=" frame (limit 75).
  constexpr size_t kChunk = 45;
  std::string out;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t end = std::min(pos + kChunk, line.size());
    // Never split a UTF-8 character across two encoded words (RFC 2047 section 5).
    while (end < line.size() && end > pos + 1 &&
           (static_cast<unsigned char>(line[end]) & 0xc0) == 0x80) {
      --end;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64Encode(std::string_view(line).substr(pos, end - pos)) + "?=";
    pos = end;
  }
  return out;
}

std::string FormatRfc5322Date(TimePoint t) {
  using namespace std::chrono;
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto secs = floor<seconds>(t);
  auto day = floor<days>(secs);
  year_month_day ymd(day);
  hh_mm_ss hms(secs - day);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%s, %02u %s %04d %02d:%02d:%02d +0000",
                kDays[weekday(day).c_encoding()], static_cast<unsigned>(ymd.day()),
                kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string MessageIdLocalPart(std::string_view id) {
  std::string out;
  for (char c : id) {
    if (IsAtext(c)) {
      out += c;
    } else if (c == '.' && !out.empty() && out.back() != '.') {
      out += c;  // dot-atom: dots only between atext characters
    } else {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out.empty() ? "notice" : out;
}

std::optional<std::string> MailboxAddress(std::string_view mailbox) {
  std::string_view address = mailbox;
  if (auto open = mailbox.rfind('<'); open != std::string_view::npos) {
    auto close = mailbox.find('>', open);
    if (close == std::string_view::npos || close + 1 != mailbox.size()) return std::nullopt;
    address = mailbox.substr(open + 1, close - open - 1);
  }
  auto at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size() ||
      address.find('@', at + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  bool clean = std::none_of(address.begin(), address.end(), [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f || std::strchr("<>\"(),;:[]\\", c) != nullptr;
  });
  if (!clean) return std::nullopt;
  return std::string(address);
}

EmailMessage RenderEmail(const Notice& notice, std::string_view from, std::string_view to,
                         TimePoint now) {
  EmailMessage message;
  std::string domain = DomainOf(MailboxAddress(from).value_or(""));
  auto& h = message.headers;
  h.push_back("From: " + FromHeaderValue(from));
  h.push_back("To: " + SingleLine(to));
  h.push_back("Subject: " + EncodeHeaderText(EmailSubject(notice)));
  h.push_back("Date: " + FormatRfc5322Date(now));
  h.push_back("Message-ID: <" + MessageIdLocalPart(notice.id) + "@" + domain + ">");
  // Each incident's thread hangs off an id no mail carries itself, so the thread holds together
  // whichever of its mails arrives first.
  size_t referenced = std::min(notice.incidents.size(), kMaxThreadReferences);
  if (notice.incidents.size() == 1) {
    h.push_back("In-Reply-To: " + IncidentRef(notice.incidents.front().number, domain));
  }
  if (referenced > 0) {
    std::string refs = "References:";
    std::string ids = "X-Loom-Incident:";
    for (size_t i = 0; i < referenced; ++i) {
      const NoticeIncident& incident = notice.incidents[i];
      refs += (i == 0 ? " " : "\r\n ") + IncidentRef(incident.number, domain);
      ids += (i == 0 ? " " : ",\r\n ") + MessageIdLocalPart(incident.id);
    }
    h.push_back(refs);
    h.push_back(ids);
  }
  // RFC 3834: out-of-office replies must not answer machine mail.
  h.push_back("Auto-Submitted: auto-generated");
  message.text = ToCrlf(RenderText(notice));
  message.html = ToCrlf(RenderHtml(notice));
  return message;
}

SendResult ClassifySmtpResult(int curl_code, long smtp_code) {
  SendResult result;
  result.status = static_cast<int>(smtp_code);
  if (curl_code == CURLE_OK) {
    result.outcome = SendResult::Outcome::kDelivered;
    return result;
  }
  result.error = curl_easy_strerror(static_cast<CURLcode>(curl_code));
  if (smtp_code > 0) result.error += " (SMTP " + std::to_string(smtp_code) + ")";
  // 5xx is the server's permanent "no" (RFC 5321 section 4.2.1): unknown mailbox, refused sender
  // or content. A denied login is permanent until the configuration changes.
  bool permanent = curl_code == CURLE_LOGIN_DENIED || (smtp_code >= 500 && smtp_code < 600);
  result.outcome = permanent ? SendResult::Outcome::kRejected : SendResult::Outcome::kRetry;
  return result;
}

Status CheckEmailOptions(const EmailOptions& options, const OutboundPolicy& policy) {
  std::string scheme = options.url.substr(0, options.url.find("://"));
  if (options.url.find("://") == std::string::npos || (scheme != "smtp" && scheme != "smtps")) {
    return Error::Invalid("notify.smtp.url must be smtp://host:port or smtps://host:port");
  }
  std::string host = UrlHost(options.url);
  if (host.empty()) return Error::Invalid("notify.smtp.url has no host");
  if (Status s = policy.CheckHost(host); !s.ok()) return s;
  // AUTH PLAIN/LOGIN in the clear would hand the password to anyone on the path; a relay on
  // the same host is the one place that is acceptable.
  auto address = IpAddress::Parse(host);
  bool loopback = host == "localhost" || (address && IsLoopbackAddress(*address));
  if (!options.username.empty() && scheme == "smtp" && !options.starttls && !loopback) {
    return Error::Invalid(
        "notify.smtp: a username over smtp:// needs starttls: true (or use smtps://)");
  }
  if (!MailboxAddress(options.from)) {
    return Error::Invalid("notify.smtp.from is not an e-mail address");
  }
  return OkStatus();
}

EmailChannel::EmailChannel(EmailOptions options, OutboundPolicy policy, Clock& clock)
    : options_(std::move(options)), policy_(std::move(policy)), clock_(clock) {}

SendResult EmailChannel::Send(const Destination& to, const Notice& notice) {
  try {
    SendResult rejected;
    rejected.outcome = SendResult::Outcome::kRejected;
    auto recipient = MailboxAddress(to.address);
    // Only a bare address: a display name or a list here would be someone's mistake.
    if (!recipient || *recipient != to.address) {
      rejected.error = "not a plain e-mail address";
      return rejected;
    }
    auto sender = MailboxAddress(options_.from);
    if (!sender) {
      rejected.error = "notify.smtp.from is not an e-mail address";
      return rejected;
    }
    if (Status s = CheckEmailOptions(options_, policy_); !s.ok()) {
      rejected.error = s.error().message;
      return rejected;
    }
    EnsureCurlInitialized();
    CurlEasy curl(curl_easy_init());
    if (!curl) {
      SendResult failed;
      failed.error = "libcurl could not create a handle";
      return failed;
    }
    CURL* c = curl.get();
    EmailMessage message = RenderEmail(notice, options_.from, *recipient, clock_.Now());

    CurlMime mime(curl_mime_init(c));
    curl_mime* alternative = curl_mime_init(c);
    curl_mimepart* text = curl_mime_addpart(alternative);
    curl_mime_data(text, message.text.data(), message.text.size());
    curl_mime_type(text, "text/plain; charset=utf-8");
    curl_mime_encoder(text, "quoted-printable");
    curl_mimepart* html = curl_mime_addpart(alternative);
    curl_mime_data(html, message.html.data(), message.html.size());
    curl_mime_type(html, "text/html; charset=utf-8");
    curl_mime_encoder(html, "quoted-printable");
    // libcurl gives the top level its own multipart/mixed Content-Type (a user Content-Type
    // there would lose the boundary), so the alternative goes inside it as its single part.
    curl_mimepart* body = curl_mime_addpart(mime.get());
    curl_mime_subparts(body, alternative);  // `mime` owns `alternative` from here
    curl_mime_type(body, "multipart/alternative");
    curl_mime_headers(body, curl_slist_append(nullptr, "Content-Disposition: inline"), 1);

    curl_slist* raw_headers = nullptr;
    for (const std::string& line : message.headers) {
      raw_headers = curl_slist_append(raw_headers, line.c_str());
    }
    CurlList headers(raw_headers);
    CurlList rcpt(curl_slist_append(nullptr, ("<" + *recipient + ">").c_str()));
    const std::string mail_from = "<" + *sender + ">";

    ConnectGuard guard(policy_, UrlHost(options_.url));
    guard.Install(c);
    long timeout_ms = static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(options_.timeout).count());
    curl_easy_setopt(c, CURLOPT_URL, options_.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_PROXY, "");  // the guard must see the mail server itself
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    if (options_.starttls) curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (!options_.username.empty()) {
      curl_easy_setopt(c, CURLOPT_USERNAME, options_.username.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, options_.password.c_str());
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime.get());

    CURLcode rc = curl_easy_perform(c);
    long smtp_code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &smtp_code);
    if (rc != CURLE_OK && guard.RefusedOnly()) {
      rejected.error = guard.RefusalMessage();
      return rejected;
    }
    SendResult result = ClassifySmtpResult(rc, smtp_code);
    if (!result.error.empty()) result.error += " (" + UrlOrigin(options_.url) + ")";
    return result;
  } catch (const std::exception& e) {
    // Only allocation failures can get here; Send must not throw into the worker.
    SendResult failed;
    failed.error = std::string("email: ") + e.what();
    return failed;
  }
}

namespace {

Result<std::shared_ptr<Channel>> MakeEmailChannel(const ChannelSettings& settings) {
  if (!settings.smtp) return std::shared_ptr<Channel>();  // no notify.smtp: not configured
  Status usable = CheckEmailOptions(*settings.smtp, settings.policy);
  if (!usable.ok()) {
    const Error& e = usable.error();
    return Error{e.code, "notify.smtp: " + e.message, {}};
  }
  return std::shared_ptr<Channel>(
      std::make_shared<EmailChannel>(*settings.smtp, settings.policy, settings.clock));
}

}  // namespace

const ChannelType kEmailChannelType = {
    .name = "email",
    .address = ChannelAddress::kEmail,
    .via_smtp = true,
    .make = &MakeEmailChannel,
};

}  // namespace loom
