"""Availability playbook end to end (issue 5, acceptance 1): the real binary probes a fake LOOM node
that serves the captured responses of a real node (tests/data/loom-node: healthy, PostgreSQL down,
recovered). While the node's database is down the incident shows "persistence write failures" as
the dominant signal with its evidence and the runbook's mitigation, and a responder's resolve is
refused with 409; after the recovery the same resolve is allowed. An override with a written
reason is recorded, and `loom-oncall probe <service>` exits non-zero while the node is unhealthy."""

import http.server
import os
import secrets
import time
import unittest

import harness
from harness import ADMIN_TOKEN, LOOM_KEY, TEST_DATA, pd_action, pd_trigger, run_cli, unique

NODE_TOKEN = "loom-node-admin-" + secrets.token_hex(8)
FIXTURES = os.path.join(TEST_DATA, "loom-node")

# state -> path -> (status, fixture file)
ANSWERS = {
    "healthy": {"/ready": (200, "ready.json"),
                "/v1/admin/status": (200, "admin-status.json"),
                "/metrics": (200, "metrics.txt")},
    "pg-down": {"/ready": (503, "pg-down/ready-unhealthy.json"),
                "/v1/admin/status": (200, "pg-down/admin-status-pg-down.json"),
                "/metrics": (200, "pg-down/metrics-pg-down.txt")},
    "recovered": {"/ready": (200, "pg-down/ready-recovered.json"),
                  "/v1/admin/status": (200, "admin-status.json"),
                  "/metrics": (200, "pg-down/metrics-recovered-after-write.txt")},
}


class FakeLoomNode:
    """A LOOM node on 127.0.0.1 port 0 answering from the fixtures; switchable between states.
    Like the real node, /v1/admin/status and /metrics need the admin token."""

    def __init__(self):
        self.state = "pg-down"
        self.requests = []
        node = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                node.requests.append((self.path, self.headers.get("x-loom-admin-token")))
                answer = ANSWERS[node.state].get(self.path)
                if answer is None:
                    return self.send_error(404)
                status, name = answer
                if self.path != "/ready" and self.headers.get("x-loom-admin-token") != NODE_TOKEN:
                    status, name = 403, "admin-status-no-token.json"
                with open(os.path.join(FIXTURES, name), "rb") as f:
                    body = f.read()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; version=0.0.4" if name.endswith(
                    ".txt") else "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.http = harness.LocalHttpServer(Handler)
        self.port = self.http.port

    def close(self):
        self.http.close()


def config_for(node_port):
    return harness.DEFAULT_CONFIG.replace(
        "  - id: limited\n",
        f"    probe: {{ base_url: \"http://127.0.0.1:{node_port}\", admin_token_env: LOOM_ADMIN_TOKEN,"
        " interval: 1s, timeout: 2s }\n"
        "  - id: limited\n", 1) + "notify: { allow_hosts: [127.0.0.1] }\n"


