"""Alertmanager webhook v4: POST /v1/integrations/alertmanager (issue 2, acceptance 3), fed with the
real Alertmanager 0.25 deliveries in tests/data/alertmanager."""

import copy
import secrets
import unittest
import urllib.parse

import harness
from harness import LOOM_KEY, load_fixture, unique

PATH = "/v1/integrations/alertmanager"
READY_FIRING = "am-webhook-LoomReadyProbeFailing-firing.json"
READY_RESOLVED = "am-webhook-LoomReadyProbeFailing-resolved.json"
PERSIST_FIRING = "am-webhook-LoomPersistenceFailures-firing.json"
PERSIST_RESOLVED = "am-webhook-LoomPersistenceFailures-resolved.json"


def fixture_body(name):
    return load_fixture(name)["body"]


def two_alert_payload(group_key, ready_status="firing", persist_status="firing"):
    """One notification of a group holding both recorded alerts (two fingerprints), as Alertmanager
    sends it: every alert of the group, each with its own status."""
    ready = fixture_body(READY_RESOLVED if ready_status == "resolved" else READY_FIRING)
    persist = fixture_body(PERSIST_RESOLVED if persist_status == "resolved" else PERSIST_FIRING)
    body = copy.deepcopy(ready)
    body["alerts"] = [ready["alerts"][0], persist["alerts"][0]]
    body["groupKey"] = group_key
    body["groupLabels"] = {"service": "loom"}
    body["commonLabels"] = {"env": "loom-e2e", "service": "loom", "severity": "critical"}
    body["commonAnnotations"] = {}
    body["status"] = "resolved" if ready_status == persist_status == "resolved" else "firing"
    return body


