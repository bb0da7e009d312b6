// Verification of a contact method a person adds themself (docs/profile.md): a 6-digit code is
// sent through the method, stored only as a salted SHA-256 hash, and entered back within
// kCodeTtl with at most kMaxCodeAttempts wrong tries; then a new code is needed. Pure: the
// store keeps the state (store/contact_store.h), the HTTP layer sends the code.
//
// Thread safety: every function is safe from any thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace loom {

inline constexpr Duration kCodeTtl = std::chrono::minutes(15);
inline constexpr int kMaxCodeAttempts = 5;

// The code state of one unverified contact method, as stored.
struct VerificationCode {
  std::string hash;        // HashVerificationCode's answer; "" when no code was sent
  TimePoint expires_at{};  // the code is refused from this instant on
  int attempts = 0;        // wrong codes entered since it was sent
};

// What entering a code did.
enum class CodeCheck {
  kVerified,      // the code matched: the method is verified
  kWrong,         // another code: one more attempt counted
  kExpired,       // the code is past kCodeTtl: a new one is needed
  kTooManyTries,  // kMaxCodeAttempts wrong codes were entered: a new one is needed
  kNoCode,        // no code was sent (or it was used)
};

const char* CodeCheckName(CodeCheck check);  // "verified", "wrong", ...

// A new code: 6 decimal digits from the CSPRNG (common/crypto.h), leading zeros kept.
std::string NewVerificationCode();

// "<salt hex>:<sha256 hex of salt and code>" with a fresh random salt.
std::string HashVerificationCode(std::string_view code);

// Whether `code` matches `hash` (HashVerificationCode's form), compared in constant time; false
// for a malformed hash.
bool VerificationCodeMatches(std::string_view hash, std::string_view code);

// The outcome of entering `code` at `now` against `state` (its attempts not yet counted):
// kNoCode, kTooManyTries and kExpired come before the comparison, so a right code late or after
// too many tries is refused too.
CodeCheck CheckVerificationCode(const VerificationCode& state, std::string_view code,
                                TimePoint now);

}  // namespace loom
