"""The runbook is the running severity policy (issue 3, acceptance 5): GET /v1/policy on the shipped
runbook shows exactly its Severity Matrix; editing a cell changes it at the next start; an
unparsable cell stops start-up naming the file, the line and the cell; `policy:` in the config
overrides a value and says so."""

import os
import shutil
import subprocess
import unittest

import harness
from harness import DEFAULT_CONFIG

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(harness.TEST_DATA)))
SHIPPED_RUNBOOK = os.path.join(REPO_ROOT, "docs", "INCIDENT-RESPONSE-ONCALL.md")

# Lines of the shipped runbook: the escalation-timing items and the Severity Matrix rows.
PAGE_LINE = {"sev1": 14, "sev2": 15, "sev3": 16}
ROW_LINE = {"sev1": 22, "sev2": 23, "sev3": 24, "sev4": 25}

EXPECTED = {
    # severity: (ack seconds, ack basis, cadence seconds, async, page)
    "sev1": (300, "wall", 900, False, True),
    "sev2": (900, "wall", 1800, False, True),
    "sev3": (3600, "business_hours", 4 * 3600, False, False),
    "sev4": (86400, "business_days", 86400, True, False),
}


def config_with(runbook, extra=""):
    return DEFAULT_CONFIG + f'runbook: "{runbook}"\n' + extra


def edited_runbook(directory, old, new):
    """A copy of the shipped runbook with the first `old` on the sev2 row replaced by `new`."""
    with open(SHIPPED_RUNBOOK, encoding="utf-8") as f:
        lines = f.read().split("\n")
    row = ROW_LINE["sev2"] - 1
    assert lines[row].startswith("| Sev 2 |") and old in lines[row], lines[row]
    lines[row] = lines[row].replace(old, new, 1)
    path = os.path.join(directory, "runbook-edited.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    return path


class PolicyTest(harness.LoomTestCase):

    def policy(self, server):
        return server.get_json("/v1/policy")

    def test_shipped_runbook_is_the_policy(self):
        server = self.new_server(config_text=config_with(SHIPPED_RUNBOOK))
        p = self.policy(server)
        self.assertEqual(p["runbook"], SHIPPED_RUNBOOK)
        self.assertEqual(p["repeat"], 2)
        self.assertEqual(p["repeat_source"], "default")
        self.assertEqual(sorted(p["severities"]), ["sev1", "sev2", "sev3", "sev4"])
        for sev, (ack, basis, cadence, is_async, page) in EXPECTED.items():
            with self.subTest(sev):
                s = p["severities"][sev]
                self.assertEqual(s["ack_target_seconds"], ack)
                self.assertEqual(s["ack_basis"], basis)
                self.assertEqual(s["update_cadence_seconds"], cadence)
                self.assertEqual(s["update_async"], is_async)
                self.assertEqual(s["page"], page)
                self.assertTrue(s["definition"])
                row = f"{SHIPPED_RUNBOOK}:{ROW_LINE[sev]}"
                self.assertEqual(s["sources"]["definition"], row)
                self.assertEqual(s["sources"]["ack_target"], row)
                self.assertEqual(s["sources"]["update_cadence"], row)
                self.assertEqual(s["sources"]["page"],
                                 f"{SHIPPED_RUNBOOK}:{PAGE_LINE[sev]}" if sev in PAGE_LINE
                                 else "default")
        self.assertEqual(p["severities"]["sev1"]["ack_target"], "5 minutes")
        self.assertEqual(p["severities"]["sev4"]["update_cadence"], "Daily/async")

    def test_default_config_uses_the_built_in_copy(self):
        server = self.new_server()
        p = self.policy(server)
        self.assertEqual(p["runbook"], "built-in INCIDENT-RESPONSE-ONCALL.md")
        self.assertEqual(p["severities"]["sev1"]["sources"]["ack_target"],
                         "built-in INCIDENT-RESPONSE-ONCALL.md:22")
        self.assertEqual(p["severities"]["sev2"]["ack_target_seconds"], 900)

    def test_policy_needs_a_token(self):
        server = self.new_server()
        self.assertEqual(server.request("GET", "/v1/policy").status, 401)

    def test_edited_cell_changes_the_policy_at_the_next_start(self):
        server = self.new_server(start=False, config_text=config_with("PLACEHOLDER"))
        runbook = os.path.join(server.root, "runbook.md")
        shutil.copy(SHIPPED_RUNBOOK, runbook)
        with open(server.config_path, "w") as f:
            f.write(config_with(runbook))
        server.start()
        self.assertEqual(self.policy(server)["severities"]["sev2"]["ack_target_seconds"], 900)
        server.stop_ok(self)

        edited = edited_runbook(server.root, "| 15 minutes |", "| 10 minutes |")
        os.replace(edited, runbook)
        server.start()
        s2 = self.policy(server)["severities"]["sev2"]
        self.assertEqual(s2["ack_target_seconds"], 600)
        self.assertEqual(s2["ack_target"], "10 minutes")
        self.assertEqual(s2["sources"]["ack_target"], f"{runbook}:{ROW_LINE['sev2']}")

    def test_unparsable_cell_stops_start_up_naming_the_cell(self):
        server = self.new_server(start=False, config_text=config_with("PLACEHOLDER"))
        runbook = edited_runbook(server.root, "| 15 minutes |", "| soonish |")
        with open(server.config_path, "w") as f:
            f.write(config_with(runbook))
        try:
            p = subprocess.run(server.command(), env=server.env, capture_output=True, text=True,
                               timeout=20, stdin=subprocess.DEVNULL, cwd=server.cwd)
        except subprocess.TimeoutExpired:
            self.fail("serve kept running with an unparsable runbook cell")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertNotIn("listening on", p.stdout)
        self.assertIn(f"{runbook}:{ROW_LINE['sev2']}: Initial Ack of sev2", p.stderr)
        self.assertIn("soonish", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)

    def test_missing_runbook_stops_start_up(self):
        server = self.new_server(start=False,
                                 config_text=config_with("/nonexistent/runbook.md"))
        p = subprocess.run(server.command(), env=server.env, capture_output=True, text=True,
                           timeout=20, stdin=subprocess.DEVNULL, cwd=server.cwd)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("/nonexistent/runbook.md", p.stderr)

    def test_config_override_wins_and_names_the_config(self):
        extra = ("policy:\n"
                 "  severities:\n"
                 "    sev2:\n"
                 "      ack_target: 7m\n"
                 "  repeat: 3\n")
        server = self.new_server(config_text=config_with(SHIPPED_RUNBOOK, extra))
        p = self.policy(server)
        s2 = p["severities"]["sev2"]
        self.assertEqual(s2["ack_target_seconds"], 420)
        self.assertTrue(s2["sources"]["ack_target"].startswith("config "), s2["sources"])
        self.assertIn(os.path.basename(server.config_path), s2["sources"]["ack_target"])
        self.assertEqual(s2["update_cadence_seconds"], 1800)
        self.assertEqual(s2["sources"]["update_cadence"], f"{SHIPPED_RUNBOOK}:{ROW_LINE['sev2']}")
        self.assertEqual(p["repeat"], 3)
        self.assertTrue(p["repeat_source"].startswith("config "))


if __name__ == "__main__":
    unittest.main()
