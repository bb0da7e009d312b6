// Tolerant readers for fields of the server's JSON answers, and terminal-safe text.
//
// The CLI renders what the server sends; a missing field or one of an unexpected type reads as
// the fallback instead of throwing (nlohmann::json's value() throws on a type mismatch).
// Strings shown on a terminal pass through PrintableText: alert titles and notes come from
// untrusted senders and must not carry terminal escape sequences.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace loom {

// The string at `key`, or `fallback` when absent, null or not a string.
std::string GetString(const nlohmann::json& object, const char* key, std::string fallback = "");

// The integer at `key`, or `fallback` when absent or not an integer.
int64_t GetInt(const nlohmann::json& object, const char* key, int64_t fallback = 0);

// True only for a JSON `true` at `key`.
bool GetBool(const nlohmann::json& object, const char* key);

// `text` with C0/C1 control characters and DEL replaced: tab and newlines by a space, the others
// by '?'. Valid UTF-8 otherwise passes through unchanged.
std::string PrintableText(std::string_view text);

}  // namespace loom
