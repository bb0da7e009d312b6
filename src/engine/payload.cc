#include "engine/payload.h"

namespace loom {

nlohmann::json ParsePayload(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : nlohmann::json::object();
}

int64_t PayloadInt(const nlohmann::json& payload, const char* key, int64_t fallback) {
  auto it = payload.find(key);
  return it != payload.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}

std::string PayloadString(const nlohmann::json& payload, const char* key) {
  auto it = payload.find(key);
  return it != payload.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace loom