class AvailabilityPlaybookTest(harness.LoomTestCase):

    def setUp(self):
        self.node = FakeLoomNode()
        self.addCleanup(self.node.close)
        self.server = self.new_server(config_text=config_for(self.node.port),
                                      env={"LOOM_ADMIN_TOKEN": NODE_TOKEN})

    def open_incident(self, severity="critical"):
        dedup = unique("pg-down")
        self.assertAccepted(self.server.enqueue(pd_trigger(dedup_key=dedup, severity=severity)))
        incident = self.server.incidents_by_dedup_key(dedup)[0]
        self.assertEqual(incident["kind"], "availability")
        return incident["id"], dedup

    def wait_for_playbook(self, iid, predicate, what, timeout=20.0):
        deadline = time.monotonic() + timeout
        while True:
            incident = self.server.incident(iid)
            playbook = incident.get("playbook")
            if playbook and predicate(playbook):
                return incident
            if time.monotonic() > deadline:
                self.fail(f"timed out waiting for {what}; playbook: {playbook}")
            time.sleep(0.1)

    def events(self, iid, prefix):
        return [e for e in self.server.incident(iid)["timeline"] if e["type"].startswith(prefix)]

    def test_persistence_failures_dominate_and_resolve_waits_for_recovery(self):
        # Healthy first: the scheduled probes (every 1 s while the incident is open) find no signal.
        self.node.state = "healthy"
        iid, dedup = self.open_incident()
        self.assertEqual(self.server.api("POST", f"/v1/incidents/{iid}/acknowledge").status, 200)
        healthy = self.wait_for_playbook(iid, lambda p: p["rounds"] >= 1, "a healthy round")
        self.assertEqual(healthy["playbook"]["latest"]["ready"]["status"], 200)
        self.assertIsNone(healthy["playbook"]["dominant_signal"], healthy["playbook"])

        # Then the node's PostgreSQL goes down.
        self.node.state = "pg-down"
        incident = self.wait_for_playbook(
            iid, lambda p: p["dominant_signal"] == "persistence_write_failures"
            and p["rounds"] >= 3, "rounds with PostgreSQL down")
        playbook = incident["playbook"]
        self.assertTrue(playbook["probe"])
        self.assertEqual(playbook["dominant_signal"], "persistence_write_failures")
        self.assertEqual(playbook["dominant_signal_title"], "persistence write failures")
        self.assertTrue(any("checks.postgres" in e for e in playbook["evidence"]), playbook)
        self.assertTrue(any("ECONNREFUSED" in e for e in playbook["evidence"]), playbook)
        self.assertIn("fail over or repair the database path", playbook["mitigations"])
        self.assertEqual(playbook["latest"]["ready"]["status"], 503)
        self.assertEqual(playbook["latest"]["admin_status"]["status"], 200)  # token accepted
        self.assertFalse(playbook["recovery"]["passed"])
        round_event = self.events(iid, "probe.result")[-1]
        self.assertEqual(round_event["actor"], "system")
        self.assertNotIn(NODE_TOKEN, str(incident))
        self.assertTrue(all(token == NODE_TOKEN for path, token in self.node.requests
                            if path != "/ready"))

        # Resolve is refused while PostgreSQL is down, naming what failed.
        problem = self.assertProblem(self.server.api("POST", f"/v1/incidents/{iid}/resolve"), 409,
                                     "conflict")
        self.assertIn("readiness", problem["detail"])
        pointers = [e["pointer"] for e in problem.get("errors", [])]
        self.assertIn("/recovery/readiness", pointers)
        self.assertEqual(self.server.incident(iid)["state"], "acknowledged")

        # The database is back; the monitoring source resolves its alert (the service does not
        # auto-resolve, so the incident stays for the responder).
        self.node.state = "recovered"
        self.assertAccepted(self.server.enqueue(pd_action("resolve", dedup)))
        self.assertEqual(self.server.incident(iid)["state"], "acknowledged")

        # Resolve now passes the live verification.
        r = self.server.api("POST", f"/v1/incidents/{iid}/resolve")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["state"], "resolved")
        incident = self.server.incident(iid)
        self.assertTrue(incident["playbook"]["recovery"]["passed"], incident["playbook"])
        self.assertIsNone(incident["playbook"]["dominant_signal"])
        self.assertEqual(incident["playbook"]["gate"]["type"], "recovery.verified")
        types = [e["type"] for e in incident["timeline"]]
        self.assertLess(types.index("recovery.verified"), types.index("incident.resolved"))

    def test_override_with_a_written_reason_is_recorded(self):
        iid, _ = self.open_incident(severity="error")
        self.assertEqual(self.server.api("POST", f"/v1/incidents/{iid}/acknowledge").status, 200)
        self.assertProblem(self.server.api("POST", f"/v1/incidents/{iid}/resolve",
                                           {"override_reason": ""}), 409, "conflict")
        self.assertProblem(self.server.api("POST", f"/v1/incidents/{iid}/resolve",
                                           {"override_reason": 7}), 400, "invalid-argument")
        reason = "traffic failed over to loom-node-2; node 1 is being rebuilt"
        r = self.server.api("POST", f"/v1/incidents/{iid}/resolve", {"override_reason": reason})
        self.assertEqual(r.status, 200, r)
        override = self.events(iid, "recovery.override")
        self.assertEqual(len(override), 1)
        self.assertEqual(override[0]["data"]["reason"], reason)
        self.assertEqual(override[0]["data"]["failed_checks"], ["readiness"])
        self.assertNotEqual(override[0]["actor"], "system")  # the responder who overrode
        self.assertEqual(self.server.incident(iid)["state"], "resolved")

    def test_identical_rounds_are_folded_into_a_count(self):
        # Issue 16: one timeline entry per round (every second here) buried the incident.
        self.node.state = "healthy"
        iid, _ = self.open_incident(severity="error")  # no critical alert: the gate can pass
        self.assertEqual(self.server.api("POST", f"/v1/incidents/{iid}/acknowledge").status, 200)
        # The first round, the second (the first with an error rate), then identical ones.
        deadline = time.monotonic() + 20
        while len([p for p, _ in self.node.requests if p == "/ready"]) < 6:
            self.assertLess(time.monotonic(), deadline, "the rounds never came")
            time.sleep(0.1)
        results = self.events(iid, "probe.result")
        self.assertLessEqual(len(results), 3, results)  # not one per round

        # The responder resolves: the count goes on the timeline before the verdict.
        r = self.server.api("POST", f"/v1/incidents/{iid}/resolve")
        self.assertEqual(r.status, 200, r)
        incident = self.server.incident(iid)
        probe = [e for e in incident["timeline"] if e["type"].startswith("probe.")]
        unchanged = [e for e in probe if e["type"] == "probe.unchanged"]
        self.assertTrue(unchanged, probe)
        last = unchanged[-1]
        self.assertEqual(last["actor"], "system")
        result_seqs = [e["seq"] for e in probe if e["type"] == "probe.result"]
        self.assertIn(last["data"]["result_seq"], result_seqs)
        self.assertGreaterEqual(last["data"]["count"], 1)
        types = [e["type"] for e in incident["timeline"]]
        self.assertLess(types.index("probe.unchanged"), types.index("recovery.verified"))
        playbook = incident["playbook"]
        self.assertEqual(playbook["rounds"], len(result_seqs) + sum(e["data"]["count"]
                                                                   for e in unchanged))
        self.assertEqual(playbook["latest"]["seq"], result_seqs[-1])
        self.assertEqual(playbook["latest"]["unchanged"]["rounds"], last["data"]["total"])
        self.assertEqual(playbook["latest"]["unchanged"]["through"], last["data"]["through"])

    def test_a_crashed_node_is_unreachable_not_healthy(self):
        # Issue 16: with every endpoint refusing, the playbook said "no persistence failures
        # reported" and "outbox lag 0 ms" and named no signal.
        self.node.close()  # the node's process is gone: connections are refused
        iid, _ = self.open_incident(severity="error")
        incident = self.wait_for_playbook(iid, lambda p: p["rounds"] >= 1, "a round")
        playbook = incident["playbook"]
        self.assertEqual(playbook["dominant_signal"], "node_unreachable", playbook)
        self.assertEqual(playbook["dominant_signal_title"], "node unreachable")
        self.assertEqual([e.split(":")[0] for e in playbook["evidence"]],
                         ["/ready", "/v1/admin/status", "/metrics"], playbook)
        self.assertTrue(playbook["mitigations"], playbook)
        self.assertIsNone(playbook["latest"]["ready"])
        self.assertFalse(playbook["latest"]["healthy"])
        for signal in playbook["signals"]:
            if signal["signal"] != "node_unreachable":
                self.assertFalse(signal["active"], signal)
                self.assertTrue(all(e.startswith("not measured") for e in signal["evidence"]),
                                signal)

        self.assertEqual(self.server.api("POST", f"/v1/incidents/{iid}/acknowledge").status, 200)
        problem = self.assertProblem(self.server.api("POST", f"/v1/incidents/{iid}/resolve"), 409,
                                     "conflict")
        self.assertIn("unreachable", problem["detail"])
        self.assertIn("/recovery/readiness", [e["pointer"] for e in problem.get("errors", [])])

        down = run_cli(["probe", "loom", "--server", self.server.url],
                       env={"LOOM_ONCALL_TOKEN": ADMIN_TOKEN})
        self.assertEqual(down.returncode, 1, down)
        self.assertIn("dominant signal: node unreachable", down.stdout)
        self.assertNotIn("no persistence failures", down.stdout)
        self.assertIn("unreachable", down.stderr)

    def test_on_demand_probe_and_cli(self):
        iid, _ = self.open_incident(severity="error")
        r = self.server.api("POST", f"/v1/incidents/{iid}/probe")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["round"]["trigger"], "on_demand")
        self.assertEqual(r.json()["round"]["dominant_signal"], "persistence_write_failures")

        env = {"LOOM_ONCALL_TOKEN": ADMIN_TOKEN}
        down = run_cli(["probe", "loom", "--server", self.server.url], env=env)
        self.assertEqual(down.returncode, 1, down)
        self.assertIn("dominant signal: persistence write failures", down.stdout)
        self.assertIn("recovery: NOT verified", down.stdout)
        self.assertIn(iid, down.stdout)  # recorded on the open incident
        self.assertIn("unhealthy", down.stderr)

        self.node.state = "healthy"
        up = run_cli(["probe", "loom", "--server", self.server.url], env=env)
        self.assertEqual(up.returncode, 0, up)
        self.assertIn("recovery: verified", up.stdout)

        # A service without a probe says so, and where to give it one.
        self.assertProblem(self.server.api("POST", "/v1/services/limited/probe"), 409, "conflict")
        none = run_cli(["probe", "limited", "--server", self.server.url], env=env)
        self.assertEqual(none.returncode, 5, none)
        self.assertEqual(none.stderr,
                         "error: service limited has no probe configured: give it a probe "
                         "(base_url, admin_token_env) under services[].probe in the configuration "
                         "file (docs/configuration.md) (HTTP 409)\n")


if __name__ == "__main__":
    unittest.main()
