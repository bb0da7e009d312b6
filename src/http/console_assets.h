// The web console's static files (every file directly under web/console/, and uPlot), compiled
// into the binary at build time so that the server needs no installed directory: CMake globs them
// and reads them into console_assets.cc (generated from console_assets.cc.in), each with the
// content type of its extension (.html, .js, .css). Edit, add or remove files under web/console/;
// the build regenerates the copy.
//
// Thread safety: immutable data.
#pragma once

#include <string_view>

namespace loom::http {

struct ConsoleAsset {
  std::string_view name;          // "index.html", "main.js", "app.css", ...
  std::string_view content_type;  // with charset
  std::string_view body;
};

// The asset called `name`, or nullptr.
const ConsoleAsset* FindConsoleAsset(std::string_view name);

}  // namespace loom::http
