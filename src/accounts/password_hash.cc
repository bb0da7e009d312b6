#include "accounts/password_hash.h"

#include <sodium.h>

namespace loom {
namespace {

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

}  // namespace

Status CheckPasswordRules(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    return Error::Invalid("the password is too short",
                          {{"/password", "must have at least " +
                                             std::to_string(kMinPasswordLength) + " characters"}});
  }
  if (password.size() > kMaxPasswordLength) {
    return Error::Invalid(
        "the password is too long",
        {{"/password", "must have at most " + std::to_string(kMaxPasswordLength) + " characters"}});
  }
  if (password.find('\0') != std::string_view::npos) {
    return Error::Invalid("the password contains a NUL character",
                          {{"/password", "must not contain NUL"}});
  }
  return OkStatus();
}

Result<std::string> HashPassword(std::string_view password) {
  if (!SodiumReady()) return Error::Internal("libsodium could not be initialised");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Error::Internal("cannot hash the password (out of memory)");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view stored, std::string_view password) {
  if (stored.empty() || stored.size() >= crypto_pwhash_STRBYTES || !SodiumReady()) return false;
  const std::string terminated(stored);  // libsodium reads a NUL-terminated string
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

void BurnPasswordVerify(std::string_view password) {
  static const std::string dummy = [] {
    auto hashed = HashPassword("loom-oncall: no such user");
    return hashed.ok() ? *hashed : std::string();
  }();
  (void)VerifyPassword(dummy, password);
}

}  // namespace loom
