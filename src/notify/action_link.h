// One-click links in notifications: "acknowledge" and "open the incident". A link is
// <public_url>/a/<token>, where the token carries its claims and an HMAC-SHA256 under the
// server's link key: bound to the incident and the recipient, expiring, and (for "ack")
// single-use through its nonce (IncidentCommand::link_nonce). GET on a link only shows a page;
// the action happens on POST, so link scanners and chat unfurlers cannot acknowledge.
//
// Thread safety: LinkSigner is immutable after construction; all methods are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"

namespace loom {

struct ActionClaims {
  std::string action;  // "ack" (single-use) or "view" (read-only, reusable until it expires)
  int64_t incident_number = 0;
  std::string recipient;  // user id, e.g. "alice"
  std::string via;        // the channel type the link was sent through (Destination::type)
  TimePoint expires_at{};
  std::string nonce;  // random; the single-use id of an "ack" link
};

class LinkSigner {
 public:
  // `key`: at least 32 bytes of secret. `public_url` without a trailing slash.
  LinkSigner(std::string key, std::string public_url, Duration ttl);

  struct Links {
    std::string ack_url;
    std::string open_url;
    std::string public_url;  // the links' base (public_url without a trailing slash)
    TimePoint expires_at{};  // when they stop working
  };
  // Fresh links (new nonce) for one recipient of one incident, expiring ttl after `now`.
  Links For(int64_t incident_number, const std::string& recipient, const std::string& via,
            TimePoint now) const;

  std::string Sign(const ActionClaims& claims) const;  // the token (URL-safe)
  // kInvalidArgument for a malformed or forged token, kPermissionDenied "link expired" for an
  // expired one (checked after the signature).
  Result<ActionClaims> Verify(std::string_view token, TimePoint now) const;

 private:
  std::string key_;
  std::string public_url_;
  Duration ttl_;
};

}  // namespace loom
