// AccountOptions: how people sign in (the `auth:` section, docs/authentication.md), as the HTTP
// layer takes it (ApiOptions::accounts, ServerOptions::accounts).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "accounts/sign_in_limiter.h"
#include "common/clock.h"
#include "config/contact_method_input.h"
#include "notify/channel.h"

namespace loom::http {

// People signing in to the console (account_handlers.cc, docs/authentication.md).
struct AccountOptions {
  bool local = true;  // `auth.local`: sign-in with a password, password changes and resets
  Duration session_idle = std::chrono::hours(8);           // `auth.session.idle`
  Duration session_absolute = std::chrono::hours(24 * 7);  // `auth.session.absolute`
  Duration reset_ttl = std::chrono::minutes(30);           // `auth.reset_ttl`
  // The server's public URL ("https://oncall.example.com"), which reset links start with (never
  // the request's Host header); null or "": reset links are not sent.
  std::function<std::string()> public_url;
  // The e-mail channel of notify.smtp that reset links go through; null: they are not sent.
  std::shared_ptr<Channel> mail;
  // Contact methods people add (contact_method_handlers.cc): how their keys resolve (the
  // environment, notify.smtp and notify.providers), and one send straight through the channel
  // of a destination's type (verification codes, test notifications); null: not sent.
  ContactContext contacts;
  std::function<SendResult(const Destination&, const Notice&)> send_direct;
  SignInLimits sign_in;  // failed sign-ins and password checks
  // Reset requests: per user name and per client address, over the same kind of window.
  SignInLimits reset_requests{.per_user = 3, .per_address = 20};
};

}  // namespace loom::http
