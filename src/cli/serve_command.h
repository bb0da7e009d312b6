// `loom-oncall serve [--config FILE] [--listen HOST:PORT] [--data-dir DIR] [--demo]
//                    [--tls-cert F --tls-key F] [--log-level L]`
//
// Start-up: load the configuration (--config, else $LOOM_ONCALL_CONFIG; or the demo configuration
// with --demo, whose data directory is claimed first: the demo keeps its secrets there), apply
// the flag overrides, build the severity policy, claim the data directory, block the shutdown
// signals, then start the server (server/server.h: the store, the services seeded, the engine,
// the probes, the outbox workers, the HTTP server) and print to stdout (flushed)
//     loom-oncall listening on http://HOST:PORT          (the bound port, also with --listen :0)
// and, with --demo, where the demo integration key and admin token are. The admin token itself is
// never printed or logged. SIGTERM/SIGINT stop the server (server/server.h's teardown: the HTTP
// server first, in-flight requests finish; the store last, queued writes commit), and serve
// exits 0.
//
// Exit codes: 2 for an invalid or missing configuration (message on stderr), ExitCodeFor(code)
// when the data directory, the store or the server cannot start.
#pragma once

// RegisterServeCommand (cli/commands.h) adds the command.
