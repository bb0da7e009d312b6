"""Alerts of a LOOM outage, tracked as Alertmanager sends them (issue 16, items 7 and 8), fed with
the real Alertmanager 0.25 deliveries of a LOOM database outage (tests/data/alertmanager) while a
fake LOOM node serves a real node's captured answers (tests/data/loom-node):

- a responder resolves with override_reason while an alert still fires; Alertmanager's later
  `resolved` for that alert is applied and recorded on the resolved incident's timeline, so the
  next incident's recovery gate is not blocked by it and `loom-oncall probe` sees a healthy node;
- a refused gate names the alerts that block it (alert name, labels, incident);
- with `services[].grouping`, LoomReadyProbeFailing and LoomPersistenceFailures of one outage
  (two Alertmanager groups under `group_by: [alertname]`) make one incident with one page;
  without it, two incidents as before."""

import copy
import secrets
import time
import unittest

import harness
from harness import ADMIN_TOKEN, LOOM_KEY, load_fixture, run_cli
from test_playbook_availability import NODE_TOKEN, FakeLoomNode

PATH = "/v1/integrations/alertmanager"
READY_FIRING = "am-webhook-LoomReadyProbeFailing-firing.json"
READY_RESOLVED = "am-webhook-LoomReadyProbeFailing-resolved.json"
PERSIST_FIRING = "am-webhook-LoomPersistenceFailures-firing.json"
PERSIST_RESOLVED = "am-webhook-LoomPersistenceFailures-resolved.json"

GROUPED_KEY = secrets.token_hex(16)


def config_for(node_port):
    return f"""\
services:
  - id: loom
    name: LOOM node
    integration_keys: [ {{ key: "{LOOM_KEY}" }} ]
    roles: {{ primary: prim }}
    probe: {{ base_url: "http://127.0.0.1:{node_port}", admin_token_env: LOOM_ADMIN_TOKEN,
             interval: 1s, timeout: 2s }}
  - id: grouped
    name: LOOM node (alerts grouped)
    integration_keys: [ {{ key: "{GROUPED_KEY}" }} ]
    roles: {{ primary: prim }}
    grouping: {{ window: 30m, match_labels: [service, env] }}
users:
  - {{ id: alice, name: Alice Primary }}
schedules:
  - {{ id: prim, layers: [ {{ participants: [alice], shift: 1w, start: 2026-01-05 }} ] }}
notify: {{ allow_hosts: [127.0.0.1] }}
"""


