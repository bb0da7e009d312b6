"""PostgreSQL outages (issue 16): paging must not silently stop. The real binary on its own
throwaway PostgreSQL (scripts/pg_test_server.sh, under /tmp so that the postgres user can reach
it), which the test stops and starts.

A Sev1 with a 6 s acknowledgement target: the primary is paged; the database is stopped for 10 s
across the secondary's due time, with no request meanwhile, then started:
- /ready answers 503 within 2 s of the stop and 200 within 2 s of the start (it stayed 200 while
  nothing was written);
- the secondary is paged exactly once, within a few seconds of the database's return (the leader
  logged "error loading the pending work" once and never tried again: escalation had stopped);
- the notifications API shows one page per role.

And with nothing written at all, /ready follows the database the same way (it stayed 200 until a
write happened to fail).
"""

import time

import harness
from harness import pd_trigger, unique
from test_postgres import (LEADER_LOCKS, HookSink, PostgresTestCase, escalation_config,
                           postgres_config, psql)

ACK_TARGET_S = 6
OUTAGE_S = 10
READY_WITHIN_S = 2.0


class PostgresOutageTest(PostgresTestCase):

    def wait_ready(self, server, status, since, what):
        while True:
            resp = server.request("GET", "/ready")
            if resp.status == status:
                return time.monotonic() - since
            self.assertLess(time.monotonic() - since, READY_WITHIN_S,
                            f"/ready must answer {status} within {READY_WITHIN_S} s of {what}; "
                            f"it answers {resp.status}")
            time.sleep(0.05)

    @staticmethod
    def pages(server, incident):
        return [(n["role"], n["user"], n["state"]) for n in
                server.get_json(f"/v1/incidents/{incident['id']}/notifications")["notifications"]
                if n["kind"] == "page"]

    def test_ready_follows_the_database_with_nothing_written(self):
        url = self.pg.new_database()
        server = self.new_server(config_text=postgres_config(), env={"LOOM_ONCALL_PG_URL": url})
        self.assertEqual(server.request("GET", "/ready").status, 200)
        self.pg.stop_server()
        stopped_at = time.monotonic()
        try:
            self.wait_ready(server, 503, stopped_at, "the database's stop")
            resp = server.request("GET", "/ready")
            self.assertGreaterEqual(int(resp.headers.get("retry-after", "0")), 1, resp.headers)
            self.assertEqual(resp.json()["checks"]["store"], "error", resp)
        finally:
            self.pg.restart_server()
        self.wait_ready(server, 200, time.monotonic(), "the database's start")
        server.stop_ok(self)

    def test_a_step_due_during_an_outage_pages_the_secondary_once_after_it(self):
        url = self.pg.new_database()
        sink = HookSink()
        self.addCleanup(sink.server.close)
        config = escalation_config(sink.port)
        self.assertIn("ack_target: 4s", config)
        config = config.replace("ack_target: 4s", f"ack_target: {ACK_TARGET_S}s")
        server = self.new_server(config_text=config, env={"LOOM_ONCALL_PG_URL": url})
        deadline = time.monotonic() + 10
        while psql(url, LEADER_LOCKS) != "1":
            self.assertLess(time.monotonic(), deadline, "the instance did not take the lead")
            time.sleep(0.1)
        key = unique("sev1")
        self.assertAccepted(server.enqueue(pd_trigger(dedup_key=key)), key)
        sent_at = time.monotonic()
        [incident] = server.incidents_by_dedup_key(key)
        self.assertEqual(incident["severity"], "sev1", incident)
        # The primary's page is sent and its delivery recorded before the outage.
        while self.pages(server, incident) != [("primary", "alice", "delivered")]:
            self.assertLess(time.monotonic() - sent_at, 4, "the primary's page was not recorded")
            time.sleep(0.05)
        self.assertEqual(len(sink.to("alice")), 1, sink.calls)
        self.assertEqual(server.request("GET", "/ready").status, 200)

        # The database goes away before the secondary's step is due, and stays away past it.
        self.pg.stop_server()
        stopped_at = time.monotonic()
        self.assertLess(stopped_at - sent_at, ACK_TARGET_S - 1, "stopped too late for the test")
        took = self.wait_ready(server, 503, stopped_at, "the database's stop")
        print(f"\n/ready 503 {took:.2f} s after the stop", flush=True)
        while time.monotonic() - stopped_at < OUTAGE_S:
            self.assertEqual(server.request("GET", "/ready").status, 503)
            time.sleep(0.25)
        due = sent_at + ACK_TARGET_S
        self.assertGreater(time.monotonic(), due + 1, "the step must fall due during the outage")
        self.assertEqual(sink.to("bob"), [], "nobody can be paged without the database")
        self.assertTrue(server.running(), "the server must survive the outage")

        self.pg.restart_server()
        started_at = time.monotonic()
        took = self.wait_ready(server, 200, started_at, "the database's start")
        print(f"/ready 200 {took:.2f} s after the start", flush=True)
        while not sink.to("bob"):
            self.assertLess(time.monotonic() - started_at, 10,
                            "the secondary was never paged after the database came back")
            time.sleep(0.05)
        print(f"secondary paged {sink.to('bob')[0][1] - started_at:.2f} s after the start",
              flush=True)
        self.assertLess(sink.to("bob")[0][1] - started_at, 5.0,
                        "the secondary must be paged within moments of the database's return")
        # Well after: one page each.
        time.sleep(2)
        self.assertEqual(len(sink.to("alice")), 1, sink.calls)
        self.assertEqual(len(sink.to("bob")), 1, sink.calls)
        self.assertEqual(self.pages(server, incident), [("primary", "alice", "delivered"),
                                                        ("secondary", "bob", "delivered")])
        server.stop_ok(self)


if __name__ == "__main__":
    import unittest
    unittest.main()
