// Hashing, HMAC, random tokens and constant-time comparison (OpenSSL underneath).
// All functions are thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace loom {

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);

std::string HexEncode(std::string_view bytes);
std::string Base64Encode(std::string_view bytes);

// `bytes` bytes from the OS CSPRNG, hex encoded (2*bytes characters).
std::string RandomHex(size_t bytes);

// Compares without early exit; lengths are not secret.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace loom