class AlertTrackingTest(harness.LoomTestCase):

    def setUp(self):
        self.node = FakeLoomNode()
        self.addCleanup(self.node.close)
        self.server = self.new_server(config_text=config_for(self.node.port),
                                      env={"LOOM_ADMIN_TOKEN": NODE_TOKEN})

    def deliver(self, fixture, key=LOOM_KEY):
        """POSTs a recorded delivery as Alertmanager sent it; answers the incident id (or None)."""
        delivery = load_fixture(fixture)
        headers = dict(delivery["headers"])
        headers["Authorization"] = f"Bearer {key}"
        r = self.server.request("POST", PATH, body=copy.deepcopy(delivery["body"]),
                                headers=headers)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["status"], "success", r)
        return r.json()["incident"]

    def acknowledge(self, iid):
        self.assertEqual(self.server.api("POST", f"/v1/incidents/{iid}/acknowledge").status, 200)

    def pages(self, iid):
        sent = self.server.get_json(f"/v1/incidents/{iid}/notifications")["notifications"]
        return [n for n in sent if n["kind"] == "page"]

    def wait_for_pages(self, iid, timeout=20.0):
        deadline = time.monotonic() + timeout
        while not self.pages(iid):
            if time.monotonic() > deadline:
                self.fail(f"no page for {iid}")
            time.sleep(0.05)
        return self.pages(iid)

    def test_resolve_after_an_override_applies_and_no_longer_blocks_the_gate(self):
        ready_iid = self.deliver(READY_FIRING)
        self.assertIsNotNone(ready_iid)
        self.acknowledge(ready_iid)

        # The gate refuses, naming the firing alert (name, labels, incident).
        problem = self.assertProblem(
            self.server.api("POST", f"/v1/incidents/{ready_iid}/resolve"), 409, "conflict")
        self.assertIn("LoomReadyProbeFailing", problem["detail"])
        self.assertIn('instance="http://127.0.0.1:18787/ready"', problem["detail"])
        self.assertIn(f"({ready_iid})", problem["detail"])
        alerts_error = [e for e in problem["errors"] if e["pointer"] == "/recovery/critical_alerts"]
        self.assertEqual(len(alerts_error), 1, problem)
        self.assertIn("LoomReadyProbeFailing", alerts_error[0]["detail"])

        # The responder overrides while the alert still fires.
        r = self.server.api("POST", f"/v1/incidents/{ready_iid}/resolve",
                            {"override_reason": "traffic failed over to loom-node-2"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["state"], "resolved")

        # The node recovers; Alertmanager's resolved applies to the resolved incident's alert.
        self.node.state = "recovered"
        self.assertEqual(self.deliver(READY_RESOLVED), ready_iid)
        incident = self.server.incident(ready_iid)
        self.assertEqual(incident["state"], "resolved")
        self.assertEqual([a["status"] for a in incident["alerts"]], ["resolved"])
        resolved = [e for e in incident["timeline"] if e["type"] == "alert.resolved"]
        self.assertEqual(len(resolved), 1, incident["timeline"])
        self.assertEqual(resolved[0]["data"]["fingerprint"], "832549e6473e21ca")
        self.assertEqual(incident["timeline"][-1]["type"], "alerts.resolved")

        # The next outage's incident resolves through the gate once its own alert resolved.
        persist_iid = self.deliver(PERSIST_FIRING)
        self.assertNotEqual(persist_iid, ready_iid)
        self.acknowledge(persist_iid)
        self.assertEqual(self.deliver(PERSIST_RESOLVED), persist_iid)
        r = self.server.api("POST", f"/v1/incidents/{persist_iid}/resolve")
        self.assertEqual(r.status, 200, r)
        gate = self.server.incident(persist_iid)["playbook"]["gate"]
        self.assertEqual(gate["type"], "recovery.verified", gate)

        probe = run_cli(["probe", "loom", "--server", self.server.url],
                        env={"LOOM_ONCALL_TOKEN": ADMIN_TOKEN})
        self.assertEqual(probe.returncode, 0, probe)
        self.assertIn("recovery: verified", probe.stdout)

    def test_probe_round_lists_the_blocking_alerts(self):
        self.node.state = "healthy"
        iid = self.deliver(PERSIST_FIRING)
        r = self.server.api("POST", "/v1/services/loom/probe")
        self.assertEqual(r.status, 200, r)
        recovery = r.json()["recovery"]
        self.assertFalse(recovery["passed"], recovery)
        self.assertEqual(recovery["failed_checks"], ["critical_alerts"])
        self.assertEqual(len(recovery["blocking_alerts"]), 1, recovery)
        blocking = recovery["blocking_alerts"][0]
        self.assertEqual(blocking["incident"], iid)
        self.assertEqual(blocking["alertname"], "LoomPersistenceFailures")
        self.assertEqual(blocking["labels"]["instance"], "127.0.0.1:18787")
        self.assertEqual(blocking["status"], "firing")

        probe = run_cli(["probe", "loom", "--server", self.server.url],
                        env={"LOOM_ONCALL_TOKEN": ADMIN_TOKEN})
        self.assertEqual(probe.returncode, 1, probe)
        self.assertIn(f"LoomPersistenceFailures {{env=\"loom-e2e\", instance=\"127.0.0.1:18787\"",
                      probe.stdout)

    def test_with_grouping_one_outage_is_one_incident_with_one_page(self):
        ready_iid = self.deliver(READY_FIRING, key=GROUPED_KEY)
        persist_iid = self.deliver(PERSIST_FIRING, key=GROUPED_KEY)
        self.assertEqual(persist_iid, ready_iid)
        incidents = self.server.all_incidents("service=grouped")
        self.assertEqual([i["id"] for i in incidents], [ready_iid])
        self.assertEqual(len(self.wait_for_pages(ready_iid)), 1)

        incident = self.server.incident(ready_iid)
        self.assertEqual(incident["severity"], "sev1")
        self.assertEqual(sorted(a["summary"] for a in incident["alerts"]),
                         ["LOOM persistence errors detected", "LOOM readiness probe failing"])
        joined = [e for e in incident["timeline"]
                  if e["type"] == "alert.triggered" and e["data"].get("grouped")]
        self.assertEqual(len(joined), 1, incident["timeline"])
        self.assertEqual(joined[0]["data"]["dedup_key"],
                         '{}:{alertname="LoomPersistenceFailures"}')

        # Alertmanager repeats the second group: it stays in the shared incident.
        self.assertEqual(self.deliver(PERSIST_FIRING, key=GROUPED_KEY), ready_iid)
        self.assertEqual(len(self.server.incident(ready_iid)["alerts"]), 2)

        # Each group's resolve lands on the shared incident; the last one ends its alerts.
        self.assertEqual(self.deliver(PERSIST_RESOLVED, key=GROUPED_KEY), ready_iid)
        self.assertIsNone(self.server.incident(ready_iid)["alerts_resolved_at"])
        self.assertEqual(self.deliver(READY_RESOLVED, key=GROUPED_KEY), ready_iid)
        incident = self.server.incident(ready_iid)
        self.assertEqual([a["status"] for a in incident["alerts"]], ["resolved", "resolved"])
        self.assertIsNotNone(incident["alerts_resolved_at"])
        self.assertEqual(len(self.pages(ready_iid)), 1)

    def test_without_grouping_each_alertmanager_group_opens_its_incident(self):
        ready_iid = self.deliver(READY_FIRING)
        persist_iid = self.deliver(PERSIST_FIRING)
        self.assertNotEqual(persist_iid, ready_iid)
        self.assertEqual(len(self.server.all_incidents("service=loom")), 2)
        self.assertEqual(len(self.wait_for_pages(ready_iid)), 1)
        self.assertEqual(len(self.wait_for_pages(persist_iid)), 1)


if __name__ == "__main__":
    unittest.main()
