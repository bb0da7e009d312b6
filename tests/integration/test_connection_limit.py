"""Too many connections (issue 16): under an open-file limit of 1024, 1,000 idle client
connections must not stop the server accepting. At start the server raises its soft RLIMIT_NOFILE
to the hard limit and logs the figure, caps its connections below what it keeps for the store,
probes and deliveries, and closes the longest-idle connection to make room for a new one.

The server runs with its soft and hard RLIMIT_NOFILE set to 1024 (so raising the soft limit to the
hard one leaves 1024). With 1,000 idle connections and then 1,200 (more than the limit itself; on
SQLite without deliveries the unfixed server still had room for 1,000 and stopped accepting
beyond) /ready and a PagerDuty enqueue must each answer under a one-second socket timeout.
"""

import http.client
import json
import os
import resource
import socket
import sys
import time
import unittest

import harness
from harness import LOOM_KEY, LoomTestCase, Server

FD_LIMIT = 1024
IDLE_CONNECTIONS = 1000
MORE_CONNECTIONS = 200
ANSWER_WITHIN_S = 1.0

# Sets the limit, then becomes the server (same pid, so the harness's signals reach it).
_LAUNCHER = (
    "import os, resource, sys\n"
    f"resource.setrlimit(resource.RLIMIT_NOFILE, ({FD_LIMIT}, {FD_LIMIT}))\n"
    "os.execv(sys.argv[1], sys.argv[1:])\n"
)


class LimitedServer(Server):
    def command(self):
        return [sys.executable, "-c", _LAUNCHER] + super().command()


def _raise_own_limit(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise AssertionError(f"this test holds {needed} sockets; the test process's hard "
                             f"open-file limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


class ConnectionLimitTest(LoomTestCase):
    def setUp(self):
        _raise_own_limit(IDLE_CONNECTIONS + MORE_CONNECTIONS + 256)
        self.server = LimitedServer()
        self.addCleanup(self.server.cleanup)
        self.addCleanup(self._print_diagnostics_if_failed, self.server)
        self.server.start()
        self.idle = []
        self.addCleanup(self._close_idle)

    def _close_idle(self):
        for s in self.idle:
            s.close()

    def log(self):
        with open(self.server.stderr_path, errors="replace") as f:
            return f.read()

    def timed(self, method, path, body=None):
        """One request on a fresh connection under a one-second socket timeout (no select():
        this process's descriptors are above FD_SETSIZE). Returns the Response and the seconds it
        took."""
        started = time.monotonic()
        conn = http.client.HTTPConnection(self.server.host, self.server.port,
                                          timeout=ANSWER_WITHIN_S)
        try:
            conn.request(method, path, body=body,
                         headers={"Content-Type": "application/json", "Connection": "close"})
            r = conn.getresponse()
            resp = harness.Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()
        return resp, time.monotonic() - started

    def open_idle(self, n):
        for _ in range(n):
            self.idle.append(socket.create_connection((self.server.host, self.server.port),
                                                      timeout=10))

    def assert_answers_within_a_second(self, when):
        for i in range(3):
            with self.subTest(when=when, probe="/ready", i=i):
                resp, took = self.timed("GET", "/ready")
                self.assertEqual(resp.status, 200, resp)
                self.assertLess(took, ANSWER_WITHIN_S)
            with self.subTest(when=when, probe="/v2/enqueue", i=i):
                dedup = harness.unique(f"conn-limit-{i}")
                event = json.dumps(harness.pd_trigger(routing_key=LOOM_KEY,
                                                      dedup_key=dedup)).encode()
                resp, took = self.timed("POST", "/v2/enqueue", event)
                self.assertEqual(resp.status, 202, resp)
                self.assertEqual(resp.json(), harness.pd_success(dedup))
                self.assertLess(took, ANSWER_WITHIN_S)

    def test_answers_within_a_second_with_idle_connections_held_open(self):
        self.open_idle(IDLE_CONNECTIONS)
        self.assert_answers_within_a_second("after 1,000")
        # And beyond the limit itself: more idle connections than the process may have files.
        self.open_idle(MORE_CONNECTIONS)
        self.assert_answers_within_a_second("after 1,200")

        # The longest-idle connections made room: the first one opened is closed by the server,
        # the last one opened is still open.
        first = self.idle[0]
        first.settimeout(5)
        try:
            self.assertEqual(first.recv(1), b"")
        except ConnectionResetError:
            pass
        last = self.idle[-1]
        last.settimeout(0.2)
        with self.assertRaises(socket.timeout):
            last.recv(1)

        metrics = self.server.request("GET", "/metrics").text
        shed = [line for line in metrics.splitlines()
                if line.startswith("loom_oncall_http_connections_shed_total ")]
        self.assertEqual(len(shed), 1, metrics)
        self.assertGreater(float(shed[0].split()[1]), 0)
        log = self.log()
        # Never out of descriptors: the cap keeps the store's, probes' and deliveries' share.
        self.assertNotIn("Too many open files", log)
        # The figure it runs with is in the log.
        self.assertIn(f"open files: soft limit {FD_LIMIT} (hard limit {FD_LIMIT}); "
                      f"HTTP connections capped at", log)


if __name__ == "__main__":
    unittest.main()
