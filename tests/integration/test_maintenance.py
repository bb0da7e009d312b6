"""Maintenance windows (issue 20, docs/maintenance.md) with the real binary, a real SMTP server
(aiosmtpd) and an HTTP sink (test_delivery's): during a window an event opens its incident, marked
`maintenance`, and no page reaches the sinks; ending the window (the CLI's `maintenance end`)
pages then, with the actor on the timeline. The API's answers (problem+json, 403, 404, 409), the
CLI's start and list, a window of the configuration file, and a window that ends while the server
is down after `kill -9` (on SQLite and on PostgreSQL): its held incident pages after the restart.

The server has no test clock: windows last seconds, and the tests poll for what must happen."""

import time
import unittest

import harness
from harness import ADMIN_TOKEN, AUTO_KEY, run_cli
import test_postgres
from test_delivery import HookSink, SmtpSink, delivery_config, sev1
from test_heartbeats import wait_until

CONFIGURED_WINDOW = """\
maintenance:
  - id: freeze
    services: [auto]
    reason: Change freeze
    start: 2026-01-01T00:00:00Z
    end: 2099-01-01T00:00:00Z
"""


class MaintenanceTest(harness.LoomTestCase):

    def make_server(self, config_text, env):
        return self.new_server(config_text=config_text, env=env)

    def start(self, extra_config=""):
        self.hooks = HookSink()
        self.addCleanup(self.hooks.close)
        self.smtp = SmtpSink(harness.free_port())
        self.addCleanup(self.smtp.stop)
        self.smtp.start()
        self.server = self.make_server(
            delivery_config(self.hooks.port, self.smtp.port) + extra_config,
            {"ALICE_HOOK_SECRET": "whsec_" + "A" * 44})

    def cli(self, *args):
        return run_cli(list(args), env={"LOOM_ONCALL_SERVER": self.server.url,
                                        "LOOM_ONCALL_TOKEN": ADMIN_TOKEN})

    def trigger(self, dedup_key):
        self.assertEqual(self.server.enqueue(sev1(dedup_key)).status, 202)
        return self.server.incidents_by_dedup_key(dedup_key)[0]["id"]

    def pages(self, iid):
        return [n for n in self.server.get_json(f"/v1/incidents/{iid}/notifications")
                ["notifications"] if n["user"] == "alice"]

    def events(self, iid, prefix="maintenance."):
        return [e for e in self.server.incident(iid)["timeline"] if e["type"].startswith(prefix)]

    def test_no_page_during_the_window_and_a_page_once_it_is_ended(self):
        self.start()
        p = self.cli("maintenance", "start", "--service", "loom", "--for", "1h", "--reason",
                     "PostgreSQL upgrade")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"^Scheduled maintenance window (\d+) on loom \(active\)")
        window = int(p.stdout.split()[3])

        iid = self.trigger(harness.unique("held"))
        detail = self.server.incident(iid)
        incident = detail.get("incident", detail)
        self.assertEqual(incident["state"], "triggered")
        self.assertEqual(incident["maintenance"]["windows"], [window])
        self.assertEqual(incident["maintenance"]["reason"], "PostgreSQL upgrade")
        # The incident's first step was held in its own transaction: no notification exists.
        self.assertEqual(self.pages(iid), [])
        self.assertEqual([e["type"] for e in self.events(iid)], ["maintenance.held"])
        time.sleep(1.0)  # what a missed hold would have sent by now
        self.assertEqual(self.hooks.at("/alice"), [])
        self.assertEqual(self.smtp.to("alice@example.com"), [])

        p = self.cli("maintenance", "list")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, rf"\n{window}\s+active\s+loom\s")

        p = self.cli("maintenance", "end", str(window))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(f"Escalation starts now for {iid}", p.stdout)
        wait_until("the webhook page", lambda: self.hooks.at("/alice"))
        wait_until("the e-mailed page", lambda: self.smtp.to("alice@example.com"))
        ended = self.events(iid)[-1]
        self.assertEqual(ended["type"], "maintenance.ended")
        self.assertEqual(ended["actor"], "token:admin")
        self.assertTrue(ended["data"]["early"])
        incident = self.server.incident(iid)
        self.assertIsNone(incident.get("incident", incident)["maintenance"])
        listed = self.server.get_json("/v1/maintenance")
        self.assertEqual([w["id"] for w in listed["past"]], [window])
        self.assertEqual(listed["past"][0]["ended_by"], "token:admin")
        self.server.stop_ok(self)

    def test_api_answers_and_a_configured_window(self):
        self.start(CONFIGURED_WINDOW)
        listed = self.server.get_json("/v1/maintenance")
        self.assertEqual(len(listed["active"]), 1)
        configured = listed["active"][0]
        self.assertEqual(configured["source"], "config")
        self.assertEqual(configured["config_id"], "freeze")
        self.assertEqual(configured["created_by"], "config")
        # An auto-resolving service's incident in the configured window is held too.
        r = self.server.enqueue({"routing_key": AUTO_KEY, "event_action": "trigger",
                                 "dedup_key": "frozen", "payload": {
                                     "summary": "x", "source": "y", "severity": "critical"}})
        self.assertEqual(r.status, 202)
        frozen = self.server.incidents_by_dedup_key("frozen")[0]
        self.assertEqual(frozen["maintenance"]["reason"], "Change freeze")
        r = self.server.api("DELETE", f"/v1/maintenance/{configured['id']}")
        self.assertEqual(r.status, 409, r)

        r = self.server.api("POST", "/v1/maintenance", {"services": ["loom", "nope"],
                                                        "duration": "soon"})
        self.assertProblem(r, 400, "invalid-argument")
        pointers = sorted(e["pointer"] for e in r.json()["errors"])
        self.assertEqual(pointers, ["/duration", "/reason"])
        r = self.server.api("POST", "/v1/maintenance", {"services": ["nope"], "reason": "x",
                                                        "duration": "1h"})
        self.assertProblem(r, 400, "invalid-argument")
        self.assertEqual(r.json()["errors"][0]["pointer"], "/services/0")
        p = self.cli("maintenance", "start", "--service", "loom", "--reason", "x")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--for", p.stderr)

        r = self.server.api("POST", "/v1/tokens", {"name": "mw-viewer", "role": "viewer"})
        viewer = r.json()["token"]
        self.assertEqual(self.server.api("GET", "/v1/maintenance", token=viewer).status, 200)
        r = self.server.api("POST", "/v1/maintenance", {"services": ["loom"], "reason": "x",
                                                        "duration": "1h"}, token=viewer)
        self.assertEqual(r.status, 403, r)

        later = self.server.api("POST", "/v1/maintenance", {
            "services": ["loom"], "reason": "network change", "duration": "1h",
            "start": "2099-06-01T10:00:00Z"})
        self.assertEqual(later.status, 201, later)
        later = later.json()
        self.assertEqual(later["state"], "scheduled")
        self.assertEqual(later["end"], "2099-06-01T11:00:00.000Z")
        r = self.server.api("POST", f"/v1/maintenance/{later['id']}/end")
        self.assertEqual(r.status, 409, r)
        r = self.server.api("DELETE", f"/v1/maintenance/{later['id']}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["state"], "cancelled")
        self.assertEqual(r.json()["cancelled_by"], "token:admin")
        self.assertEqual(self.server.api("DELETE", "/v1/maintenance/9999").status, 404)

        weekly = self.server.api("POST", "/v1/maintenance", {
            "services": ["loom"], "reason": "patching",
            "weekly": {"days": ["sat", "sun"], "from": "02:00", "to": "04:00",
                       "time_zone": "Europe/Berlin"}})
        self.assertEqual(weekly.status, 201, weekly)
        self.assertEqual(weekly.json()["weekly"]["days"], "sat,sun")
        r = self.server.api("POST", "/v1/maintenance", {
            "services": ["loom"], "reason": "x",
            "weekly": {"days": "someday", "from": "02:00", "to": "04:00", "time_zone": "Mars"}})
        self.assertProblem(r, 400, "invalid-argument")
        self.assertEqual(sorted(e["pointer"] for e in r.json()["errors"]),
                         ["/weekly/days", "/weekly/time_zone"])
        self.server.stop_ok(self)

    def test_a_window_that_ends_while_the_server_is_down_pages_after_the_restart(self):
        self.start()
        r = self.server.api("POST", "/v1/maintenance", {"services": ["loom"], "reason": "reboot",
                                                        "duration": "3s"})
        self.assertEqual(r.status, 201, r)
        ends = r.json()["end"]
        iid = self.trigger(harness.unique("outage"))
        self.assertEqual(self.pages(iid), [])
        self.server.kill()  # SIGKILL
        time.sleep(4)       # the window ends meanwhile
        self.assertEqual(self.hooks.at("/alice"), [])
        self.server.start()
        wait_until("the page after the restart", lambda: self.hooks.at("/alice"))
        ended = self.events(iid)[-1]
        self.assertEqual(ended["type"], "maintenance.ended")
        self.assertEqual(ended["actor"], "system")
        self.assertGreaterEqual(ended["at"], ends)
        self.server.stop_ok(self)


class PostgresMaintenanceTest(test_postgres.PostgresTestCase, MaintenanceTest):
    """The same tests with the store on a private PostgreSQL server."""

    def make_server(self, config_text, env):
        env = dict(env, LOOM_ONCALL_PG_URL=self.pg.new_database())
        return self.new_server(
            config_text=config_text + "store:\n  kind: postgres\n  url_env: LOOM_ONCALL_PG_URL\n",
            env=env)


if __name__ == "__main__":
    unittest.main()
