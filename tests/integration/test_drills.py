"""The drill program end to end (issue "Drill program" and the evidence command's live part,
acceptance 4 and 5): `loom-oncall drill start` opens a drill incident that pages the primary with
every message marked DRILL; `drill finish` closes it and the server writes the notes Markdown into
the configured folder; `check incident-response --drill-dir` accepts that note; drills do not
change the live response figures of GET /v1/reports/compliance, which `check --server` prints as
text and JSON."""

import json
import os
import shutil
import tempfile
import time
import unittest

import harness
from harness import DEFAULT_CONFIG, LOOM_KEY
from test_delivery import HookSink

ROOT = os.path.abspath(os.path.join(harness.HERE, "..", ".."))
RUNBOOK = os.path.join(ROOT, "docs", "INCIDENT-RESPONSE-ONCALL.md")


def drills_config(hook_port, drill_dir):
    return DEFAULT_CONFIG.replace(
        "  - id: limited\n",
        "    roles: { primary: prim, secondary: second, escalation_manager: mgr }\n"
        "  - id: limited\n",
        1) + f"""\
users:
  - id: alice
    name: Alice Primary
    contact_methods: [ {{ id: hook, type: webhook, url: "http://127.0.0.1:{hook_port}/alice" }} ]
    notification_rules: {{ high: [ {{ method: hook, after: 0m }} ] }}
  - {{ id: bob, name: Bob Secondary }}
  - {{ id: erin, name: Erin Manager }}
schedules:
  - {{ id: prim, layers: [ {{ participants: [alice], shift: 1w, start: 2026-01-05 }} ] }}
  - {{ id: second, layers: [ {{ participants: [bob], shift: 1w, start: 2026-01-05 }} ] }}
  - {{ id: mgr, layers: [ {{ participants: [erin], shift: 1w, start: 2026-01-05 }} ] }}
notify:
  allow_hosts: [127.0.0.1]
drills:
  dir: {drill_dir}
  every: 1 month
  alternate: [availability, security]
  service: loom
"""


