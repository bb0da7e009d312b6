"""Final summary, commander handover, follow-ups, post-incident reviews and reports
(docs/followups.md), end to end against the real binary and a real SQLite file: close is refused
until the final summary is complete, the summary's follow-ups appear in /v1/followups, an overdue
follow-up reaches its owner and the service's escalation manager through the outbox, a review is
drafted, exported as Markdown and published, and the reports' figures match a known set of
incidents."""

import datetime
import math
import time
import unittest

import harness
from harness import DEFAULT_CONFIG, LOOM_KEY, pd_trigger, unique

USERS = """\
users:
  - { id: alice, name: Alice Primary }
  - { id: bob, name: Bob Builder }
  - { id: erin, name: Erin Manager }
schedules:
  - { id: prim, layers: [ { participants: [alice], shift: 1w, start: 2026-01-05 } ] }
  - { id: mgr, layers: [ { participants: [erin], shift: 1w, start: 2026-01-05 } ] }
"""

CONFIG = DEFAULT_CONFIG.replace(
    "  - id: limited\n",
    "    roles: { primary: prim, escalation_manager: mgr }\n"
    "  - id: limited\n", 1) + USERS


def utc(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def rfc3339(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def nearest_rank(values, p):
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_body(**overrides):
    body = {"root_cause": "the log volume filled up",
            "customer_impact": "writes failed for 12 minutes",
            "remediation": "rotated the logs and grew the volume",
            "followups": [{"title": "Alert on disk usage at 80%", "owner": "alice",
                           "due": "2026-12-01"}]}
    body.update(overrides)
    return body


class FollowupsTest(harness.ServerTestCase):
    config_text = CONFIG

    def act(self, incident_id, action, body=None):
        r = self.server.api("POST", f"/v1/incidents/{incident_id}/{action}", body=body or {})
        return r

    def resolved_incident(self, severity="critical"):
        key = unique("fu")
        self.assertEqual(self.server.enqueue(pd_trigger(dedup_key=key, severity=severity)).status,
                         202)
        [incident] = self.server.incidents_by_dedup_key(key, "loom")
        iid = incident["id"]
        for action in ("acknowledge", "resolve"):
            r = self.act(iid, action)
            self.assertEqual(r.status, 200, r)
        return iid

    def put_summary(self, iid, body):
        return self.server.api("PUT", f"/v1/incidents/{iid}/summary", body=body)

    def closed_incident(self):
        iid = self.resolved_incident()
        self.assertEqual(self.put_summary(iid, summary_body()).status, 200)
        self.assertEqual(self.act(iid, "close").status, 200)
        return iid

    # -- final summary --

    def test_close_is_refused_until_the_final_summary_is_complete(self):
        iid = self.resolved_incident()
        problem = self.assertProblem(self.act(iid, "close"), 409, "conflict")
        self.assertIn("final summary", problem["detail"])
        self.assertIn("summary", problem["detail"])

        # Every part is required; an empty follow-up list needs a reason.
        problem = self.assertProblem(
            self.put_summary(iid, {"root_cause": "disk", "followups": []}), 400,
            "invalid-argument")
        pointers = {e["pointer"] for e in problem["errors"]}
        self.assertEqual(pointers, {"/customer_impact", "/remediation", "/no_followups_reason"})
        bad = summary_body(followups=[{"title": "x", "owner": "mallory", "due": "soon"}])
        problem = self.assertProblem(self.put_summary(iid, bad), 400, "invalid-argument")
        pointers = {e["pointer"] for e in problem["errors"]}
        self.assertEqual(pointers, {"/followups/0/owner", "/followups/0/due"})
        self.assertProblem(self.act(iid, "close"), 409, "conflict")

        r = self.put_summary(iid, summary_body())
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["root_cause"], "the log volume filled up")
        r = self.act(iid, "close")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["state"], "closed")

        timeline = self.server.incident(iid)["timeline"]
        summaries = [e for e in timeline if e["type"] == "incident.summary"]
        self.assertEqual(len(summaries), 1, timeline)
        self.assertIn("rotated the logs", str(summaries[0]["data"]))
        # The summary is final once the incident is closed.
        self.assertProblem(self.put_summary(iid, summary_body()), 409, "conflict")

        # Its follow-up is a follow-up like any other.
        followups = self.server.get_json(f"/v1/followups?source={iid}")["followups"]
        self.assertEqual(len(followups), 1, followups)
        fu = followups[0]
        self.assertRegex(fu["id"], r"^FU-\d+$")
        self.assertEqual(fu["owner"], "alice")
        self.assertEqual(fu["due"], "2026-12-01T23:59:59.000Z")
        self.assertEqual(fu["status"], "open")
        self.assertEqual(fu["source"], {"incident": iid})
        self.assertEqual(fu["service"], "loom")

    def test_the_summary_is_written_once_the_incident_is_resolved(self):
        key = unique("fu")
        self.assertEqual(self.server.enqueue(pd_trigger(dedup_key=key)).status, 202)
        [incident] = self.server.incidents_by_dedup_key(key, "loom")
        iid = incident["id"]
        self.assertEqual(self.act(iid, "acknowledge").status, 200)
        # What the incident offers and what the route takes are the same rule.
        self.assertNotIn("summary", self.server.incident(iid)["allowed_actions"])
        problem = self.assertProblem(self.put_summary(iid, summary_body()), 409, "conflict")
        self.assertIn("once the incident is resolved", problem["detail"])
        self.assertEqual(self.act(iid, "resolve").status, 200)
        self.assertIn("summary", self.server.incident(iid)["allowed_actions"])
        self.assertEqual(self.put_summary(iid, summary_body()).status, 200)

    def test_no_followups_needs_a_reason(self):
        iid = self.resolved_incident()
        r = self.put_summary(iid, summary_body(followups=[],
                                               no_followups_reason="the fix was the remediation"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.act(iid, "close").status, 200)

    # -- commander handover --

    def test_a_change_of_commander_is_a_recorded_handover(self):
        key = unique("ic")
        self.server.enqueue(pd_trigger(dedup_key=key))
        [incident] = self.server.incidents_by_dedup_key(key, "loom")
        iid = incident["id"]
        self.assertEqual(self.act(iid, "acknowledge").status, 200)
        first = self.server.incident(iid)["commander"]
        r = self.act(iid, "commander", {"commander": "alice", "note": "shift change"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["commander"], "alice")
        [handover] = [e for e in self.server.incident(iid)["timeline"]
                      if e["type"] == "commander.handover"]
        self.assertEqual(handover["data"]["from"], first)
        self.assertEqual(handover["data"]["to"], "alice")
        self.assertTrue(handover["actor"].startswith("token:"), handover)

    # -- follow-ups --

    def test_followups_are_created_listed_and_completed(self):
        due = rfc3339(datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=3))
        drill = unique("drill")
        r = self.server.api("POST", "/v1/followups",
                            body={"title": "Write the drill notes", "owner": "bob", "due": due,
                                  "source": {"drill": drill}})
        self.assertEqual(r.status, 201, r)
        fu = r.json()
        self.assertEqual(fu["source"], {"drill": drill})
        self.assertFalse(fu["overdue"])
        listed = self.server.get_json(f"/v1/followups?owner=bob&source=drill:{drill}")["followups"]
        self.assertEqual([f["id"] for f in listed], [fu["id"]])

        problem = self.assertProblem(
            self.server.api("POST", "/v1/followups", body={"title": "x", "owner": "nobody",
                                                           "due": due, "source": {"pr": 1}}),
            400, "invalid-argument")
        self.assertEqual({e["pointer"] for e in problem["errors"]}, {"/owner", "/source"})
        self.assertProblem(self.server.api("PATCH", "/v1/followups/FU-999999",
                                           body={"status": "done"}), 404, "not-found")
        self.assertProblem(self.server.api("PATCH", f"/v1/followups/{fu['id']}",
                                           body={"status": "finished"}), 400, "invalid-argument")

        r = self.server.api("PATCH", f"/v1/followups/{fu['id']}", body={"status": "done"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["status"], "done")
        self.assertIsNotNone(r.json()["closed_at"])
        open_ones = self.server.get_json("/v1/followups?owner=bob&status=open")["followups"]
        self.assertNotIn(fu["id"], [f["id"] for f in open_ones])

    # -- post-incident review --

    def test_review_is_drafted_exported_edited_and_published(self):
        open_iid = self.resolved_incident()
        self.assertProblem(self.act(open_iid, "review"), 409, "conflict")
        iid = self.closed_incident()
        self.assertProblem(self.server.api("GET", f"/v1/incidents/{iid}/review"), 404,
                           "not-found")

        r = self.act(iid, "review")
        self.assertEqual(r.status, 201, r)
        review = r.json()
        self.assertEqual(review["status"], "draft")
        self.assertTrue(review["required"], "a Sev1 needs a review")
        types = [e["type"] for e in review["timeline"]]
        for t in ("incident.triggered", "incident.acknowledged", "incident.resolved",
                  "incident.summary", "incident.closed"):
            self.assertIn(t, types)
        self.assertEqual(review["root_cause"], "the log volume filled up")
        self.assertEqual([f["owner"] for f in review["followups"]], ["alice"])
        self.assertProblem(self.act(iid, "review"), 409, "conflict")

        r = self.server.api("PUT", f"/v1/incidents/{iid}/review",
                            body={"summary": "The log volume of the node filled up."})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["summary"], "The log volume of the node filled up.")

        r = self.server.request("GET", f"/v1/incidents/{iid}/review.md",
                                token=self.server.admin_token)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.content_type.startswith("text/markdown"), r.headers)
        md = r.text
        self.assertTrue(md.startswith(f"# Post-incident review: {iid} "), md)
        for section in ("## Summary", "## Timeline (UTC)", "## Root cause", "## Customer impact",
                        "## Remediation", "## Follow-ups"):
            self.assertIn(section, md)
        self.assertIn("The log volume of the node filled up.", md)
        self.assertIn("| alice | 2026-12-01T23:59:59.000Z | open |", md)
        self.assertIn("- Status: draft", md)

        r = self.act(iid, "review/publish")
        self.assertEqual(r.status, 200, r)
        published = r.json()
        self.assertEqual(published["status"], "published")
        self.assertIsNotNone(published["published_at"])
        self.assertTrue(published["published_by"].startswith("token:"))
        self.assertProblem(self.act(iid, "review/publish"), 409, "conflict")
        self.assertProblem(self.server.api("PUT", f"/v1/incidents/{iid}/review",
                                           body={"summary": "late"}), 409, "conflict")
        timeline = [e["type"] for e in self.server.incident(iid)["timeline"]]
        self.assertIn("review.drafted", timeline)
        self.assertIn("review.published", timeline)

    def test_cli_lists_and_completes_followups_and_shows_the_review(self):
        iid = self.closed_incident()
        env = {"LOOM_ONCALL_SERVER": self.server.url,
               "LOOM_ONCALL_TOKEN": self.server.admin_token}
        out = harness.run_cli(["review", "draft", iid], env=env)
        self.assertEqual(out.returncode, 0, out.stderr)
        out = harness.run_cli(["review", "show", iid], env=env)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("## Root cause", out.stdout)
        out = harness.run_cli(["followup", "list", "--source", iid], env=env)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("Alert on disk usage at 80%", out.stdout)
        [fu] = self.server.get_json(f"/v1/followups?source={iid}")["followups"]
        out = harness.run_cli(["followup", "done", fu["id"]], env=env)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(self.server.get_json(f"/v1/followups?source={iid}")["followups"][0]
                         ["status"], "done")
        out = harness.run_cli(["followup", "done", "FU-999999"], env=env)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("FU-999999", out.stderr)
        out = harness.run_cli(["review", "publish", iid], env=env)
        self.assertEqual(out.returncode, 0, out.stderr)


