// Pure checks of single configuration values: listen addresses, URLs, e-mail addresses, ids and
// the shapes of secrets. The section parsers (config/config_sections.h) turn their answers into
// `file:line: key: reason` errors; nothing here knows about YAML.
//
// A reason never repeats a URL or a secret: it may be a credential.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace loom::config {

// The bootstrap admin token's variable: the token comes only from the environment (or, for
// `serve --demo`, from <data_dir>/demo.env).
inline constexpr char kAdminTokenEnv[] = "LOOM_ONCALL_ADMIN_TOKEN";
inline constexpr size_t kMinAdminTokenLength = 16;
inline constexpr size_t kIntegrationKeyLength = 32;  // hex characters
inline constexpr size_t kMinLinkSecretLength = 32;   // notify.link_secret_env

// True when every character of `s` is a hex digit (also for "").
bool IsHex(std::string_view s);

// "" when `listen` is HOST:PORT (HOST a name, an IPv4 address or a bracketed IPv6 address;
// PORT 0-65535), else the reason (which quotes `listen`).
std::string ListenProblem(std::string_view listen);

// "" when `url` is an http:// or https:// URL with a plausible host and port, else the reason
// (without the URL). A shape check only: which hosts may be reached is decided by the delivery
// code (notify.allow_hosts).
std::string HttpUrlProblem(std::string_view url);

// "" when `url` is smtp://HOST:PORT or smtps://HOST:PORT (an optional trailing '/'), else the
// reason. Credentials in the URL are refused: the password comes only from password_env.
std::string SmtpUrlProblem(std::string_view url);

// Looks like an address (local@domain) that is safe in a mail header: one '@' with text on both
// sides, no spaces, control characters or header punctuation.
bool IsEmailAddress(std::string_view s);

// An E.164 phone number: '+', then 8 to 15 digits, the first not 0 ("+15551234567").
bool IsE164Number(std::string_view s);

// A Standard Webhooks signing secret: "whsec_" and base64 (what the webhook channel signs with).
bool IsWebhookSecret(std::string_view s);

// The id rules as error messages state them: kServiceIdRule for service and schedule ids
// (core/service.h IsValidServiceId), kUserIdRule for user and incident channel ids
// (IsValidUserId).
inline constexpr char kServiceIdRule[] = "1-63 of a-z 0-9 - _, starting with a letter or digit";
inline constexpr char kUserIdRule[] = "1-63 of a-z 0-9 . _ -, starting with a letter or digit";

// A valid user id (also used for incident channel ids): 1-63 of a-z 0-9 . _ -, starting
// with a letter or digit.
bool IsValidUserId(std::string_view id);

}  // namespace loom::config