class AlertmanagerTest(harness.ServerTestCase):

    def post(self, body, key=LOOM_KEY, via="bearer", headers=None):
        hdrs = {"User-Agent": "Alertmanager/0.25.0"}
        hdrs.update(headers or {})
        path = PATH
        if via == "bearer":
            hdrs["Authorization"] = f"Bearer {key}"
        elif via == "query":
            path += "?" + urllib.parse.urlencode({"key": key})
        return self.server.request("POST", path, body=body, headers=hdrs)

    def assertOk(self, resp):
        self.assertEqual(resp.status, 200, resp)
        body = resp.json()
        self.assertEqual(body.get("status"), "success", body)
        self.assertRegex(body.get("incident", ""), r"^INC-\d+$", body)
        return body["incident"]

    def test_recorded_firing_then_resolved_delivery(self):
        delivery = load_fixture(READY_FIRING)
        incident_id = self.assertOk(self.post(delivery["body"], headers=delivery["headers"]))
        incident = self.server.incident(incident_id)
        self.assertEqual(incident["state"], "triggered")
        self.assertEqual(incident["service"], "loom")
        self.assertEqual(incident["severity"], "sev1")   # label severity=critical
        self.assertEqual(incident["alert_count"], 1)
        self.assertEqual(incident["firing_alert_count"], 1)
        self.assertEqual(incident["dedup_key"], delivery["body"]["groupKey"])
        [alert] = incident["alerts"]
        self.assertEqual(alert["fingerprint"], "832549e6473e21ca")
        self.assertEqual(alert["status"], "firing")

        resolved = load_fixture(READY_RESOLVED)
        again = self.assertOk(self.post(resolved["body"], headers=resolved["headers"]))
        self.assertEqual(again, incident_id)
        incident = self.server.incident(incident_id)
        self.assertEqual(incident["firing_alert_count"], 0)
        self.assertIsNotNone(incident["alerts_resolved_at"])
        self.assertEqual([a["status"] for a in incident["alerts"]], ["resolved"])
        # No auto_resolve on `loom`: resolving the incident stays the responder's decision.
        self.assertEqual(incident["state"], "triggered")

    def test_two_firing_alerts_make_one_incident_with_two_members_acceptance_3(self):
        group = '{}:{service="loom"}/' + secrets.token_hex(4)
        incident_id = self.assertOk(self.post(two_alert_payload(group)))
        self.assertEqual(len(self.server.incidents_by_dedup_key(group)), 1)
        incident = self.server.incident(incident_id)
        self.assertEqual(incident["alert_count"], 2)
        self.assertEqual(incident["firing_alert_count"], 2)
        members = {a["fingerprint"]: a["status"] for a in self.server.alerts(incident_id)}
        self.assertEqual(members, {"832549e6473e21ca": "firing", "b37cc5695b00ef85": "firing"})

        # The next notification of the group: the ready probe recovered, persistence still fails.
        later = self.assertOk(self.post(two_alert_payload(group, ready_status="resolved")))
        self.assertEqual(later, incident_id)
        incident = self.server.incident(incident_id)
        self.assertEqual(incident["alert_count"], 2)
        self.assertEqual(incident["firing_alert_count"], 1)
        self.assertIsNone(incident["alerts_resolved_at"])
        members = {a["fingerprint"]: a["status"] for a in self.server.alerts(incident_id)}
        self.assertEqual(members, {"832549e6473e21ca": "resolved", "b37cc5695b00ef85": "firing"})

        # And both resolved.
        self.assertOk(self.post(two_alert_payload(group, "resolved", "resolved")))
        incident = self.server.incident(incident_id)
        self.assertEqual(incident["firing_alert_count"], 0)
        self.assertIsNotNone(incident["alerts_resolved_at"])

    def test_repeated_notification_does_not_add_members(self):
        group = '{}:{alertname="LoomPersistenceFailures"}/' + secrets.token_hex(4)
        body = fixture_body(PERSIST_FIRING)
        body["groupKey"] = group
        first = self.assertOk(self.post(body))
        self.assertEqual(self.assertOk(self.post(body)), first)
        incident = self.server.incident(first)
        self.assertEqual(incident["alert_count"], 1)
        self.assertEqual(incident["firing_alert_count"], 1)

    def test_key_as_bearer_and_as_query_parameter(self):
        for via in ("bearer", "query"):
            with self.subTest(via=via):
                body = fixture_body(READY_FIRING)
                body["groupKey"] = unique("via-" + via)
                incident_id = self.assertOk(self.post(body, via=via))
                self.assertEqual(self.server.incident(incident_id)["dedup_key"], body["groupKey"])

    def test_missing_or_unknown_key_is_401_and_writes_nothing(self):
        before = len(self.server.all_incidents())
        for via, key in (("none", None), ("bearer", secrets.token_hex(16)),
                         ("query", secrets.token_hex(16)), ("bearer", "")):
            with self.subTest(via=via, key=key):
                body = fixture_body(READY_FIRING)
                body["groupKey"] = unique("no-key")
                r = self.post(body, key=key, via=via)
                self.assertEqual(r.status, 401, r)
        self.assertEqual(len(self.server.all_incidents()), before)

    def test_unknown_fields_are_ignored(self):
        body = fixture_body(PERSIST_FIRING)
        body["groupKey"] = unique("newer-alertmanager")
        body["notification_reason"] = "new_alerts"
        body["routeLabels"] = {"team": "loom"}
        body["some_future_field"] = {"nested": [1, 2, {"x": None}]}
        body["alerts"][0]["silencedBy"] = []
        body["alerts"][0]["future"] = True
        incident_id = self.assertOk(self.post(body))
        self.assertEqual(self.server.incident(incident_id)["alert_count"], 1)

    def test_nanosecond_timestamps_are_accepted(self):
        body = fixture_body(READY_FIRING)
        body["groupKey"] = unique("nanos")
        body["alerts"][0]["startsAt"] = "2026-11-27T10:23:53.626123456Z"
        self.assertOk(self.post(body))

    def test_labels_choose_severity_and_kind(self):
        body = fixture_body(READY_FIRING)
        body["groupKey"] = unique("labels")
        body["alerts"][0]["labels"].update({"severity": "warning", "kind": "security"})
        incident = self.server.incident(self.assertOk(self.post(body)))
        self.assertEqual(incident["severity"], "sev3")
        self.assertEqual(incident["kind"], "security")

        body = fixture_body(READY_FIRING)
        body["groupKey"] = unique("override")
        body["alerts"][0]["labels"].update({"severity": "info", "loom_severity": "sev2"})
        incident = self.server.incident(self.assertOk(self.post(body)))
        self.assertEqual(incident["severity"], "sev2")

    def test_body_that_is_not_a_v4_payload_is_400(self):
        before = len(self.server.all_incidents())
        for raw in ('{"alerts": ', '{"hello": "world"}', "[]"):
            with self.subTest(raw=raw):
                r = self.server.request("POST", PATH, raw=raw,
                                        headers={"Authorization": f"Bearer {LOOM_KEY}"})
                self.assertEqual(r.status, 400, r)
        self.assertEqual(len(self.server.all_incidents()), before)
        self.assertEqual(self.server.request("GET", "/health").status, 200)


if __name__ == "__main__":
    unittest.main()
