// URL query strings: "state=triggered&limit=5" → decoded name/value pairs.
//
// Percent-escapes are decoded and '+' means a space (HTML form encoding, what curl --data-urlencode
// and browsers send). Malformed escapes are kept literally rather than refused: the handlers
// validate the values anyway.
//
// Thread safety: stateless functions and value types.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loom::http {

std::string PercentDecode(std::string_view text);

class QueryParams {
 public:
  explicit QueryParams(std::string_view query);

  // The first value of `name`; nullopt when the parameter is absent ("a=" gives "").
  std::optional<std::string> Get(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& all() const { return params_; }

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

}  // namespace loom::http
