"""One data directory, one server: `serve`, `migrate` and `import` lock the SQLite store's data
directory (flock on <data-dir>/loom-oncall.lock, docs/operations.md). A second writer exits at once
naming the directory and the holder's PID, and the first keeps answering; the read-only tools
(`export`, `audit verify`) work beside it; and a server killed with SIGKILL leaves no stale lock.

Before the lock, a second `serve` on the same directory started, both wrote the one SQLite file,
and the first answered every new PagerDuty trigger with 400 `UNIQUE constraint failed`.
"""

import os
import subprocess
import unittest

import harness
from harness import Server, pd_trigger, run_cli, unique

# A refused writer exits at once; this only bounds a hang.
REFUSAL_TIMEOUT_S = 15


class DataDirLockTest(harness.LoomTestCase):

    def assertRefusedNaming(self, p, server, what):
        self.assertNotEqual(p.returncode, 0, f"{what} should be refused: {p.stdout}{p.stderr}")
        self.assertIn(f"data directory '{server.data_dir}' is in use", p.stderr, what)
        self.assertIn(f"(PID {server.proc.pid})", p.stderr, what)
        self.assertNotIn("listening on", p.stdout, what)

    def assertStillServes(self, server):
        key = unique("still")
        r = server.enqueue(pd_trigger(dedup_key=key))
        self.assertEqual(r.status, 202, r)
        self.assertEqual(len(server.incidents_by_dedup_key(key, "loom")), 1)

    def test_a_second_serve_exits_at_once_naming_the_directory_and_the_pid(self):
        first = self.new_server()
        self.assertStillServes(first)
        for demo in (False, True):
            with self.subTest(demo=demo):
                second = self.new_server(start=False, demo=demo, data_dir=first.data_dir)
                try:
                    p = subprocess.run(second.command(), env=second.env, capture_output=True,
                                       text=True, timeout=REFUSAL_TIMEOUT_S,
                                       stdin=subprocess.DEVNULL, cwd=second.cwd)
                except subprocess.TimeoutExpired:
                    self.fail("a second serve on the same data directory kept running")
                self.assertRefusedNaming(p, first, "serve")
                self.assertEqual(p.returncode, 5, p.stderr)
                # The refused demo wrote no secrets into the directory it does not own.
                self.assertFalse(os.path.exists(os.path.join(first.data_dir, "demo.env")))
        # The first server never noticed.
        self.assertStillServes(first)
        self.assertEqual(first.request("GET", "/ready").status, 200)
        first.stop_ok(self)

    def test_migrate_and_import_are_refused_while_the_read_only_tools_work(self):
        server = self.new_server()
        self.assertStillServes(server)
        store = ["--config", server.config_path, "--data-dir", server.data_dir]
        dump = os.path.join(server.root, "export.jsonl")

        p = run_cli(["export"] + store + ["--output", dump], timeout=REFUSAL_TIMEOUT_S)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"incidents\s+1\b")
        p = run_cli(["audit", "verify"] + store, timeout=REFUSAL_TIMEOUT_S)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("audit: OK", p.stdout)

        p = run_cli(["migrate"] + store, timeout=REFUSAL_TIMEOUT_S)
        self.assertRefusedNaming(p, server, "migrate")
        p = run_cli(["import"] + store + [dump], timeout=REFUSAL_TIMEOUT_S)
        self.assertRefusedNaming(p, server, "import")

        self.assertStillServes(server)
        server.stop_ok(self)
        # Stopped: the directory is free again.
        p = run_cli(["migrate"] + store, timeout=REFUSAL_TIMEOUT_S)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_after_kill_9_a_new_server_starts_on_the_directory(self):
        first = self.new_server()
        key = unique("crash")
        self.assertEqual(first.enqueue(pd_trigger(dedup_key=key)).status, 202)
        first.kill()
        # The lock file stays behind, naming the dead process; only the kernel's lock counts.
        self.assertTrue(os.path.exists(os.path.join(first.data_dir, "loom-oncall.lock")))
        second = self.new_server(data_dir=first.data_dir)
        self.assertEqual(len(second.incidents_by_dedup_key(key, "loom")), 1)
        self.assertStillServes(second)
        second.stop_ok(self)


if __name__ == "__main__":
    unittest.main()
