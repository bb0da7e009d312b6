#include "core/timeline.h"

#include "common/crypto.h"

namespace loom {

std::string TimelineHash(const TimelineEvent& e) {
  // Length-prefixed fields: no separator inside a field can forge another encoding.
  std::string buf;
  buf.reserve(e.prev_hash.size() + e.type.size() + e.actor.size() + e.data_json.size() + 96);
  auto add = [&buf](std::string_view field) {
    buf += std::to_string(field.size());
    buf += ':';
    buf += field;
    buf += ';';
  };
  add(e.prev_hash);
  add(std::to_string(e.incident_number));
  add(std::to_string(e.seq));
  add(std::to_string(ToUnixMicros(e.at)));
  add(e.type);
  add(e.actor);
  add(e.data_json);
  return Sha256Hex(buf);
}

}  // namespace loom
