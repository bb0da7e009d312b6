"""Escalation end to end (issue "On-call schedules and the escalation engine", acceptance 2): the
real binary with a policy whose Sev1 ack target is a few seconds pages the primary, then the
secondary, then the escalation manager — each exactly once — even when it is killed with SIGKILL
between the first and the second page and restarted after the second page fell due."""

import json
import time
import unittest

import harness
from harness import DEFAULT_CONFIG, LOOM_KEY
from test_delivery import HookSink, SmtpSink

ACK_TARGET_S = 3

ESCALATION_CONFIG = DEFAULT_CONFIG.replace(
    "  - id: limited\n",
    "    roles: { primary: prim, secondary: second, escalation_manager: mgr }\n"
    "  - id: limited\n",
    1) + f"""\
policy:
  severities:
    sev1: {{ ack_target: {ACK_TARGET_S}s }}
  repeat: 0
users:
  - {{ id: alice, name: Alice Primary }}
  - {{ id: bob, name: Bob Secondary }}
  - {{ id: erin, name: Erin Manager }}
schedules:
  - {{ id: prim, layers: [ {{ participants: [alice], shift: 1w, start: 2026-01-05 }} ] }}
  - {{ id: second, layers: [ {{ participants: [bob], shift: 1w, start: 2026-01-05 }} ] }}
  - {{ id: mgr, layers: [ {{ participants: [erin], shift: 1w, start: 2026-01-05 }} ] }}
"""


def sev1_event(dedup_key):
    return {"routing_key": LOOM_KEY, "event_action": "trigger", "dedup_key": dedup_key,
            "payload": {"summary": "LOOM node down", "source": "loom-1", "severity": "critical"}}


