"""Status updates (issue 5 "Communications", acceptance 3): a status update missing one of its four
fields, or promising a next update later than the severity's cadence, is refused with 422 naming
the field; a complete one lands in the incident timeline and is posted to the service's incident
channel. The real binary, a real SQLite file and a real HTTP sink for the channel."""

import datetime
import http.server
import json
import threading
import time
import unittest

import harness
from harness import DEFAULT_CONFIG

FIELDS = ("impact", "scope", "mitigation", "next_update_at")


class ChannelSink:
    """Records every POST body (200 to each)."""

    def __init__(self):
        self.bodies = []
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                sink.bodies.append(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def channel_config(port):
    return DEFAULT_CONFIG.replace(
        "  - id: limited\n",
        f"    incident_channels: [ {{ id: status, type: webhook, url: \"http://127.0.0.1:{port}/status\" }} ]\n"
        "  - id: limited\n",
        1) + "notify:\n  allow_hosts: [127.0.0.1]\n  bundle_window: 0s\n"


def in_minutes(minutes):
    at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


class StatusUpdateTest(harness.LoomTestCase):

    def setUp(self):
        self.sink = ChannelSink()
        self.addCleanup(self.sink.close)
        self.server = self.new_server(config_text=channel_config(self.sink.port))
        event = harness.pd_trigger(dedup_key=harness.unique("upd"), severity="critical")
        self.assertEqual(self.server.enqueue(event).status, 202)
        self.iid = self.server.incidents_by_dedup_key(event["dedup_key"])[0]["id"]
        self.assertEqual(self.server.api("POST", f"/v1/incidents/{self.iid}/acknowledge").status,
                         200)

    def complete(self, **changes):
        body = {"impact": "EU users cannot send messages", "scope": "messaging",
                "mitigation": "failing over to the replica", "next_update_at": in_minutes(10)}
        body.update(changes)
        return {k: v for k, v in body.items() if v is not None}

    def post(self, body):
        return self.server.api("POST", f"/v1/incidents/{self.iid}/updates", body)

    def test_each_missing_field_is_refused_with_422_naming_it(self):
        for field in FIELDS:
            with self.subTest(missing=field):
                problem = self.assertProblem(self.post(self.complete(**{field: None})), 422,
                                             "unprocessable")
                self.assertEqual([e["pointer"] for e in problem["errors"]], [f"/{field}"],
                                 problem)
        problem = self.assertProblem(self.post({}), 422, "unprocessable")
        self.assertEqual([e["pointer"] for e in problem["errors"]], [f"/{f}" for f in FIELDS])
        types = [e["type"] for e in self.server.incident(self.iid)["timeline"]]
        self.assertNotIn("incident.status_update", types)

    def test_a_next_update_beyond_the_sev1_cadence_is_refused(self):
        # Sev1: every 15 minutes (the runbook's severity matrix).
        problem = self.assertProblem(self.post(self.complete(next_update_at=in_minutes(60))), 422,
                                     "unprocessable")
        self.assertEqual([e["pointer"] for e in problem["errors"]], ["/next_update_at"], problem)
        self.assertIn("no later than", problem["errors"][0]["detail"])

    def test_a_complete_update_is_in_the_timeline_and_posted_to_the_incident_channel(self):
        r = self.post(self.complete(impact="EU users cannot send messages (update 1)"))
        self.assertEqual(r.status, 200, r)
        update = [e for e in self.server.incident(self.iid)["timeline"]
                  if e["type"] == "incident.status_update"]
        self.assertEqual(len(update), 1)
        self.assertEqual(update[0]["data"]["scope"], "messaging")
        # Posted to the channel as a message of its own: with bundle_window 0s nothing is bundled,
        # however close together the acknowledgement's posts and the update's fall due.
        deadline = time.monotonic() + 20
        posted_type = b'"type":"incident.status_update"'
        while not any(posted_type in b for b in self.sink.bodies):
            self.assertLess(time.monotonic(), deadline,
                            f"the update never reached the incident channel: {self.sink.bodies}")
            time.sleep(0.05)
        posted = [json.loads(b) for b in self.sink.bodies if posted_type in b]
        self.assertEqual(posted[0]["recipient"]["id"], "channel:loom/status")
        self.assertEqual(posted[0]["incidents"][0]["id"], self.iid)
        every = [json.loads(b) for b in self.sink.bodies]
        self.assertEqual([m for m in every if m["type"] == "bundle" or m["bundled"] != 1], [])

    def test_the_cli_refuses_an_incomplete_update_naming_the_flags(self):
        r = harness.run_cli(["incident", "update", self.iid, "--impact", "EU users",
                             "--server", self.server.url, "--token", self.server.admin_token])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--scope, --mitigation, --next-update", r.stderr)


if __name__ == "__main__":
    unittest.main()
