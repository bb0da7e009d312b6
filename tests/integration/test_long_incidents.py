"""Long titles and incidents with many member alerts (issue 16).

Titles from every source are capped at 1,024 characters, cut with a marker; the full text stays in
the alert's details (PagerDuty's own endpoint keeps refusing a longer payload.summary, as PagerDuty
does). An incident answer carries its first 100 member alerts and a cursor; the rest come from
GET /v1/incidents/{id}/alerts?after=<cursor>.
"""

import copy
import json
import unittest

import harness
from harness import LOOM_KEY, load_fixture, unique

MAX_TITLE = 1024
LONG = 200_000
MARKER = (f"\u2026 [cut: {LONG} characters in all; the full text is in the alert's details]")


def alertmanager_body(group_key, fingerprints, summary=None):
    """A recorded Alertmanager delivery turned into one group holding `fingerprints`."""
    recorded = load_fixture("am-webhook-LoomReadyProbeFailing-firing.json")["body"]
    body = copy.deepcopy(recorded)
    template = recorded["alerts"][0]
    body["groupKey"] = group_key
    body["alerts"] = []
    for fp in fingerprints:
        alert = copy.deepcopy(template)
        alert["fingerprint"] = fp
        alert["labels"] = dict(alert["labels"], instance=fp)
        if summary is not None:
            alert["annotations"] = dict(alert.get("annotations", {}), summary=summary)
        body["alerts"].append(alert)
    if summary is not None:
        body["commonAnnotations"] = {"summary": summary}
    return body


class LongIncidentsTest(harness.ServerTestCase):

    def post(self, path, body):
        return self.server.request("POST", path, body=body,
                                   headers={"Authorization": f"Bearer {LOOM_KEY}"})

    def assertCut(self, title, full):
        self.assertEqual(len(title), MAX_TITLE)
        self.assertTrue(title.endswith(MARKER), title[-120:])
        self.assertEqual(title[:MAX_TITLE - len(MARKER)], full[:MAX_TITLE - len(MARKER)])

    def test_alertmanager_title_is_cut_details_keep_the_text(self):
        full = "Disk full on every node " + "x" * (LONG - 24)
        resp = self.post("/v1/integrations/alertmanager",
                         alertmanager_body(unique("am-long"), ["fp-long"], summary=full))
        self.assertEqual(resp.status, 200, resp)
        incident_id = resp.json()["incident"]
        incident = self.server.incident(incident_id)
        self.assertCut(incident["title"], full)
        [alert] = incident["alerts"]
        self.assertCut(alert["summary"], full)
        self.assertEqual(alert["details"]["annotations"]["summary"], full)

    def test_generic_title_is_cut_details_keep_the_text(self):
        full = "Backup failed: " + "y" * (LONG - 15)
        resp = self.post("/v1/integrations/generic",
                         {"summary": full, "severity": "error", "dedup_key": unique("gen-long")})
        self.assertEqual(resp.status, 202, resp)
        incident = self.server.incident(resp.json()["incident"])
        self.assertCut(incident["title"], full)
        [alert] = incident["alerts"]
        self.assertCut(alert["summary"], full)
        self.assertEqual(alert["details"]["summary"], full)

    def test_pagerduty_still_refuses_a_summary_over_1024_characters(self):
        resp = self.server.enqueue(harness.pd_trigger(dedup_key=unique("pd-long"),
                                                      summary="z" * (MAX_TITLE + 1)))
        self.assertPagerDutyInvalid(resp)

    def test_incident_carries_100_member_alerts_the_rest_through_the_cursor(self):
        fingerprints = [f"fp-{i:03d}" for i in range(150)]
        resp = self.post("/v1/integrations/alertmanager",
                         alertmanager_body(unique("am-many"), fingerprints))
        self.assertEqual(resp.status, 200, resp)
        incident_id = resp.json()["incident"]

        incident = self.server.incident(incident_id)
        self.assertEqual(incident["alert_count"], 150)
        self.assertEqual([a["fingerprint"] for a in incident["alerts"]], fingerprints[:100])
        cursor = incident["alerts_next"]
        self.assertIsInstance(cursor, str)

        # The rest, 30 at a time, oldest first, until `next` is null.
        seen = [a["fingerprint"] for a in incident["alerts"]]
        pages = 0
        while cursor is not None:
            page = self.server.get_json(f"/v1/incidents/{incident_id}/alerts?after={cursor}&limit=30")
            self.assertEqual(page["incident"], incident_id)
            self.assertLessEqual(len(page["alerts"]), 30)
            seen += [a["fingerprint"] for a in page["alerts"]]
            cursor = page["next"]
            pages += 1
            self.assertLess(pages, 10, "the cursor does not advance")
        self.assertEqual(seen, fingerprints)
        self.assertEqual(pages, 2)

        # Without a cursor: from the first member alert; the default page is 100.
        page = self.server.get_json(f"/v1/incidents/{incident_id}/alerts")
        self.assertEqual([a["fingerprint"] for a in page["alerts"]], fingerprints[:100])
        self.assertEqual(page["next"], incident["alerts_next"])

        # A small incident has no next page.
        resp = self.post("/v1/integrations/alertmanager",
                         alertmanager_body(unique("am-few"), ["fp-one"]))
        self.assertIsNone(self.server.incident(resp.json()["incident"])["alerts_next"])

    def test_incident_alerts_errors(self):
        resp = self.server.request("GET", "/v1/incidents/INC-999999/alerts",
                                   token=self.server.admin_token)
        self.assertProblem(resp, 404, "not-found")
        resp = self.post("/v1/integrations/alertmanager",
                         alertmanager_body(unique("am-errors"), ["fp-e"]))
        incident_id = resp.json()["incident"]
        resp = self.server.request("GET", f"/v1/incidents/{incident_id}/alerts?after=soon",
                                   token=self.server.admin_token)
        self.assertProblem(resp, 400, "invalid-argument")


if __name__ == "__main__":
    unittest.main()
