"""Acceptance 5: a 202 means the event is on disk. Several connections send PagerDuty triggers, the
server is killed with SIGKILL (or stopped with SIGTERM) mid-stream and restarted on the same data
directory, and every event that got a 202 is found again: through the API and in the SQLite file.
"""

import collections
import http.client
import threading
import unittest

import harness
from harness import pd_trigger, unique

UNIQUE_WORKERS = 6       # each event opens a new incident (unique dedup key)
REPEAT_WORKERS = 2       # each sends every event with its own single dedup key
ACKED_BEFORE_STOP = 600  # 202s to collect before the server is stopped mid-stream
MAX_PER_WORKER = 20000   # bound on every worker's loop


class Load:
    """Closed-loop load on keep-alive connections; records what got a 202."""

    def __init__(self, server, target=ACKED_BEFORE_STOP):
        self.server = server
        self.prefix = unique("dur")
        self.target = target
        self.lock = threading.Lock()
        self.acked_unique = set()
        self.acked_repeats = collections.Counter()   # dedup key -> 202s
        self.other_statuses = collections.Counter()
        self.errors = collections.Counter()          # exception type after which a worker stopped
        self.enough = threading.Event()
        self.stop = threading.Event()
        self.threads = []

    def start(self):
        for n in range(UNIQUE_WORKERS + REPEAT_WORKERS):
            t = threading.Thread(target=self.worker, args=(n, n >= UNIQUE_WORKERS), daemon=True)
            t.start()
            self.threads.append(t)

    def acked_count(self):
        return len(self.acked_unique) + sum(self.acked_repeats.values())

    def worker(self, n, repeat):
        client = self.server.client(timeout=15)
        repeat_key = f"{self.prefix}-repeat-{n}"
        try:
            for i in range(MAX_PER_WORKER):
                if self.stop.is_set():
                    return
                key = repeat_key if repeat else f"{self.prefix}-{n}-{i}"
                try:
                    r = client.request("POST", "/v2/enqueue",
                                       body=pd_trigger(dedup_key=key, summary=f"durability {key}"))
                except (OSError, http.client.HTTPException) as e:
                    # The server is gone (killed or shut down): this connection is done.
                    with self.lock:
                        self.errors[type(e).__name__] += 1
                    return
                with self.lock:
                    if r.status == 202 and r.json().get("dedup_key") == key:
                        if repeat:
                            self.acked_repeats[key] += 1
                        else:
                            self.acked_unique.add(key)
                        if self.acked_count() >= self.target:
                            self.enough.set()
                    else:
                        self.other_statuses[r.status] += 1
        finally:
            client.close()

    def join(self, timeout=30):
        for t in self.threads:
            t.join(timeout)
            if t.is_alive():
                raise AssertionError("a load thread did not finish")


class DurabilityTest(harness.LoomTestCase):

    def run_load_then(self, server, stop_action):
        load = Load(server)
        load.start()
        try:
            reached = load.enough.wait(timeout=90)
            self.assertTrue(reached, f"only {load.acked_count()} events accepted "
                                     f"(other statuses {dict(load.other_statuses)}, "
                                     f"errors {dict(load.errors)})")
            stop_action()
        finally:
            load.stop.set()
            load.join()
        return load

    def assertEveryAcceptedEventIsStored(self, server, load):
        # 1. Through the API of the restarted server.
        server.start()
        incidents = server.all_incidents("service=loom")
        by_key = collections.defaultdict(list)
        for i in incidents:
            by_key[i["dedup_key"]].append(i)
        missing = sorted(load.acked_unique - set(by_key))
        self.assertFalse(missing, f"{len(missing)} of {len(load.acked_unique)} events answered "
                                  f"202 are lost, e.g. {missing[:5]}")
        for key in load.acked_unique:
            self.assertEqual(len(by_key[key]), 1, by_key[key])
        for key, count in load.acked_repeats.items():
            self.assertEqual(len(by_key[key]), 1, f"repeats of {key} must share one incident")
            self.assertGreaterEqual(by_key[key][0]["alert_count"], count,
                                    f"{key}: {count} triggers answered 202")
        # The restarted server keeps numbering after the highest stored incident.
        highest = max(i["number"] for i in incidents)
        key = unique("after-restart")
        self.assertEqual(server.enqueue(pd_trigger(dedup_key=key)).status, 202)
        [after] = server.incidents_by_dedup_key(key)
        self.assertGreater(after["number"], highest)
        server.stop_ok(self)

        # 2. In the SQLite file itself.
        db = server.open_db()
        try:
            incident_keys = {row[0] for row in db.execute("SELECT dedup_key FROM incidents")}
            alert_keys = collections.Counter(
                row[0] for row in db.execute("SELECT dedup_key FROM alerts"))
        finally:
            db.close()
        self.assertFalse(sorted(load.acked_unique - incident_keys)[:5])
        self.assertFalse(sorted(load.acked_unique - set(alert_keys))[:5])
        for key, count in load.acked_repeats.items():
            self.assertGreaterEqual(alert_keys[key], count, key)

    def test_every_202_survives_kill_9_mid_stream(self):
        server = self.new_server()
        load = self.run_load_then(server, server.kill)
        self.assertTrue(load.errors, "the load should have been cut off mid-stream by the kill")
        self.assertEqual(server.proc.returncode, -9)
        self.assertEveryAcceptedEventIsStored(server, load)

    def test_sigterm_under_load_exits_0_and_keeps_every_202(self):
        server = self.new_server()
        codes = []
        load = self.run_load_then(server, lambda: codes.append(server.stop()))
        self.assertEqual(codes, [0], "SIGTERM under load must exit 0\n" + server.diagnostics())
        # A shutting-down server may refuse new events with 503, never with anything else.
        self.assertFalse(set(load.other_statuses) - {503}, dict(load.other_statuses))
        self.assertEveryAcceptedEventIsStored(server, load)


if __name__ == "__main__":
    unittest.main()
