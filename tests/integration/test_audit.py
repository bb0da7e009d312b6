"""Acceptance 6: `loom-oncall audit verify` passes on a real database and names the first broken
event after a timeline row is edited by hand."""

import json
import re
import unittest

import harness
from harness import pd_action, pd_trigger, run_cli, unique

BROKEN_RE = re.compile(r"^audit: BROKEN at (INC-\d+) event #(\d+): .+", re.M)


class AuditVerifyTest(harness.LoomTestCase):

    def setUp(self):
        # A real database: PagerDuty and Alertmanager events, and responders' actions.
        self.server = self.new_server()
        s = self.server
        keys = [unique("audit") for _ in range(3)]
        for key in keys:
            self.assertAccepted(s.enqueue(pd_trigger(dedup_key=key)))
        self.assertAccepted(s.enqueue(pd_trigger(dedup_key=keys[0])))
        self.assertAccepted(s.enqueue(pd_action("acknowledge", keys[1])))
        body = harness.load_fixture("am-webhook-LoomReadyProbeFailing-firing.json")["body"]
        r = s.request("POST", "/v1/integrations/alertmanager", body=body,
                      headers={"Authorization": f"Bearer {harness.LOOM_KEY}"})
        self.assertEqual(r.status, 200, r)
        first = s.incidents_by_dedup_key(keys[0])[0]["id"]
        summary = {"root_cause": "PostgreSQL stopped", "customer_impact": "none",
                   "remediation": "restarted it", "followups": [],
                   "no_followups_reason": "a test incident"}
        for action, data in (("notes", {"note": "checking the node"}), ("acknowledge", {}),
                             ("mitigate", {"note": "failed over"}), ("resolve", {}),
                             ("summary", summary), ("close", {})):
            method = "PUT" if action == "summary" else "POST"
            r = s.api(method, f"/v1/incidents/{first}/{action}", data)
            self.assertEqual(r.status, 200, r)
        self.assertAccepted(s.enqueue(pd_action("resolve", keys[2])))
        s.stop_ok(self)

    def verify(self):
        return run_cli(["audit", "verify", "--data-dir", self.server.data_dir])

    def events(self):
        """{incident_number: [seq, ...]} from the file."""
        db = self.server.open_db()
        try:
            rows = db.execute("SELECT incident_number, seq FROM timeline_events "
                              "ORDER BY incident_number, seq").fetchall()
        finally:
            db.close()
        out = {}
        for number, seq in rows:
            out.setdefault(number, []).append(seq)
        return out

    def tamper(self, sql, *args):
        db = self.server.open_db(readonly=False)
        try:
            cur = db.execute(sql, args)
            self.assertEqual(cur.rowcount, 1, "the edit should touch exactly one row")
            db.commit()
        finally:
            db.close()

    def assertVerifyOk(self):
        p = self.verify()
        self.assertEqual(p.returncode, 0, f"stdout={p.stdout!r} stderr={p.stderr!r}")
        self.assertTrue(p.stdout.startswith("audit: OK"), p.stdout)
        return p

    def assertBrokenAt(self, number, seq=None):
        p = self.verify()
        output = p.stdout + p.stderr
        self.assertEqual(p.returncode, 1, f"stdout={p.stdout!r} stderr={p.stderr!r}")
        m = BROKEN_RE.search(output)
        self.assertIsNotNone(m, f"expected 'audit: BROKEN at INC-n event #seq: ...': {output!r}")
        self.assertEqual(m.group(1), f"INC-{number}", output)
        if seq is not None:
            self.assertEqual(int(m.group(2)), seq, output)
        return m

    def busiest_incident(self):
        events = self.events()
        number = max(events, key=lambda n: len(events[n]))
        self.assertGreaterEqual(len(events[number]), 4, events)
        return number, events[number]

    def test_verify_passes_on_a_real_database(self):
        p = self.assertVerifyOk()
        # It checked something: every incident and event we made.
        self.assertGreaterEqual(len(self.events()), 4)
        self.assertEqual(len(p.stdout.strip().splitlines()), 1, p.stdout)

    def test_edited_event_in_the_middle_is_reported(self):
        self.assertVerifyOk()
        number, seqs = self.busiest_incident()
        seq = seqs[len(seqs) // 2]
        self.tamper("UPDATE timeline_events SET data_json = ? WHERE incident_number = ? AND seq = ?",
                    json.dumps({"note": "nothing happened here"}), number, seq)
        self.assertBrokenAt(number, seq)

    def test_edited_last_event_is_reported(self):
        number, seqs = self.busiest_incident()
        self.tamper("UPDATE timeline_events SET actor = 'user:mallory' "
                    "WHERE incident_number = ? AND seq = ?", number, seqs[-1])
        self.assertBrokenAt(number, seqs[-1])

    def test_first_broken_incident_is_reported(self):
        events = self.events()
        first, last = min(events), max(events)
        self.assertNotEqual(first, last)
        self.tamper("UPDATE timeline_events SET type = 'incident.closed' "
                    "WHERE incident_number = ? AND seq = 1", last)
        self.tamper("UPDATE timeline_events SET data_json = '{}' "
                    "WHERE incident_number = ? AND seq = 1", first)
        self.assertBrokenAt(first, 1)

    def test_deleted_event_is_reported(self):
        number, seqs = self.busiest_incident()
        self.tamper("DELETE FROM timeline_events WHERE incident_number = ? AND seq = ?",
                    number, seqs[1])
        self.assertBrokenAt(number)

    def test_missing_data_dir_fails_with_one_line(self):
        p = run_cli(["audit", "verify", "--data-dir", self.server.root + "/does-not-exist"])
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertFalse(p.stdout.startswith("audit: OK"), p.stdout)


if __name__ == "__main__":
    unittest.main()
