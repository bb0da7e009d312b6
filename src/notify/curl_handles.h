// Owning handles for the libcurl objects the channels use, and the one process-wide
// curl_global_init. Every libcurl user in src/notify calls EnsureCurlInitialized before
// creating a handle.
//
// Thread safety: EnsureCurlInitialized is thread-safe; a handle belongs to one thread at a time.
#pragma once

#include <curl/curl.h>

#include <memory>

namespace loom {

struct CurlEasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct CurlListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct CurlMimeDeleter {
  void operator()(curl_mime* m) const { curl_mime_free(m); }
};

using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlList = std::unique_ptr<curl_slist, CurlListDeleter>;
using CurlMime = std::unique_ptr<curl_mime, CurlMimeDeleter>;

// Calls curl_global_init once per process; safe from any thread.
void EnsureCurlInitialized();

}  // namespace loom