class EscalationTest(harness.LoomTestCase):

    def notifications(self, server, incident_id):
        return server.get_json(f"/v1/incidents/{incident_id}/notifications")["notifications"]

    def wait_for(self, server, incident_id, predicate, what, timeout=20.0):
        deadline = time.monotonic() + timeout
        while True:
            sent = self.notifications(server, incident_id)
            if predicate(sent):
                return sent
            if time.monotonic() > deadline:
                self.fail(f"timed out waiting for {what}; notifications: {sent}")
            time.sleep(0.05)

    @staticmethod
    def pages(sent):
        return [(n["role"], n["user"]) for n in sent if n["kind"] == "page"]

    def test_sev1_pages_each_step_exactly_once_across_kill_9(self):
        server = self.new_server(config_text=ESCALATION_CONFIG)
        self.assertEqual(server.enqueue(sev1_event("node-down")).status, 202)
        incident = server.incidents_by_dedup_key("node-down")[0]
        self.assertEqual(incident["severity"], "sev1")
        iid = incident["id"]

        sent = self.wait_for(server, iid, lambda s: self.pages(s), "the primary's page")
        first_page_at = time.monotonic()
        self.assertEqual(self.pages(sent), [("primary", "alice")])
        notify = [(n["role"], n["user"]) for n in sent if n["kind"] == "notify"]
        self.assertEqual(notify, [("escalation_manager", "erin")])

        # Crash before the secondary's page is due; come back after it fell due.
        server.kill()
        self.assertLess(time.monotonic() - first_page_at, ACK_TARGET_S,
                        "the kill must land between the first and the second page")
        time.sleep(max(0.0, ACK_TARGET_S + 0.5 - (time.monotonic() - first_page_at)))
        server.start()

        sent = self.wait_for(server, iid, lambda s: len(self.pages(s)) >= 2,
                             "the secondary's page after the restart")
        self.assertEqual(self.pages(sent)[1], ("secondary", "bob"))
        sent = self.wait_for(server, iid, lambda s: len(self.pages(s)) >= 3,
                             "the escalation manager's page")
        self.assertEqual(self.pages(sent)[2], ("escalation_manager", "erin"))

        # repeat: 0 — the plan is exhausted after the manager's page; wait for the record of it.
        deadline = time.monotonic() + 20
        while not any(e["type"] == "escalation.exhausted"
                      for e in server.incident(iid)["timeline"]):
            self.assertLess(time.monotonic(), deadline, "escalation.exhausted never recorded")
            time.sleep(0.05)
        sent = self.notifications(server, iid)
        self.assertEqual(self.pages(sent), [("primary", "alice"), ("secondary", "bob"),
                                            ("escalation_manager", "erin")])
        self.assertEqual(len({n["key"] for n in sent}), len(sent))
        # The restarted engine fired the secondary's and the manager's deadlines.
        metrics = server.request("GET", "/metrics").text
        fired = [line for line in metrics.splitlines()
                 if line.startswith("loom_oncall_deadlines_fired_total ")]
        self.assertEqual(len(fired), 1, metrics)
        self.assertGreaterEqual(int(fired[0].split()[1]), 2)
        self.assertIn("loom_oncall_deadline_lateness_seconds_bucket", metrics)
        server.stop_ok(self)

    def test_acknowledging_stops_the_escalation(self):
        server = self.new_server(config_text=ESCALATION_CONFIG)
        self.assertEqual(server.enqueue(sev1_event("acked")).status, 202)
        iid = server.incidents_by_dedup_key("acked")[0]["id"]
        self.wait_for(server, iid, lambda s: self.pages(s), "the primary's page")
        self.assertEqual(server.api("POST", f"/v1/incidents/{iid}/acknowledge").status, 200)
        # Well past the secondary's due time: nobody else is paged.
        time.sleep(ACK_TARGET_S + 1)
        self.assertEqual(self.pages(self.notifications(server, iid)), [("primary", "alice")])
        timeline = [e["type"] for e in server.incident(iid)["timeline"]]
        self.assertIn("escalation.notified", timeline)
        self.assertNotIn("escalation.exhausted", timeline)
        server.stop_ok(self)


    def test_each_message_of_the_escalation_says_what_it_is(self):
        # Issue 16: the escalation manager's notice when a Sev1 opened read "Missed status update
        # - The status update due at  was not posted".
        hooks = HookSink()
        self.addCleanup(hooks.close)
        smtp = SmtpSink(harness.free_port())
        smtp.start()
        self.addCleanup(smtp.stop)
        config = ESCALATION_CONFIG.replace(
            "  - { id: erin, name: Erin Manager }\n",
            "  - id: erin\n"
            "    name: Erin Manager\n"
            "    contact_methods:\n"
            f"      - {{ id: hook, type: webhook, url: \"http://127.0.0.1:{hooks.port}/erin\" }}\n"
            "      - { id: mail, type: email, address: erin@example.com }\n",
            1) + ("notify:\n"
                  f"  smtp: {{ url: \"smtp://127.0.0.1:{smtp.port}\", from: \"oncall@example.com\" }}\n"
                  "  allow_hosts: [127.0.0.1]\n"
                  "  bundle_window: 0s\n")  # each message on its own, not bundled
        self.assertIn("erin@example.com", config)
        server = self.new_server(config_text=config)
        self.assertEqual(server.enqueue(sev1_event("texts")).status, 202)
        iid = server.incidents_by_dedup_key("texts")[0]["id"]

        # The notice at open, then (nobody acknowledges) the manager's own page at step 2.
        deadline = time.monotonic() + 30
        while len(hooks.at("/erin")) < 2 or len(smtp.to("erin@example.com")) < 2:
            self.assertLess(time.monotonic(), deadline, "erin's two messages never arrived")
            time.sleep(0.05)
        bodies = [json.loads(r["body"]) for r in hooks.at("/erin")]
        notice, page = bodies[0], bodies[1]
        self.assertEqual(notice["type"], "notify")
        self.assertEqual(notice["summary"],
                         "Sev1 incident opened: notice to the escalation manager")
        self.assertIn("For your information as escalation manager of service loom",
                      notice["detail"])
        self.assertNotIn("Missed status update", json.dumps(notice))
        self.assertEqual(page["type"], "page")
        self.assertEqual(page["summary"], "Sev1 page, escalated (escalation_manager, step 2)")
        self.assertIn("Nobody has acknowledged it yet", page["detail"])

        subjects = sorted(m["Subject"] for m in smtp.to("erin@example.com"))
        self.assertEqual(subjects, sorted([
            f"[loom-oncall] Sev1 incident opened: notice to the escalation manager: {iid} LOOM node down",
            f"[loom-oncall] Sev1 page, escalated (escalation_manager, step 2): {iid} LOOM node down",
        ]))
        server.stop_ok(self)


if __name__ == "__main__":
    unittest.main()
