// Local passwords, hashed with Argon2id (libsodium's crypto_pwhash_str): the stored string is
// the PHC form "$argon2id$v=19$m=65536,t=2,p=1$<salt>$<hash>", which carries its own salt and
// parameters, so a later change of the parameters still verifies the hashes stored before.
//
// Parameters: libsodium's INTERACTIVE limits — 2 passes over 64 MiB (OPSLIMIT_INTERACTIVE,
// MEMLIMIT_INTERACTIVE), one lane; about 0.1 s per hash on a server core. Hashing blocks for that
// long and takes that memory: call it off the I/O threads.
//
// Never logs or returns a password; errors name no secret.
//
// Thread safety: every function is safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace loom {

inline constexpr size_t kMinPasswordLength = 10;
inline constexpr size_t kMaxPasswordLength = 1024;

// kInvalidArgument (field "/password") unless `password` has kMinPasswordLength to
// kMaxPasswordLength bytes and no NUL.
Status CheckPasswordRules(std::string_view password);

// The Argon2id hash of `password` (PHC string, with a fresh random salt). kInternal when
// libsodium cannot hash (out of memory).
Result<std::string> HashPassword(std::string_view password);

// True when `password` matches `stored` (a HashPassword result); false for an empty or
// malformed `stored`. Constant-time in the password (libsodium's verify).
bool VerifyPassword(std::string_view stored, std::string_view password);

// Verifies nothing but costs what VerifyPassword costs: called for an unknown user, so that a
// failed sign-in takes as long whether the user exists or not.
void BurnPasswordVerify(std::string_view password);

}  // namespace loom
