// HTML escaping for the pages and e-mails we render (link pages, HTML mail parts).
#pragma once

#include <string>
#include <string_view>

namespace loom {

// `&`, `<`, `>` and, when `quotes`, `"` and `'` as HTML character references: safe in element
// text and in quoted attribute values.
std::string EscapeHtml(std::string_view text, bool quotes = true);

}  // namespace loom
