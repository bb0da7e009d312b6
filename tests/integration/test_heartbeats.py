"""Heartbeats (issue 20, docs/heartbeats.md) with the real binary: the ping paths (ours with the
integration key as `Token`, `Bearer` or `?key=`, and Opsgenie's with `GenieKey`), 404s in each
path's own error shape, the API and CLI, /metrics, and the expiry: a heartbeat silent for
interval + grace opens an incident of its severity on its service, which pages the primary; the
next ping resolves it. Across a SIGKILL, a ping answered 202 is kept and a heartbeat gets
interval + grace from the restart. The expiry scenario runs on SQLite and on PostgreSQL.

Intervals are a couple of seconds (the server has no test clock); the tests poll for what must
happen and never assert how fast it happened."""

import datetime
import time
import unittest

import harness
from harness import ADMIN_TOKEN, AUTO_KEY, LOOM_KEY, DEFAULT_CONFIG, run_cli
import test_postgres

INTERVAL_S = 2
GRACE_S = 1

HEARTBEAT_CONFIG = DEFAULT_CONFIG.replace(
    "  - id: limited\n",
    "    roles: { primary: prim }\n"
    "    heartbeats:\n"
    f"      - {{ id: nightly-backup, interval: {INTERVAL_S}s, grace: {GRACE_S}s, severity: sev1 }}\n"
    "      - { id: watchdog, name: Watchdog, interval: 1h }\n"
    "  - id: limited\n",
    1) + """\
users:
  - { id: alice, name: Alice Primary }
schedules:
  - { id: prim, layers: [ { participants: [alice], shift: 1w, start: 2026-01-05 } ] }
"""


def unix(rfc3339):
    return datetime.datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()


