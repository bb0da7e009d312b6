// The runbook as data: a Markdown document (md4c, CommonMark + GitHub tables) reduced to what the
// product reads from it — headings, tables and list items, each with its 1-based source line and
// the heading it sits under. Pure: text in, structure out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace loom {

struct RunbookHeading {
  int level = 0;
  std::string text;
  int line = 0;
};

struct RunbookCell {
  std::string text;
  int line = 0;
};

struct RunbookTable {
  std::string section;  // the nearest heading above it
  std::vector<RunbookCell> header;
  std::vector<std::vector<RunbookCell>> rows;
};

struct RunbookListItem {
  std::string section;
  int depth = 0;     // 0 for a top-level item
  std::string text;  // the item's own text, without nested items
  int line = 0;
};

struct RunbookDocument {
  std::vector<RunbookHeading> headings;
  std::vector<RunbookTable> tables;
  std::vector<RunbookListItem> items;
  std::vector<std::string> code_blocks;
};

Result<RunbookDocument> ParseRunbookMarkdown(std::string_view markdown);

}  // namespace loom
