// Hashing, HMAC, random tokens and constant-time comparison (OpenSSL underneath).
// All functions are thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace loom {

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);

std::string HexEncode(std::string_view bytes);
std::string Base64Encode(std::string_view bytes);

// RFC 4648 section 5 ("base64url"): '-' and '_' instead of '+' and '/', no '=' padding.
std::string Base64UrlEncode(std::string_view bytes);
// The inverse of Base64UrlEncode; nullopt for any other character, for padding, or for a length
// that no encoding has (4n+1). Decodes only the canonical form: unused trailing bits must be 0.
std::optional<std::string> Base64UrlDecode(std::string_view text);

// `bytes` bytes from the OS CSPRNG, hex encoded (2*bytes characters).
std::string RandomHex(size_t bytes);

// Compares without early exit; lengths are not secret.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace loom
