#include "core/contact_verification.h"

#include <cstdint>
#include <cstdio>

#include "common/crypto.h"

namespace loom {

const char* CodeCheckName(CodeCheck check) {
  switch (check) {
    case CodeCheck::kVerified: return "verified";
    case CodeCheck::kWrong: return "wrong";
    case CodeCheck::kExpired: return "expired";
    case CodeCheck::kTooManyTries: return "too_many_tries";
    case CodeCheck::kNoCode: return "no_code";
  }
  return "no_code";
}

std::string NewVerificationCode() {
  // 64 random bits modulo 10^6: the bias is below 10^-13.
  const std::string hex = RandomHex(8);
  const uint64_t value = std::stoull(hex, nullptr, 16);
  char digits[8];
  std::snprintf(digits, sizeof digits, "%06llu",
                static_cast<unsigned long long>(value % 1'000'000));
  return digits;
}

std::string HashVerificationCode(std::string_view code) {
  const std::string salt = RandomHex(16);
  return salt + ":" + Sha256Hex(salt + std::string(code));
}

bool VerificationCodeMatches(std::string_view hash, std::string_view code) {
  const size_t colon = hash.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string salt(hash.substr(0, colon));
  return ConstantTimeEquals(hash.substr(colon + 1), Sha256Hex(salt + std::string(code)));
}

CodeCheck CheckVerificationCode(const VerificationCode& state, std::string_view code,
                                TimePoint now) {
  if (state.hash.empty()) return CodeCheck::kNoCode;
  if (state.attempts >= kMaxCodeAttempts) return CodeCheck::kTooManyTries;
  if (now >= state.expires_at) return CodeCheck::kExpired;
  return VerificationCodeMatches(state.hash, code) ? CodeCheck::kVerified : CodeCheck::kWrong;
}

}  // namespace loom
