// GET /v1/drills/{id}/notes (docs/drills.md): the Markdown notes file a finished drill wrote into
// the drill folder, for the web console's drills page.
//
// The file is found the way FileDrillNotesWriter (engine/drill_notes_writer.h) names it (the
// drill's date and title slug, or the same with "-INC-<n>" when that name was taken by another
// drill's notes), never from a path recorded in the timeline, and it is served only when its
// "- Incident: INC-<n> " line names this drill: nothing outside the drill folder can be read, and
// another drill's notes of the same day and title are not mixed up.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "core/drill_notes.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "http/problem.h"

namespace loom::http {
namespace {

// Notes files are a few KiB; anything far larger is not one of ours.
constexpr std::uintmax_t kMaxNotesBytes = 1024 * 1024;

// The file's text when it is a readable regular file of at most kMaxNotesBytes, else nullopt.
std::optional<std::string> ReadSmallFile(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec || size > kMaxNotesBytes) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

void Api::GetDrillNotes(const Request& req, const PathParams& params, Reply reply) {
  std::optional<IncidentDetail> detail = ReadableIncident(req, params, reply);
  if (!detail) return;
  const Incident& drill = detail->incident;
  if (!drill.drill) {
    return reply->Send(ProblemFor(Error::NotFound("no drill " + drill.id()), req));
  }
  const std::filesystem::path dir(options_.drills.dir);
  const std::filesystem::path plain = dir / DrillNotesFileName(drill);
  const std::filesystem::path own = dir / (plain.stem().string() + "-" + drill.id() + ".md");
  const std::string marker = "\n- Incident: " + drill.id() + " ";
  for (const std::filesystem::path& file : {own, plain}) {
    std::optional<std::string> text = ReadSmallFile(file);
    if (!text || text->find(marker) == std::string::npos) continue;
    Response r;
    r.status = 200;
    r.content_type = "text/markdown; charset=utf-8";
    r.headers.emplace_back("X-Notes-File", file.filename().string());
    r.body = std::move(*text);
    return reply->Send(std::move(r));
  }
  reply->Send(
      ProblemFor(Error::NotFound(drill.id() + " has no notes yet (POST /v1/drills/" + drill.id() +
                                 "/finish writes them into " + options_.drills.dir + ")"),
                 req));
}

}  // namespace loom::http