class ReportsTest(harness.LoomTestCase):
    """A server of its own, so that the reports see exactly the incidents made here."""

    def test_an_overdue_followup_reaches_the_owner_and_the_escalation_manager(self):
        server = self.new_server(config_text=CONFIG)
        past = rfc3339(datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1))
        r = server.api("POST", "/v1/followups",
                       body={"title": "Rotate the node signing keys", "owner": "alice",
                             "due": past, "service": "loom"})
        self.assertEqual(r.status, 201, r)
        fu = r.json()
        self.assertTrue(fu["overdue"])
        overdue = server.get_json("/v1/followups?overdue=true")["followups"]
        self.assertEqual([f["id"] for f in overdue], [fu["id"]])
        # Its overdue deadline is due at once: wait until the engine fired it.
        deadline = time.monotonic() + 15
        while "loom_oncall_deadlines_fired_total 1" not in server.request("GET", "/metrics",
                                                                          token=server.admin_token).text:
            self.assertLess(time.monotonic(), deadline, "the overdue deadline never fired")
            time.sleep(0.05)
        server.stop_ok(self)
        db = server.open_db()
        try:
            rows = db.execute("SELECT channel, role, recipient FROM outbox"
                              " WHERE unique_key LIKE ?", (fu["id"] + "/%",)).fetchall()
        finally:
            db.close()
        self.assertEqual(sorted(rows), [("overdue", "escalation_manager", "erin"),
                                        ("overdue", "owner", "alice")])


    def test_response_and_pages_reports_for_a_known_set_of_incidents(self):
        # Business hours on a weekday that is not today: every page sent now is off-hours.
        today = datetime.datetime.now(datetime.timezone.utc).weekday()
        day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][(today + 3) % 7]
        config = CONFIG.replace(
            "    roles: { primary: prim, escalation_manager: mgr }\n",
            "    roles: { primary: prim, escalation_manager: mgr }\n"
            f"    business_hours: {{ time_zone: UTC, days: {day}, from: \"09:00\", "
            "to: \"17:00\" }\n", 1)
        server = self.new_server(config_text=config)

        def incident(severity, actions):
            key = unique("rep")
            self.assertEqual(server.enqueue(pd_trigger(dedup_key=key, severity=severity)).status,
                             202)
            [inc] = server.incidents_by_dedup_key(key, "loom")
            for action in actions:
                r = server.api("POST", f"/v1/incidents/{inc['id']}/{action}", body={})
                self.assertEqual(r.status, 200, r)
            return server.incident(inc["id"])

        made = [incident("critical", ["acknowledge", "resolve"]),
                incident("critical", ["acknowledge", "resolve"]),
                incident("critical", ["acknowledge"]),
                incident("warning", [])]
        sev1 = [i for i in made if i["severity"] == "sev1"]
        acks = [(utc(i["acknowledged_at"]) - utc(i["created_at"])).total_seconds() for i in sev1]
        resolves = [(utc(i["resolved_at"]) - utc(i["created_at"])).total_seconds()
                    for i in sev1 if i["resolved_at"]]

        report = server.get_json("/v1/reports/response")
        self.assertEqual(report["incidents"], 4)
        got = report["by_severity"]["sev1"]
        self.assertEqual(got["acknowledge"]["count"], 3)
        self.assertEqual(got["resolve"]["count"], 2)
        for p in (50, 90, 99):
            self.assertAlmostEqual(got["acknowledge"][f"p{p}_seconds"], nearest_rank(acks, p),
                                   delta=0.002)
            self.assertAlmostEqual(got["resolve"][f"p{p}_seconds"], nearest_rank(resolves, p),
                                   delta=0.002)
        self.assertAlmostEqual(got["acknowledge"]["max_seconds"], max(acks), delta=0.002)
        self.assertEqual(got["acknowledge"]["within_target_share"], 1.0)
        self.assertEqual(report["by_severity"]["sev3"]["acknowledge"]["count"], 0)
        self.assertEqual(report["by_service"]["loom"]["acknowledge"]["count"], 3)
        responders = {e["actor"] for i in made for e in i["timeline"]
                      if e["type"] == "incident.acknowledged"}
        self.assertEqual(set(report["by_responder"]), responders)
        self.assertEqual(report["unpublished_reviews"]["count"], 0)

        # A window before the incidents holds none of them.
        r = server.get_json("/v1/reports/response?from=2020-01-01T00:00:00Z"
                            "&to=2020-02-01T00:00:00Z")
        self.assertEqual(r["incidents"], 0)
        self.assertProblem(server.api("GET", "/v1/reports/response?from=yesterday"), 400,
                           "invalid-argument")

        # bucket=week: the figures by severity per week as well, from `from`; the last week is
        # cut at `to`. The incidents are all in it.
        end = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).replace(
            hour=0, minute=0, second=0, microsecond=0)
        start = end - datetime.timedelta(days=10)
        stamp = "%Y-%m-%dT%H:%M:%SZ"
        r = server.get_json(f"/v1/reports/response?from={start.strftime(stamp)}"
                            f"&to={end.strftime(stamp)}&bucket=week")
        self.assertEqual(r["incidents"], 4)
        self.assertEqual([(utc(b["from"]), utc(b["to"]), b["incidents"]) for b in r["buckets"]],
                         [(start, start + datetime.timedelta(days=7), 0),
                          (start + datetime.timedelta(days=7), end, 4)])
        self.assertEqual(r["buckets"][1]["by_severity"]["sev1"], report["by_severity"]["sev1"])
        self.assertNotIn("buckets", report)
        self.assertProblem(server.api("GET", "/v1/reports/response?bucket=month"), 400,
                           "invalid-argument")

        # Each Sev1 paged alice (the primary) once, outside the service's business hours; the
        # Sev3 opened a ticket, not a page.
        pages = server.get_json("/v1/reports/pages")
        self.assertEqual(pages["responders"], {"alice": {"pages": 3, "off_hours": 3}})
        self.assertEqual(pages["total"], {"pages": 3, "off_hours": 3})

        # A closed Sev1 without a published review counts until its review is published.
        first = sev1[0]["id"]
        r = server.api("PUT", f"/v1/incidents/{first}/summary", body=summary_body())
        self.assertEqual(r.status, 200, r)
        self.assertEqual(server.api("POST", f"/v1/incidents/{first}/close", body={}).status, 200)
        report = server.get_json("/v1/reports/response")
        self.assertEqual(report["unpublished_reviews"], {"count": 1, "incidents": [first]})
        self.assertEqual(server.api("POST", f"/v1/incidents/{first}/review", body={}).status, 201)
        self.assertEqual(
            server.api("POST", f"/v1/incidents/{first}/review/publish", body={}).status, 200)
        self.assertEqual(server.get_json("/v1/reports/response")["unpublished_reviews"]["count"], 0)
        server.stop_ok(self)


if __name__ == "__main__":
    unittest.main()
