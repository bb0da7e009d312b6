// EmailChannel: sends a notice as an e-mail through an SMTP server, with libcurl.
//
// The message is multipart/alternative (text/plain and text/html, UTF-8, quoted-printable)
// built with libcurl's MIME API, and threaded so that every mail about one incident lands in one
// conversation: Message-ID is <{notice id}@{sender domain}> (stable across retries, so a
// resent mail is recognisably the same one), and a single-incident notice carries In-Reply-To and
// References to the incident's own id <incident-{number}@{sender domain}>; a bundle references
// each of its incidents. Both parts contain the Acknowledge and Open links.
//
// Outcomes: delivered when the server accepted the message; rejected when the login is denied,
// the server answered 5xx (an unknown recipient on RCPT, a refused sender, a refused message),
// the recipient address is unusable or the outbound policy refuses the server; retry on
// connection errors, timeouts and 4xx replies (greylisting, a full queue).
//
// The password is used for AUTH only: it is never logged nor part of an error.
//
// Thread safety: Send may be called concurrently; the channel is immutable after construction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "notify/channel.h"
#include "notify/outbound_policy.h"

namespace loom {

struct ChannelType;  // notify/channels.h

struct EmailOptions {
  std::string url;   // smtp://host:port (plain, or STARTTLS when `starttls`) or smtps://host:port
  std::string from;  // "oncall@example.com" or "Loom On-call <oncall@example.com>"
  bool starttls = false;  // require STARTTLS on smtp:// (fail rather than send in the clear)
  std::string username;   // AUTH when not empty
  std::string password;
  bool verify_tls = true;
  Duration timeout = std::chrono::seconds(10);  // the whole SMTP exchange
};

// Configuration check: the URL's scheme and host (OutboundPolicy::CheckHost), the sender, and
// no username over plain smtp:// without STARTTLS unless the server is on this host.
Status CheckEmailOptions(const EmailOptions& options, const OutboundPolicy& policy);

class EmailChannel final : public Channel {
 public:
  // `clock` gives the Date header; it must outlive the channel.
  EmailChannel(EmailOptions options, OutboundPolicy policy, Clock& clock);

  // `to.address` is one plain address, "user@example.com".
  SendResult Send(const Destination& to, const Notice& notice) override;

 private:
  EmailOptions options_;
  OutboundPolicy policy_;
  Clock& clock_;
};

// A rendered message: the header lines (without MIME ones, which libcurl adds) and both bodies.
struct EmailMessage {
  std::vector<std::string> headers;  // "Name: value", folded lines joined by "\r\n "
  std::string text;                  // CRLF line ends
  std::string html;                  // CRLF line ends
};

// Renders `notice` from `from` (the configured sender) to `to` at time `now`.
EmailMessage RenderEmail(const Notice& notice, std::string_view from, std::string_view to,
                         TimePoint now);

// "[loom-oncall] Sev1 page (primary, step 0): INC-12 Database down", or for a bundle
// "[loom-oncall] 37 incidents need you (bundled)". Not yet encoded.
std::string EmailSubject(const Notice& notice);

// `text` as a header value: as is when printable ASCII, else RFC 2047 encoded words
// (=?UTF-8?B?...?=, each at most 75 characters, several folded onto continuation lines). Line
// breaks become spaces either way.
std::string EncodeHeaderText(std::string_view text);

// RFC 5322 date in UTC: "Mon, 02 Nov 2026 09:00:00 +0000".
std::string FormatRfc5322Date(TimePoint t);

// `id` reduced to RFC 5322 dot-atom-text, usable left of the '@' of a Message-ID (other
// characters become '-'; "notice" if nothing is left).
std::string MessageIdLocalPart(std::string_view id);

// The addr-spec of "Name <a@b>" or "a@b"; nullopt unless it is one plain address (one '@',
// no spaces, brackets, quotes, commas or control characters).
std::optional<std::string> MailboxAddress(std::string_view mailbox);

// The outcome of an SMTP transfer from libcurl's result and the last SMTP reply code.
SendResult ClassifySmtpResult(int curl_code, long smtp_code);

// "email": contact methods with an `address:`, through notify.smtp; registered in
// notify/channels.cc.
extern const ChannelType kEmailChannelType;

}  // namespace loom
