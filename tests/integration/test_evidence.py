"""The runbook's evidence line (issue "Playbooks, ... and the evidence command"): `npm run
check:incident-response` in a checkout runs `loom-oncall check incident-response` on
docs/INCIDENT-RESPONSE-ONCALL.md and ops/incidents/drills/ — it passes with the runbook's sections
and a drill note, and fails naming what is missing."""

import os
import shutil
import subprocess
import tempfile
import unittest

import harness

ROOT = os.path.abspath(os.path.join(harness.HERE, "..", ".."))


class EvidenceCommandTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="loom-evidence-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        shutil.copy(os.path.join(ROOT, "package.json"), self.dir)
        os.makedirs(os.path.join(self.dir, "docs"))
        shutil.copy(os.path.join(ROOT, "docs", "INCIDENT-RESPONSE-ONCALL.md"),
                    os.path.join(self.dir, "docs"))
        self.drills = os.path.join(self.dir, "ops", "incidents", "drills")
        os.makedirs(self.drills)

    def npm_check(self):
        env = dict(os.environ, LOOM_ONCALL_BIN=harness.binary())
        return subprocess.run(["npm", "run", "--silent", "check:incident-response"],
                              cwd=self.dir, env=env, capture_output=True, text=True, timeout=60)

    def test_passes_with_the_runbook_and_a_drill_note(self):
        shutil.copy(os.path.join(harness.TEST_DATA, "drills",
                                 "2026-02-18-sev1-availability-tabletop.md"), self.drills)
        r = self.npm_check()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("incident-response check: PASSED (9 passed, 0 warnings, 0 errors)", r.stdout)

    def test_fails_without_drill_notes_and_names_a_missing_section(self):
        path = os.path.join(self.dir, "docs", "INCIDENT-RESPONSE-ONCALL.md")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("## Communications", "## Comms"))
        r = self.npm_check()
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn('ERROR  runbook section "Communications" is missing', r.stdout)
        self.assertIn("ERROR  drill notes: 0 in ops/incidents/drills, at least 1 required", r.stdout)


if __name__ == "__main__":
    unittest.main()