def wait_until(what, predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


class HeartbeatPingTest(harness.ServerTestCase):
    config_text = HEARTBEAT_CONFIG

    def heartbeat(self, hid):
        return self.server.get_json(f"/v1/heartbeats/{hid}")

    def test_ping_with_token_header_query_key_and_get(self):
        r = self.server.request("POST", "/v1/heartbeats/watchdog/ping",
                                headers={"Authorization": f"Token {LOOM_KEY}"})
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json()["heartbeat"], "watchdog")
        self.assertEqual(r.json()["state"], "healthy")
        first = self.heartbeat("watchdog")["last_ping_at"]
        self.assertIsNotNone(first)
        r = self.server.request("GET", f"/v1/heartbeats/watchdog/ping?key={LOOM_KEY}")
        self.assertEqual(r.status, 202, r)
        r = self.server.request("POST", "/v1/heartbeats/watchdog/ping", token=LOOM_KEY)
        self.assertEqual(r.status, 202, r)
        self.assertGreaterEqual(self.heartbeat("watchdog")["last_ping_at"], first)

    def test_opsgenie_path_with_geniekey(self):
        r = self.server.request("POST", "/v2/heartbeats/Watchdog/ping",
                                headers={"Authorization": f"GenieKey {LOOM_KEY}"})
        self.assertEqual(r.status, 202, r)
        body = r.json()
        self.assertEqual(body["result"], "PONG - Heartbeat received")
        self.assertIn("took", body)
        self.assertRegex(body["requestId"], r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                                            r"[0-9a-f]{12}$")
        r = self.server.request("GET", "/v2/heartbeats/Watchdog/ping",
                                headers={"Authorization": f"GenieKey {LOOM_KEY}"})
        self.assertEqual(r.status, 202, r)
        self.assertEqual(self.heartbeat("watchdog")["state"], "healthy")

    def test_unknown_heartbeats_are_404_in_each_paths_shape(self):
        r = self.server.request("POST", "/v1/heartbeats/nope/ping",
                                headers={"Authorization": f"Token {LOOM_KEY}"})
        self.assertEqual(r.status, 404, r)
        self.assertTrue(r.headers.get("content-type", "").startswith("application/problem+json"),
                        r.headers)
        self.assertIn("nope", r.json()["detail"])
        r = self.server.request("POST", "/v2/heartbeats/nope/ping",
                                headers={"Authorization": f"GenieKey {LOOM_KEY}"})
        self.assertEqual(r.status, 404, r)
        body = r.json()
        self.assertEqual(body["message"], "Heartbeat with name [nope] doesn't exist.")
        self.assertIn("requestId", body)
        # A key of another service does not reach this service's heartbeats.
        r = self.server.request("POST", "/v1/heartbeats/watchdog/ping",
                                headers={"Authorization": f"Token {AUTO_KEY}"})
        self.assertEqual(r.status, 404, r)

    def test_missing_or_unknown_keys_are_401(self):
        r = self.server.request("POST", "/v1/heartbeats/watchdog/ping")
        self.assertEqual(r.status, 401, r)
        self.assertIn("Token", r.json()["detail"])
        r = self.server.request("POST", "/v1/heartbeats/watchdog/ping",
                                headers={"Authorization": "Token " + "0" * 32})
        self.assertEqual(r.status, 401, r)
        r = self.server.request("POST", "/v2/heartbeats/Watchdog/ping")
        self.assertEqual(r.status, 401, r)
        self.assertIn("message", r.json())

    def test_api_create_patch_delete_and_cli_list(self):
        r = self.server.api("POST", "/v1/heartbeats",
                            {"id": "api-cron", "service": "auto", "interval": "10m",
                             "grace": 60, "severity": "sev3"})
        self.assertEqual(r.status, 201, r)
        created = r.json()
        self.assertEqual(created["interval"], "10m")
        self.assertEqual(created["grace"], "1m")
        self.assertEqual(created["state"], "inactive")
        self.assertEqual(created["source"], "api")
        r = self.server.api("POST", "/v1/heartbeats", {"id": "api-cron", "service": "auto",
                                                       "interval": "10m"})
        self.assertEqual(r.status, 409, r)
        r = self.server.api("POST", "/v1/heartbeats", {"id": "x", "service": "auto",
                                                       "interval": "soon"})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json()["errors"][0]["pointer"], "/interval")
        r = self.server.api("PATCH", "/v1/heartbeats/api-cron", {"enabled": False})
        self.assertEqual(r.status, 200, r)
        self.assertFalse(r.json()["enabled"])

        p = run_cli(["heartbeat", "list"], env={"LOOM_ONCALL_SERVER": self.server.url,
                                                "LOOM_ONCALL_TOKEN": ADMIN_TOKEN})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"api-cron\s+auto\s+inactive \(disabled\)\s+10m\s+1m")
        self.assertRegex(p.stdout, r"watchdog\s+loom")

        r = self.server.api("DELETE", "/v1/heartbeats/api-cron")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.server.api("GET", "/v1/heartbeats/api-cron").status, 404)

    def test_writes_need_admin(self):
        r = self.server.api("POST", "/v1/tokens", {"name": "hb-viewer", "role": "viewer"})
        self.assertEqual(r.status, 201, r)
        viewer = r.json()["token"]
        self.assertEqual(self.server.api("GET", "/v1/heartbeats", token=viewer).status, 200)
        r = self.server.api("POST", "/v1/heartbeats", {"id": "v", "service": "loom",
                                                       "interval": "1m"}, token=viewer)
        self.assertEqual(r.status, 403, r)

    def test_metrics(self):
        r = self.server.request("POST", "/v1/heartbeats/watchdog/ping", token=LOOM_KEY)
        self.assertEqual(r.status, 202, r)
        text = self.server.request("GET", "/metrics").text
        self.assertRegex(text, r'loom_oncall_heartbeat_seconds_since_ping\{heartbeat="watchdog",'
                               r'service="loom"\} [0-9.e-]+\n')
        self.assertIn('loom_oncall_heartbeat_state{heartbeat="watchdog",service="loom",'
                      'state="healthy"} 1\n', text)


