"""scripts/pg_test_server.sh, the throwaway PostgreSQL the store tests run on (issue 16, item 17a):
it starts wherever the checkout is, also in a directory the `postgres` user cannot enter (a clone
under /root, mode 0700), and `stop` leaves nothing behind.
"""

import os
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PG_SCRIPT = os.path.join(ROOT, "scripts", "pg_test_server.sh")


class PgTestServerTest(unittest.TestCase):
    def setUp(self):
        # Like /root: only its owner may enter (as root, the server runs as `postgres`).
        self.home = tempfile.mkdtemp(prefix="loom-pg-home-")
        os.chmod(self.home, 0o700)
        self.addCleanup(shutil.rmtree, self.home, ignore_errors=True)
        self.dir = os.path.join(self.home, "clone", "build", "pg-test")

    def run_script(self, action):
        return subprocess.run(["bash", PG_SCRIPT, action, self.dir], capture_output=True, text=True,
                              timeout=120)

    def test_starts_from_a_directory_postgres_cannot_enter_and_stop_cleans_up(self):
        started = self.run_script("start")
        self.addCleanup(self.run_script, "stop")
        self.assertEqual(started.returncode, 0, started.stderr)
        with open(os.path.join(self.dir, "url")) as f:
            url = f.read().strip()
        self.assertRegex(url, r"^postgresql://loom@127\.0\.0\.1:\d+/postgres$")
        answer = subprocess.run(["psql", url, "-At", "-c", "SELECT 40 + 2"], capture_output=True,
                                text=True, timeout=60)
        self.assertEqual(answer.returncode, 0, answer.stderr)
        self.assertEqual(answer.stdout.strip(), "42")
        with open(os.path.join(self.dir, "pgroot")) as f:
            pgroot = f.read().strip()
        self.assertTrue(os.path.isfile(os.path.join(pgroot, "data", "PG_VERSION")))

        stopped = self.run_script("stop")
        self.assertEqual(stopped.returncode, 0, stopped.stderr)
        self.assertFalse(os.path.exists(pgroot), "the data directory is left behind")
        self.assertFalse(os.path.exists(self.dir))
        gone = subprocess.run(["psql", url, "-At", "-c", "SELECT 1"], capture_output=True,
                              text=True, timeout=60)
        self.assertNotEqual(gone.returncode, 0, "the server still answers after stop")


if __name__ == "__main__":
    unittest.main()
