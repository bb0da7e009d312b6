#include "core/runbook.h"

#include <md4c.h>

#include <algorithm>

namespace loom {
namespace {

// Collects text per block. md4c hands text callbacks pointers into the input for normal text,
// which is how source lines are recovered.
class Collector {
 public:
  explicit Collector(std::string_view doc) : doc_(doc) {}

  RunbookDocument Take() { return std::move(out_); }

  int EnterBlock(MD_BLOCKTYPE type, void* detail) {
    switch (type) {
      case MD_BLOCK_H:
        StartText();
        heading_level_ = static_cast<int>(static_cast<MD_BLOCK_H_DETAIL*>(detail)->level);
        break;
      case MD_BLOCK_TABLE:
        table_ = RunbookTable{};
        table_.section = section_;
        break;
      case MD_BLOCK_TR: row_.clear(); break;
      case MD_BLOCK_TH:
      case MD_BLOCK_TD: StartText(); break;
      case MD_BLOCK_LI:
        // Finish the parent's text before the nested item starts.
        FlushItem();
        item_stack_.push_back(
            RunbookListItem{section_, static_cast<int>(item_stack_.size()), "", 0});
        StartText();
        break;
      case MD_BLOCK_CODE: StartText(); break;
      default: break;
    }
    return 0;
  }

  int LeaveBlock(MD_BLOCKTYPE type) {
    switch (type) {
      case MD_BLOCK_H:
        section_ = Trimmed();
        out_.headings.push_back({heading_level_, section_, line_});
        collecting_ = false;
        break;
      case MD_BLOCK_TH:
      case MD_BLOCK_TD:
        row_.push_back({Trimmed(), line_});
        collecting_ = false;
        break;
      case MD_BLOCK_TR:
        if (in_head_) {
          table_.header = row_;
        } else {
          table_.rows.push_back(row_);
        }
        break;
      case MD_BLOCK_THEAD: in_head_ = false; break;
      case MD_BLOCK_TABLE: out_.tables.push_back(std::move(table_)); break;
      case MD_BLOCK_LI:
        FlushItem();
        item_stack_.pop_back();
        if (!item_stack_.empty()) StartText();  // the parent may continue after the nested list
        break;
      case MD_BLOCK_CODE:
        out_.code_blocks.push_back(text_);
        collecting_ = false;
        break;
      default: break;
    }
    return 0;
  }

  void MarkHead() { in_head_ = true; }

  int Text(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size) {
    if (!collecting_) return 0;
    if (line_ == 0 && type != MD_TEXT_SOFTBR && type != MD_TEXT_BR) {
      const char* base = doc_.data();
      if (text >= base && text < base + doc_.size()) {
        line_ = 1 + static_cast<int>(std::count(base, text, '\n'));
      }
    }
    if (type == MD_TEXT_SOFTBR || type == MD_TEXT_BR) {
      text_ += ' ';
    } else {
      text_.append(text, size);
    }
    return 0;
  }

 private:
  void StartText() {
    text_.clear();
    line_ = 0;
    collecting_ = true;
  }

  std::string Trimmed() const {
    size_t b = text_.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    size_t e = text_.find_last_not_of(" \t");
    return text_.substr(b, e - b + 1);
  }

  void FlushItem() {
    if (item_stack_.empty() || !collecting_) return;
    std::string t = Trimmed();
    if (!t.empty()) {
      RunbookListItem item = item_stack_.back();
      item.text = t;
      item.line = line_;
      out_.items.push_back(std::move(item));
    }
    collecting_ = false;
  }

  std::string_view doc_;
  RunbookDocument out_;
  std::string section_;
  std::string text_;
  int line_ = 0;
  bool collecting_ = false;
  int heading_level_ = 0;
  RunbookTable table_;
  std::vector<RunbookCell> row_;
  bool in_head_ = false;
  std::vector<RunbookListItem> item_stack_;
};

}  // namespace

Result<RunbookDocument> ParseRunbookMarkdown(std::string_view markdown) {
  Collector collector(markdown);
  MD_PARSER parser{};
  parser.abi_version = 0;
  parser.flags = MD_FLAG_TABLES | MD_FLAG_NOHTML;
  parser.enter_block = [](MD_BLOCKTYPE type, void* detail, void* self) {
    auto* c = static_cast<Collector*>(self);
    if (type == MD_BLOCK_THEAD) c->MarkHead();
    return c->EnterBlock(type, detail);
  };
  parser.leave_block = [](MD_BLOCKTYPE type, void*, void* self) {
    return static_cast<Collector*>(self)->LeaveBlock(type);
  };
  parser.enter_span = [](MD_SPANTYPE, void*, void*) { return 0; };
  parser.leave_span = [](MD_SPANTYPE, void*, void*) { return 0; };
  parser.text = [](MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size, void* self) {
    return static_cast<Collector*>(self)->Text(type, text, size);
  };
  if (md_parse(markdown.data(), static_cast<MD_SIZE>(markdown.size()), &parser, &collector) != 0) {
    return Error::Invalid("the runbook is not parseable Markdown");
  }
  return collector.Take();
}

}  // namespace loom