class HeartbeatExpiryTest(harness.LoomTestCase):
    """Expiry, resolve and restart on SQLite; the PostgreSQL class below runs the same."""

    def make_server(self):
        return harness.Server(config_text=HEARTBEAT_CONFIG)

    def ping(self, server):
        r = server.request("POST", "/v1/heartbeats/nightly-backup/ping", token=LOOM_KEY)
        self.assertEqual(r.status, 202, r)
        return r.json()

    def state(self, server):
        return server.get_json("/v1/heartbeats/nightly-backup")

    def test_expiry_pages_and_the_next_ping_resolves(self):
        server = self.make_server()
        self.addCleanup(server.cleanup)
        server.start()
        self.assertEqual(self.state(server)["state"], "inactive")
        self.ping(server)
        expired = wait_until("the expiry",
                             lambda: (lambda s: s if s["state"] == "expired" else None)(
                                 self.state(server)))
        incident_id = expired["incident"]
        self.assertIsNotNone(incident_id)
        detail = server.incident(incident_id)
        incident = detail.get("incident", detail)
        self.assertEqual(incident["service"], "loom")
        self.assertEqual(incident["severity"], "sev1")
        self.assertEqual(incident["state"], "triggered")
        self.assertRegex(incident["title"], r"^Heartbeat nightly-backup expired: last ping "
                                            r"\d\d:\d\d:\d\d UTC, expected every 2s$")
        pages = wait_until("the page", lambda: [
            n for n in server.get_json(f"/v1/incidents/{incident_id}/notifications")
            ["notifications"] if n.get("user") == "alice"])
        self.assertEqual(pages[0]["kind"], "page")
        self.assertEqual(pages[0]["role"], "primary")

        answer = self.ping(server)
        self.assertEqual(answer["resolved_incident"], incident_id)
        detail = server.incident(incident_id)
        incident = detail.get("incident", detail)
        self.assertEqual(incident["state"], "resolved")
        resolved = [e for e in detail["timeline"] if e["type"] == "incident.resolved"]
        self.assertEqual(len(resolved), 1)
        self.assertEqual(resolved[0]["actor"], "heartbeat:nightly-backup")
        self.assertEqual(self.state(server)["state"], "healthy")
        server.stop_ok(self)

    def test_kill9_keeps_the_ping_and_gives_interval_plus_grace_from_the_restart(self):
        server = self.make_server()
        self.addCleanup(server.cleanup)
        server.start()
        self.ping(server)
        pinged_at = self.state(server)["last_ping_at"]
        server.kill()
        # Down for longer than interval + grace: nothing could ping meanwhile.
        time.sleep(INTERVAL_S + GRACE_S + 1)
        before_start = time.time()
        server.start()
        after = self.state(server)
        self.assertEqual(after["last_ping_at"], pinged_at)   # the 202 was durable
        self.assertEqual(after["state"], "healthy")          # not expired at once
        self.assertIsNone(after["incident"])
        # (expires_at is shown to the millisecond)
        self.assertGreaterEqual(unix(after["expires_at"]),
                                before_start + INTERVAL_S + GRACE_S - 0.002)
        # It does expire, from the restart on.
        expired = wait_until("the expiry after the restart",
                             lambda: (lambda s: s if s["state"] == "expired" else None)(
                                 self.state(server)))
        self.assertIsNotNone(expired["incident"])
        server.stop_ok(self)


class PostgresHeartbeatExpiryTest(HeartbeatExpiryTest):
    @classmethod
    def setUpClass(cls):
        cls.pg = test_postgres.PostgresServer()
        try:
            cls.pg.start()
        except BaseException:
            cls.pg.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.pg.cleanup()

    def make_server(self):
        url = self.pg.new_database()
        config = HEARTBEAT_CONFIG + "store:\n  kind: postgres\n  url_env: LOOM_ONCALL_PG_URL\n"
        return harness.Server(config_text=config, env={"LOOM_ONCALL_PG_URL": url})


if __name__ == "__main__":
    unittest.main()
