#include "store/sql/cluster_notice.h"

#include <nlohmann/json.hpp>

namespace loom::sql {
namespace {

constexpr size_t kMaxPayload = 7900;  // PostgreSQL refuses NOTIFY payloads of 8000 bytes or more

}  // namespace

std::string EncodeClusterNotice(const std::string& sender, const std::vector<Deadline>& deadlines,
                                const std::vector<OutboxEntry>& outbox) {
  nlohmann::json d = nlohmann::json::array();
  for (const Deadline& deadline : deadlines) {
    d.push_back({deadline.id, ToUnixMicros(deadline.due_at)});
  }
  nlohmann::json o = nlohmann::json::array();
  for (const OutboxEntry& row : outbox) o.push_back(row.id);
  std::string text = nlohmann::json{{"i", sender}, {"d", d}, {"o", o}}.dump();
  if (text.size() <= kMaxPayload) return text;
  return nlohmann::json{{"i", sender}, {"all", true}}.dump();
}

std::optional<ClusterNotice> DecodeClusterNotice(const std::string& payload) {
  nlohmann::json j = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("i") || !j["i"].is_string()) return std::nullopt;
  ClusterNotice notice;
  notice.sender = j["i"].get<std::string>();
  notice.all = j.value("all", false);
  try {
    for (const auto& pair : j.value("d", nlohmann::json::array())) {
      Deadline d;
      d.id = pair.at(0).get<int64_t>();
      d.due_at = FromUnixMicros(pair.at(1).get<int64_t>());
      notice.deadlines.push_back(d);
    }
    for (const auto& id : j.value("o", nlohmann::json::array())) {
      notice.outbox_ids.push_back(id.get<int64_t>());
    }
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  return notice;
}

}  // namespace loom::sql
