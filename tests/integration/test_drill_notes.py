"""GET /v1/drills/{id}/notes (docs/drills.md), which the web console's drills page shows: each
finished drill answers its own notes file, also when two drills of the same day and title share
a file name stem; a drill not finished yet, an incident that is no drill, and a file in the drill
folder that names another drill are 404."""

import os
import shutil
import tempfile
import unittest

import harness
from harness import DEFAULT_CONFIG


def notes_config(drill_dir):
    return DEFAULT_CONFIG + f"""\
users:
  - {{ id: alice, name: Alice Primary }}
drills:
  dir: {drill_dir}
  service: loom
"""


class DrillNotesTest(harness.LoomTestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="loom-drill-notes-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.drill_dir = os.path.join(self.tmp, "drills")
        self.server = self.new_server(config_text=notes_config(self.drill_dir))

    def start_drill(self):
        r = self.server.api("POST", "/v1/drills", {"scenario": "availability"})
        self.assertEqual(r.status, 201, r.text)
        return r.json()["id"]

    def finish(self, iid, worked):
        r = self.server.api("POST", f"/v1/drills/{iid}/finish", {
            "what_worked": [worked],
            "followups": [{"title": "Write the runbook step down", "owner": "SRE",
                           "due": "2026-12-04"}]})
        self.assertEqual(r.status, 200, r.text)
        return r.json()["notes_file"]

    def notes(self, iid):
        return self.server.request("GET", f"/v1/drills/{iid}/notes",
                                   token=self.server.admin_token)

    def test_each_drill_answers_its_own_notes_file(self):
        first, second = self.start_drill(), self.start_drill()
        self.assertProblem(self.notes(first), 404, "not-found")  # not finished yet

        first_file = self.finish(first, "the first rehearsal worked")
        second_file = self.finish(second, "the second rehearsal worked")
        # Same day, same default title: the second file carries the drill's id.
        self.assertTrue(second_file.endswith(f"-{second}.md"), second_file)
        self.assertNotEqual(first_file, second_file)

        for iid, name, worked in ((first, first_file, "the first rehearsal worked"),
                                  (second, second_file, "the second rehearsal worked")):
            r = self.notes(iid)
            self.assertEqual(r.status, 200, r)
            self.assertTrue(r.content_type.startswith("text/markdown"), r.headers)
            self.assertEqual(r.headers.get("x-notes-file"), name)
            with open(os.path.join(self.drill_dir, name), encoding="utf-8") as f:
                self.assertEqual(r.text, f.read())
            self.assertIn(f"- Incident: {iid} ", r.text)
            self.assertIn(worked, r.text)

        # A viewer may read them; an unknown token may not.
        viewer = self.server.api("POST", "/v1/tokens", {"name": "wall", "role": "viewer"})
        self.assertEqual(viewer.status, 201, viewer.text)
        ok = self.server.request("GET", f"/v1/drills/{first}/notes",
                                 token=viewer.json()["token"])
        self.assertEqual(ok.status, 200, ok)
        self.assertProblem(self.server.request("GET", f"/v1/drills/{first}/notes",
                                               token="loo_" + "0" * 48), 401, "unauthenticated")

    def test_a_file_that_names_another_drill_is_not_served(self):
        iid = self.start_drill()
        name = self.finish(iid, "worked")
        path = os.path.join(self.drill_dir, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace(f"- Incident: {iid} ", "- Incident: INC-999 "))
        self.assertProblem(self.notes(iid), 404, "not-found")

    def test_an_incident_that_is_no_drill_has_no_notes(self):
        r = self.server.enqueue({"routing_key": harness.LOOM_KEY, "event_action": "trigger",
                                 "payload": {"summary": "disk full", "source": "db-1",
                                             "severity": "critical"}})
        self.assertEqual(r.status, 202, r.text)
        iid = self.server.all_incidents()[0]["id"]
        self.assertProblem(self.notes(iid), 404, "not-found")
        self.assertProblem(self.notes("INC-4242"), 404, "not-found")


if __name__ == "__main__":
    unittest.main()
