#include "engine/drill_notes_writer.h"

#include <fstream>
#include <iterator>
#include <system_error>

#include "core/drill_notes.h"

namespace loom {
namespace {

// True when `file` exists and is not the notes of `drill` (its "- Incident: INC-<n> " line
// names another drill, or it has none).
bool TakenByAnother(const std::filesystem::path& file, const Incident& drill) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return false;
  std::ifstream in(file, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.find("\n- Incident: " + drill.id() + " ") == std::string::npos;
}

}  // namespace

Result<std::string> FileDrillNotesWriter::Write(const Incident& drill, const std::string& text) {
  std::filesystem::path file = dir_ / DrillNotesFileName(drill);
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (TakenByAnother(file, drill)) {
    file = dir_ / (file.stem().string() + "-" + drill.id() + ".md");
  }
  const Error failed = Error::Internal("cannot write the drill notes to " + file.string());
  std::filesystem::path staged = file;
  staged += ".tmp";
  {
    std::ofstream out(staged, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      std::filesystem::remove(staged, ec);
      return failed;
    }
  }
  std::filesystem::rename(staged, file, ec);
  if (ec) {
    std::filesystem::remove(staged, ec);
    return failed;
  }
  return file.string();
}

}  // namespace loom
