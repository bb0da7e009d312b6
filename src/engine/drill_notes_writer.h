// Where a finished drill's notes (core/drill_notes.h) go: the drill service renders them and
// hands the text to a DrillNotesWriter. FileDrillNotesWriter writes them into the configured
// drill folder (`drills.dir`); tests use a fake.
//
// Thread safety: Write may be called from any thread (the drill service calls it on the store's
// writer thread, inside the finish's transaction), one call at a time per drill.
#pragma once

#include <filesystem>
#include <string>

#include "common/result.h"
#include "core/incident.h"

namespace loom {

class DrillNotesWriter {
 public:
  virtual ~DrillNotesWriter() = default;
  // Stores `text` as the notes of `drill` and answers where (the path a reader is told, e.g. in
  // the close's timeline note). Writing the same drill's notes again replaces them at the same
  // place. kInternal naming the place when they cannot be written.
  virtual Result<std::string> Write(const Incident& drill, const std::string& text) = 0;
};

// Writes `<dir>/<DrillNotesFileName(drill)>`, or `<stem>-INC-<n>.md` beside it when that name is
// taken by another drill's notes (a file whose "- Incident: " line does not name this drill),
// creating `dir` when needed. The text goes to a temporary file renamed into place, so a reader
// (GET /v1/drills/{id}/notes) never sees half a file. A relative `dir` is relative to the
// process's working directory.
class FileDrillNotesWriter final : public DrillNotesWriter {
 public:
  explicit FileDrillNotesWriter(std::filesystem::path dir) : dir_(std::move(dir)) {}
  Result<std::string> Write(const Incident& drill, const std::string& text) override;

 private:
  const std::filesystem::path dir_;
};

}  // namespace loom
