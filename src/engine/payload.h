// Reading the JSON payloads the engine stores in deadlines and outbox rows: lenient, because a
// payload written by an older version must still fire (a missing field takes its fallback).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace loom {

// The object `text` holds, or an empty object when it is not one.
nlohmann::json ParsePayload(const std::string& text);
// payload[key] when it is an integer / a string, else `fallback`.
int64_t PayloadInt(const nlohmann::json& payload, const char* key, int64_t fallback);
std::string PayloadString(const nlohmann::json& payload, const char* key);

}  // namespace loom
