// `loom-oncall serve [--config FILE] [--listen HOST:PORT] [--data-dir DIR] [--demo]
//                    [--tls-cert F --tls-key F] [--log-level L]`
//
// Start-up, in order: load the configuration (--config, else $LOOM_ONCALL_CONFIG; or the demo
// configuration with --demo), apply the flag overrides, create the data directory, open the SQLite
// store, seed the configured services (integration keys as SHA-256 hashes), start the HTTP
// server, then print to stdout (flushed)
//     loom-oncall listening on http://HOST:PORT          (the bound port, also with --listen :0)
// and, with --demo, where the demo integration key and admin token are. The admin token itself is
// never printed or logged. SIGTERM/SIGINT stop the HTTP server (in-flight requests finish), then
// the store (queued writes commit), and serve exits 0.
//
// Exit codes: 2 for an invalid or missing configuration (message on stderr), ExitCodeFor(code)
// when the store or the server cannot start.
#pragma once

#include <cstdint>
#include <string>

namespace loom {

// "http://127.0.0.1:8080" from listen "127.0.0.1:0" and the bound port; https with TLS. An empty
// host (":8080") reads as 0.0.0.0; an IPv6 host keeps its brackets.
std::string ListeningUrl(const std::string& listen, uint16_t port, bool tls);

}  // namespace loom