class DrillsTest(harness.LoomTestCase):

    def setUp(self):
        self.hooks = HookSink()
        self.addCleanup(self.hooks.close)
        self.tmp = tempfile.mkdtemp(prefix="loom-drills-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.drill_dir = os.path.join(self.tmp, "ops", "incidents", "drills")
        self.server = self.new_server(config_text=drills_config(self.hooks.port, self.drill_dir))

    def cli(self, *args):
        return harness.run_cli(list(args) + ["--server", self.server.url],
                               env={"LOOM_ONCALL_TOKEN": self.server.admin_token})

    def check(self, *args):
        return harness.run_cli(["check", "incident-response", "--runbook", RUNBOOK,
                                "--drill-dir", self.drill_dir] + list(args),
                               env={"LOOM_ONCALL_TOKEN": self.server.admin_token})

    def wait_until(self, probe, what, timeout=20.0):
        deadline = time.monotonic() + timeout
        while True:
            value = probe()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail(f"timed out waiting for {what}")
            time.sleep(0.05)

    def compliance(self):
        return self.server.get_json("/v1/reports/compliance")

    def test_drill_pages_marked_drill_and_leaves_notes_the_evidence_check_accepts(self):
        r = self.cli("drill", "start", "--scenario", "availability", "--participant", "Platform",
                     "--participant", "Security", "--json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        drill = json.loads(r.stdout)
        self.assertTrue(drill["drill"])
        self.assertEqual(drill["scenario"], "availability")
        self.assertEqual(drill["severity"], "sev1")
        iid = drill["id"]

        # Paged as a real Sev1 would be, and the page says DRILL.
        page = json.loads(self.wait_until(lambda: self.hooks.at("/alice"),
                                          "the primary's page")[0]["body"])
        self.assertTrue(page["drill"], page)
        self.assertEqual(page["summary"], "[DRILL] Sev1 page (primary, step 0)")
        self.assertEqual(page["incidents"][0]["id"], iid)
        self.assertTrue(page["incidents"][0]["drill"])

        # Listed and marked by default; left out with drill=false.
        listed = [i for i in self.server.all_incidents() if i["id"] == iid]
        self.assertEqual(len(listed), 1)
        self.assertTrue(listed[0]["drill"])
        self.assertEqual([i for i in self.server.all_incidents("drill=false") if i["id"] == iid],
                         [])

        self.assertEqual(self.server.api("POST", f"/v1/incidents/{iid}/acknowledge").status, 200)
        upd = self.server.api("POST", f"/v1/incidents/{iid}/updates",
                              {"impact": "readiness flaps (simulated)", "scope": "loom-1",
                               "mitigation": "outbox workers raised",
                               "next_update_at": time.strftime(
                                   "%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 600))})
        self.assertEqual(upd.status, 200, upd.text)

        # Finishing needs follow-ups with an owner and a due date.
        bad = self.server.api("POST", f"/v1/drills/{iid}/finish",
                              {"what_worked": ["x"], "followups": [{"title": "t", "owner": "o"}]})
        self.assertProblem(bad, 400, "invalid-argument")
        self.assertEqual(bad.json()["errors"][0]["pointer"], "/followups/0/due")
        r = self.cli("drill", "finish", iid, "--worked", "Sev1 page reached the primary at once",
                     "--gap", "First status update had no ETA")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("--followup", r.stderr)

        r = self.cli("drill", "finish", iid, "--worked", "Sev1 page reached the primary at once",
                     "--gap", "First status update had no ETA",
                     "--followup", "Add an ETA to the update template;SRE;2026-12-04")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        notes = os.listdir(self.drill_dir)
        self.assertEqual(len(notes), 1, notes)
        self.assertRegex(notes[0], r"^\d{4}-\d{2}-\d{2}-sev1-availability-tabletop-drill\.md$")
        self.assertIn(os.path.join(self.drill_dir, notes[0]), r.stdout)
        with open(os.path.join(self.drill_dir, notes[0])) as f:
            text = f.read()
        for line in ("# LOOM Drill: sev1 availability tabletop drill",
                     "- Scenario: Availability (sev1 tabletop drill, service loom)",
                     "- Participants: Platform, Security",
                     "## Timeline Summary", "## What Worked",
                     "- Sev1 page reached the primary at once", "## Gaps", "## Follow-Up",
                     "- [ ] Add an ETA to the update template (Owner: SRE, Due: 2026-12-04)."):
            self.assertIn(line, text)
        self.assertRegex(text, r"Notified alice as primary \(page, step 0\)")
        self.assertRegex(text, r"Status update by token:admin: impact — readiness flaps")

        closed = self.server.incident(iid)
        self.assertEqual(closed["state"], "closed")
        again = self.server.api("POST", f"/v1/drills/{iid}/finish",
                                {"followups": [{"title": "t", "owner": "o", "due": "2026-12-01"}]})
        self.assertProblem(again, 409, "conflict")

        r = self.check()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(f"PASS  latest drill note {notes[0]} has 1 follow-up items", r.stdout)
        self.assertIn("incident-response check: PASSED", r.stdout)

        listing = self.server.get_json("/v1/drills")
        self.assertEqual([d["id"] for d in listing["drills"]], [iid])
        self.assertIsNotNone(listing["drills"][0]["finished_at"])
        self.assertEqual(listing["next"]["scenario"], "security")
        self.assertFalse(listing["next"]["overdue"])
        r = self.cli("drill", "list")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"{iid}  ", r.stdout)
        self.assertIn("next drill: security, due ", r.stdout)
        self.server.stop_ok(self)

    def test_drills_do_not_change_the_live_compliance_figures(self):
        # No drill yet: the live check fails on the drill program.
        r = self.check("--server", self.server.url)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("ERROR  drills: none in the last 60 days", r.stdout)

        # One real Sev1, acknowledged at once.
        event = {"routing_key": LOOM_KEY, "event_action": "trigger", "dedup_key": "real-1",
                 "payload": {"summary": "LOOM node down", "source": "loom-1",
                             "severity": "critical"}}
        self.assertEqual(self.server.enqueue(event).status, 202)
        real = self.server.incidents_by_dedup_key("real-1")[0]["id"]
        self.assertEqual(self.server.api("POST", f"/v1/incidents/{real}/acknowledge").status, 200)
        before = self.compliance()
        self.assertEqual(before["ack"]["sev1"]["count"], 1)
        self.assertEqual(before["drills_excluded"], 0)
        self.assertEqual(before["overdue_followups"], 0)
        self.assertEqual(before["unpublished_reviews"], 0)

        # A drill acknowledged late and one never acknowledged.
        started = self.server.api("POST", "/v1/drills", {"scenario": "security",
                                                         "commander": "alice"})
        self.assertEqual(started.status, 201, started.text)
        slow = started.json()["id"]
        time.sleep(1.2)
        self.assertEqual(self.server.api("POST", f"/v1/incidents/{slow}/acknowledge").status, 200)
        self.assertEqual(self.server.api("POST", "/v1/drills",
                                         {"scenario": "availability"}).status, 201)
        done = self.server.api("POST", f"/v1/drills/{slow}/finish",
                               {"what_worked": ["token rotation list was at hand"],
                                "followups": [{"title": "Rehearse SMTP credential rotation",
                                               "owner": "Security", "due": "2026-12-18"},
                                              {"title": "Write the token rotation script",
                                               "owner": "alice", "due": "2026-12-11"}]})
        self.assertEqual(done.status, 200, done.text)
        self.assertTrue(os.path.exists(done.json()["notes_path"]))
        # alice is a configured user: her follow-up is tracked; the team's stays in the notes.
        self.assertEqual(done.json()["followups_not_tracked"], ["Rehearse SMTP credential rotation"])
        tracked = self.server.api("GET", f"/v1/followups?source=drill:{slow}").json()["followups"]
        self.assertEqual([(f["title"], f["owner"], f["source"]) for f in tracked],
                         [("Write the token rotation script", "alice", {"drill": slow})])

        after = self.compliance()
        self.assertEqual(after["ack"], before["ack"])
        self.assertEqual(after["update_cadence"], before["update_cadence"])
        self.assertEqual(after["incidents_counted"], before["incidents_counted"])
        self.assertEqual(after["drills_excluded"], 2)
        self.assertEqual(after["drills"]["last_30_days"], 2)
        self.assertTrue(after["drills"]["alternating"])
        # loom has no security lead schedule: a gap over the whole 14 days.
        loom_gaps = [g for g in after["coverage"]["gaps"] if g["service"] == "loom"]
        self.assertEqual([(g["role"], g["reason"]) for g in loom_gaps],
                         [("security_lead", "no schedule for the role")])

        r = self.check("--server", self.server.url)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"PASS  sev1 acknowledgement: median \d+s, p90 \d+s, "
                                   r"100 % within 5m \(1 incidents in the last 30 days\)")
        self.assertIn("PASS  2 drill incidents left out of the response figures", r.stdout)
        self.assertIn("PASS  drills: 2 in the last 30 days, 2 in the last 60 days", r.stdout)
        self.assertIn("WARN  on-call coverage gap: loom security_lead", r.stdout)
        self.assertIn("PASS  overdue follow-ups: 0", r.stdout)
        self.assertIn("PASS  unpublished post-incident reviews: 0", r.stdout)
        self.assertIn("incident-response check: PASSED", r.stdout)

        r = self.check("--server", self.server.url, "--format", "json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        doc = json.loads(r.stdout)
        self.assertTrue(doc["ok"])
        self.assertEqual(doc["live"]["ack"]["sev1"]["count"], 1)
        self.assertIn({"level": "PASS",
                       "message": "drills: 2 in the last 30 days, 2 in the last 60 days"},
                      doc["findings"])

        viewer = self.server.api("POST", "/v1/tokens", {"name": "dash", "role": "viewer"})
        self.assertEqual(viewer.status, 201, viewer.text)
        as_viewer = self.server.request("GET", "/v1/reports/compliance",
                                        token=viewer.json()["token"])
        self.assertEqual(as_viewer.status, 200)
        self.assertEqual(self.server.request("GET", "/v1/reports/compliance").status, 401)
        self.server.stop_ok(self)


class ProjectEvidenceTest(unittest.TestCase):
    """The project's own runbook and drill notes (ops/incidents/drills/, produced by the drill
    command) pass the evidence check."""

    def test_the_projects_own_runbook_and_drill_notes_pass(self):
        r = harness.run_cli(["check", "incident-response"], cwd=ROOT)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("incident-response check: PASSED", r.stdout)
        notes = [n for n in os.listdir(os.path.join(ROOT, "ops", "incidents", "drills"))
                 if n.endswith(".md")]
        self.assertTrue(notes)
        for name in notes:
            with open(os.path.join(ROOT, "ops", "incidents", "drills", name)) as f:
                text = f.read()
            # Written by the drill command, not by hand: its incident line and timeline.
            self.assertRegex(text, r"- Incident: INC-\d+ \(drill; kept out of response "
                                   r"statistics\)")
            self.assertIn("Drill opened: ", text)


if __name__ == "__main__":
    unittest.main()
