// AccountStore: the accounts role of the store — the people who sign in (the configured users and
// those created through the API), their password hashes, single-use password reset tokens, the
// console sessions of people, and API tokens bound to a user. Writes and reads follow
// store/callback.h.
//
// Secrets are stored hashed only: passwords as Argon2id PHC strings (accounts/password_hash.h),
// reset tokens and session ids as SHA-256 hex. A session's CSRF token is stored as is: it is
// useless without the session cookie.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "core/credentials.h"
#include "core/service.h"
#include "store/callback.h"

namespace loom {

// A person who can sign in: a row of the users table.
struct StoredAccount {
  std::string id;  // a user id ([a-z0-9][a-z0-9._-]{0,62})
  std::string name;
  std::string email;
  std::optional<Role> role;   // `users[].role`, or the role given on creation; nullopt: none given
  bool configured = true;     // from `users:` (else created through the API)
  std::string password_hash;  // "" = no password set (cannot sign in locally)
  TimePoint updated_at{};
};

// A console session of a person, as stored (the session id itself is never stored).
struct StoredSession {
  std::string id_hash;  // SHA-256 hex of the cookie value
  std::string user_id;
  std::string csrf_token;
  TimePoint created_at{};
  TimePoint last_seen_at{};  // idle expiry counts from here
  TimePoint expires_at{};    // absolute expiry
  std::optional<Role> role;  // read with the session: the user's current role (StoredAccount)
  // What single sign-on granted at sign-in (its groups' roles, http/session.h
  // EncodeGrants), kept for the session's life; "" for a local sign-in.
  std::string grants;
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // Creates a user through the API (configured = false; updated_at set by the store).
  // kConflict when a user with this id exists, configured or not.
  virtual void CreateAccount(StoredAccount account, Callback<StoredAccount> done) = 0;
  // Sets the password hash of user `user_id`: true; kNotFound for an unknown user.
  virtual void SetPasswordHash(std::string user_id, std::string password_hash,
                               Callback<bool> done) = 0;
  // Stores a reset token (its hash) for `user_id`, usable once until `expires_at`.
  virtual void CreatePasswordReset(std::string token_hash, std::string user_id,
                                   TimePoint expires_at, Callback<bool> done) = 0;
  // In one transaction: when the token is known, unused and not expired at `now`, marks it used,
  // sets the user's password hash, deletes every session of the user and answers the user id;
  // kNotFound otherwise (one answer for unknown, used and expired).
  virtual void UsePasswordReset(std::string token_hash, std::string password_hash, TimePoint now,
                                Callback<std::string> done) = 0;
  // Creates a bound API token: it acts as `user_id` (kNotFound for an unknown user).
  virtual void CreateBoundToken(std::string name, Role role, std::string user_id,
                                std::string token_hash, Callback<ApiToken> done) = 0;

  virtual void CreateSession(StoredSession session, Callback<bool> done) = 0;
  // Moves the session's last_seen_at to `seen`: true; false when it is gone.
  virtual void TouchSession(std::string id_hash, TimePoint seen, Callback<bool> done) = 0;
  // Deletes one session: true when it existed.
  virtual void DeleteSession(std::string id_hash, Callback<bool> done) = 0;
  // Deletes every session of `user_id`; answers how many there were.
  virtual void DeleteUserSessions(std::string user_id, Callback<int64_t> done) = 0;
  // Deletes the sessions past their absolute expiry at `now` or idle since before `idle_since`
  // and the reset tokens past their expiry; answers how many rows went.
  virtual void DeleteExpiredSessions(TimePoint now, TimePoint idle_since,
                                     Callback<int64_t> done) = 0;

  // ---- reads (synchronous, any thread) ----
  virtual Result<std::optional<StoredAccount>> GetAccount(const std::string& id) = 0;
  // Every user, configured or created through the API, by id.
  virtual Result<std::vector<StoredAccount>> ListAccounts() = 0;
  // The session whose id hashes to `id_hash` (with its user's role), or nullopt. Expiry is the
  // caller's to check.
  virtual Result<std::optional<StoredSession>> FindSession(const std::string& id_hash) = 0;
};

}  // namespace loom
