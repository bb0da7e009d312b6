"""The docs run (issue 16, item 15): the command examples of README.md and docs/*.md, read from the
files themselves, run against the real binary, so that they cannot drift from the product again.

Every ```bash, ```sh and ```python block of README.md and docs/*.md says, on the line before it,
whether this test runs it:

    <!-- docs-test: run NAME (...) -->        run by the test method handling NAME below
    <!-- docs-test: not run (reason) -->       e.g. it needs another configuration, or it is a
                                               file's content rather than commands

A block without such a line fails test_every_command_block_says_whether_it_runs, as does a NAME no
test handles or a handled NAME that no block carries any more. Two files are exempt, with the
reason in UNMARKED below.

Blocks run as written, with only these substitutions (each asserted to be present, so that a
rewritten example shows up here): the demo's fixed address (127.0.0.1:8080, localhost:8080) is the
test server's (port 0), and `<responder token>` is a token the test creates. Shell blocks run in
`bash -e -o pipefail` in a scratch directory laid out like the checkout (build/loom-oncall is the
binary under test, docs/ and ops/ the checkout's, data/ the demo server's data directory), with
`loom-oncall` on PATH.
"""

import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import harness

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CHECKED_LANGUAGES = {"bash", "sh", "python"}
UNMARKED = {
    # The runbook the product runs, as given: not edited, not even with a marker. Its one block,
    # the evidence line, is run by test_runbook_evidence_line.
    "docs/INCIDENT-RESPONSE-ONCALL.md": "runbook-evidence",
    # Benchmark reproduction commands: minutes of load each, run by hand (bench/).
    "docs/BENCHMARKS.md": None,
}
MARKER_RE = re.compile(r"^<!-- docs-test: (?:run ([a-z0-9-]+)\b.*|not run \(.+\)) -->$")
FENCE_RE = re.compile(r"^```([A-Za-z0-9_-]*)\s*$")
RUN_TIMEOUT_S = 90


class Block:
    def __init__(self, path, line, language, marker, text):
        self.path, self.line, self.language, self.marker, self.text = path, line, language, marker, text

    def where(self):
        return f"{self.path}:{self.line}"


def doc_blocks():
    """Every fenced block of README.md and docs/*.md: (path relative to ROOT, ...)."""
    paths = [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    blocks = []
    for path in paths:
        rel = os.path.relpath(path, ROOT)
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        i = 0
        previous = ""
        while i < len(lines):
            m = FENCE_RE.match(lines[i])
            if not m:
                if lines[i].strip():
                    previous = lines[i].strip()
                i += 1
                continue
            start = i
            i += 1
            body = []
            while i < len(lines) and lines[i].rstrip() != "```":
                body.append(lines[i])
                i += 1
            blocks.append(Block(rel, start + 1, m.group(1), previous, "\n".join(body) + "\n"))
            previous = ""
            i += 1
    return blocks


def runnable_blocks():
    """{NAME: Block} of the blocks marked `run NAME` (and the runbook's evidence line)."""
    named = {}
    for b in doc_blocks():
        if b.language not in CHECKED_LANGUAGES:
            continue
        if b.path in UNMARKED:
            if UNMARKED[b.path]:
                named[UNMARKED[b.path]] = b
            continue
        m = MARKER_RE.match(b.marker)
        if m and m.group(1):
            if m.group(1) in named:
                raise AssertionError(f"{b.where()}: a second block named {m.group(1)}")
            named[m.group(1)] = b
    return named


def substitute(text, replacements):
    for old, new in replacements.items():
        if old not in text:
            raise AssertionError(f"the example no longer contains {old!r}: update "
                                 f"tests/integration/test_docs_examples.py with it\n{text}")
        text = text.replace(old, new)
    return text


class Workdir:
    """A scratch directory laid out like the checkout for the docs' shell blocks."""

    def __init__(self, test, data_dir=None):
        self.path = tempfile.mkdtemp(prefix="loom-docs-")
        test.addCleanup(shutil.rmtree, self.path, ignore_errors=True)
        os.makedirs(os.path.join(self.path, "build"))
        os.symlink(harness.binary(), os.path.join(self.path, "build", "loom-oncall"))
        for name in ("docs", "ops"):
            os.symlink(os.path.join(ROOT, name), os.path.join(self.path, name))
        if data_dir:
            os.symlink(data_dir, os.path.join(self.path, "data"))

    def run(self, block, text=None, cwd=None, **env):
        env = harness.base_env(
            PATH=os.path.join(self.path, "build") + os.pathsep + os.environ.get("PATH", ""), **env)
        done = subprocess.run(["bash", "-e", "-o", "pipefail", "-x", "-c", text or block.text],
                              cwd=cwd or self.path, env=env, capture_output=True, text=True,
                              timeout=RUN_TIMEOUT_S, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise AssertionError(f"{block.where()} exits {done.returncode}\n--- stdout:\n{done.stdout}"
                                 f"\n--- stderr (bash -x):\n{done.stderr}")
        return done.stdout


class DocsExamplesTest(harness.LoomTestCase):
    def block(self, name):
        blocks = runnable_blocks()
        self.assertIn(name, blocks, f"no block of the docs is marked `docs-test: run {name}`")
        return blocks[name]

    def demo_server(self):
        root = tempfile.mkdtemp(prefix="loom-docs-server-")
        self.addCleanup(shutil.rmtree, root, ignore_errors=True)
        # admin_token None: the token is the demo's own, from <data_dir>/demo.env.
        return self.new_server(demo=True, root=root, data_dir=os.path.join(root, "data"),
                               admin_token=None)

    def test_every_command_block_says_whether_it_runs(self):
        handled = {name[len("test_block_"):].replace("_", "-") for name in dir(self)
                   if name.startswith("test_block_")}
        unmarked, unknown, seen = [], [], set()
        for b in doc_blocks():
            if b.language not in CHECKED_LANGUAGES or b.path in UNMARKED:
                continue
            m = MARKER_RE.match(b.marker)
            if not m:
                unmarked.append(b.where())
            elif m.group(1):
                seen.add(m.group(1))
                if m.group(1) not in handled:
                    unknown.append(f"{b.where()}: {m.group(1)}")
        self.assertEqual(unmarked, [], "blocks without a `<!-- docs-test: run NAME -->` or "
                                       "`<!-- docs-test: not run (reason) -->` line before them")
        self.assertEqual(unknown, [], "blocks marked to run that no test_block_* method runs")
        self.assertEqual(sorted(handled - seen), [], "test_block_* methods whose block is gone")

    # ---- README.md ----

    def test_block_readme_walkthrough(self):
        block = self.block("readme-walkthrough")
        server = self.demo_server()
        work = Workdir(self, data_dir=server.data_dir)
        text = substitute(block.text, {"localhost:8080": f"127.0.0.1:{server.port}"})
        out = work.run(block, text, LOOM_ONCALL_SERVER=server.url)
        # Who is on call: the demo's users, one per role.
        for user in ("demo-primary", "demo-secondary", "demo-manager", "demo-security"):
            self.assertIn(user, out)
        incident = server.get_json("/v1/incidents/INC-1", token=server.admin_token)
        self.assertEqual(incident["title"], "LOOM /ready failing")
        self.assertEqual(incident["state"], "acknowledged")
        # The walkthrough acts as the person demo-primary (a token bound to that user).
        self.assertEqual(incident["commander"], "user:demo-primary")
        update = [e for e in incident["timeline"] if e["type"] == "incident.status_update"]
        self.assertEqual(len(update), 1, incident["timeline"])
        self.assertEqual(update[0]["data"]["impact"], "messaging down")
        self.assertEqual(update[0]["data"]["scope"], "loom-1")
        # `incident show INC-1` printed it, with the update.
        self.assertIn("messaging down", out)
        # The primary on call was paged, the escalation manager notified (the comment's promise).
        roles = server.get_json("/v1/oncall?service=loom", token=server.admin_token)["roles"]
        pages = server.get_json("/v1/incidents/INC-1/notifications", token=server.admin_token)
        sent = {(n["user"], n["role"]) for n in pages["notifications"]}
        self.assertIn((roles["primary"]["user"], "primary"), sent)
        self.assertIn((roles["escalation_manager"]["user"], "escalation_manager"), sent)

    def test_block_readme_evidence_check(self):
        block = self.block("readme-evidence-check")
        out = Workdir(self).run(block)
        self.assertRegex(out, r"(?m)^PASS")
        self.assertNotRegex(out, r"(?m)^ERROR")

    # ---- docs/INCIDENT-RESPONSE-ONCALL.md ----

    def test_runbook_evidence_line(self):
        block = self.block("runbook-evidence")
        self.assertEqual(block.text.strip(), "npm run check:incident-response")
        if shutil.which("npm") is None:
            raise AssertionError("npm is not installed (scripts/setup.sh installs it)")
        # package.json's script runs ${LOOM_ONCALL_BIN:-build/loom-oncall} in the checkout.
        out = Workdir(self).run(block, cwd=ROOT, LOOM_ONCALL_BIN=harness.binary())
        self.assertRegex(out, r"(?m)^PASS")
        self.assertNotRegex(out, r"(?m)^ERROR")

    # ---- docs/drills.md ----

    def test_block_drills_cli(self):
        self.run_drill_blocks(check_server=False)

    def test_block_drills_check_server(self):
        self.run_drill_blocks(check_server=True)

    def run_drill_blocks(self, check_server):
        block = self.block("drills-cli")
        server = self.demo_server()
        # Six incidents first, so that the drill is INC-7, the id the example uses.
        for i in range(6):
            resp = server.enqueue(harness.pd_trigger(routing_key=server.demo_key,
                                                     dedup_key=harness.unique(f"docs-{i}")))
            self.assertAccepted(resp)
        created = server.api("POST", "/v1/tokens", {"name": "docs-responder", "role": "responder"},
                             token=server.admin_token)
        self.assertEqual(created.status, 201, created)
        responder = created.json()["token"]
        work = Workdir(self)
        text = substitute(block.text, {"http://127.0.0.1:8080": server.url,
                                       "<responder token>": responder})
        out = work.run(block, text)
        self.assertIn("drill started: INC-7", out)
        drills = server.get_json("/v1/drills", token=server.admin_token)
        self.assertEqual([(d["id"], d["state"]) for d in drills["drills"]], [("INC-7", "closed")])
        # The notes file, written by the server into drills.dir under its working directory.
        notes = os.listdir(os.path.join(server.cwd, "ops", "incidents", "drills"))
        self.assertEqual(len(notes), 1, notes)
        with open(os.path.join(server.cwd, "ops", "incidents", "drills", notes[0])) as f:
            self.assertIn("The first status update had no ETA", f.read())
        if not check_server:
            return
        check = self.block("drills-check-server")
        text = substitute(check.text, {"http://127.0.0.1:8080": server.url})
        out = work.run(check, text, LOOM_ONCALL_TOKEN=responder)
        self.assertRegex(out, r"(?m)^PASS\s+drills\b")
        live = json.loads(out[out.index("\n{") + 1:])["live"]  # the second command's JSON
        self.assertEqual(live["drills"]["last_30_days"], 1)
        self.assertEqual(live["drills_excluded"], 1, "the drill counted in the response figures")

    # ---- docs/maintenance.md ----

    def test_block_maintenance_cli(self):
        block = self.block("maintenance-cli")
        server = self.demo_server()
        created = server.api("POST", "/v1/tokens", {"name": "docs-responder", "role": "responder"},
                             token=server.admin_token)
        self.assertEqual(created.status, 201, created)
        text = substitute(block.text, {"http://127.0.0.1:8080": server.url,
                                       "<responder token>": created.json()["token"]})
        out = Workdir(self).run(block, text)
        self.assertIn("Scheduled maintenance window 1 on loom (active)", out)
        self.assertIn("Ended maintenance window 1 on loom (past)", out)
        listed = server.get_json("/v1/maintenance", token=server.admin_token)
        self.assertEqual([(w["id"], w["ended_by"]) for w in listed["past"]],
                         [(1, "token:docs-responder")])
        weekly = [w for w in listed["active"] + listed["scheduled"] if w["weekly"]]
        self.assertEqual([(w["id"], w["weekly"]) for w in weekly],
                         [(2, {"days": "sat,sun", "from": "02:00", "to": "04:00",
                               "time_zone": "Europe/Berlin"})])

    # ---- docs/webhooks.md ----

    def test_block_webhooks_verify(self):
        block = self.block("webhooks-verify")
        namespace = {}
        exec(compile(block.text, block.where(), "exec"), namespace)  # the example, as written
        verify = namespace["verify"]
        with open(os.path.join(ROOT, block.path), encoding="utf-8") as f:
            doc = f.read()
        m = re.search(r"secret\s+`(whsec_[^`]+)`, id `([^`]+)`, timestamp\s+`(\d+)`, body `([^`]+)`"
                      r"\s+→\s+`(v1,[^`]+)`", doc)
        self.assertIsNotNone(m, f"{block.path}: the test vector is not where it was")
        secret, msg_id, timestamp, body, signature = m.groups()
        headers = {"webhook-id": msg_id, "webhook-timestamp": timestamp,
                   "webhook-signature": signature}
        # The doc's own way of checking the vector: its timestamp as "now".
        self.assertIsNone(verify(secret, headers, body.encode(), now=int(timestamp)))
        # A rotation: the older secret's signature first, the matching one second.
        rotated = dict(headers, **{"webhook-signature": "v1,AAAA" + signature[7:] + " " + signature})
        self.assertIsNone(verify(secret, rotated, body.encode(), now=int(timestamp) + 299))
        with self.assertRaisesRegex(ValueError, "no valid signature"):
            verify(secret, headers, body.encode() + b" ", now=int(timestamp))
        # Without `now`, the 2021 vector is a replay, as the doc says.
        with self.assertRaisesRegex(ValueError, "timestamp out of tolerance"):
            verify(secret, headers, body.encode())

    def test_webhook_ids_in_the_docs_have_the_servers_form(self):
        # The server's ids are "msg_" and 32 hex digits (src/engine/delivery_rules.cc), and the
        # header, the body's "id" and the doc's examples all show that form.
        with open(os.path.join(ROOT, "docs", "webhooks.md"), encoding="utf-8") as f:
            doc = f.read()
        ids = re.findall(r'webhook-id: (\S+)', doc) + re.findall(r'"id":\s*"(msg_[^"]*|ntf-[^"]*)"', doc)
        self.assertGreaterEqual(len(ids), 2, ids)
        for value in ids:
            self.assertRegex(value, r"^msg_[0-9a-f]{32}$")


class ExampleConfigurationTest(harness.LoomTestCase):
    """config/loom-oncall.example.yaml runs as its first lines say, and says what is reserved as
    docs/configuration.md does."""

    EXAMPLE = os.path.join(ROOT, "config", "loom-oncall.example.yaml")

    def read(self):
        with open(self.EXAMPLE, encoding="utf-8") as f:
            return f.read()

    def test_serves_as_its_header_says(self):
        text = self.read()
        self.assertIn("loom-oncall serve --config config/loom-oncall.example.yaml", text)
        server = harness.Server(config_text=text, env={"LOOM_ONCALL_KEY_LOOM": harness.LOOM_KEY})
        self.addCleanup(server.cleanup)
        # Its relative runbook path: the server runs from a checkout.
        os.symlink(os.path.join(ROOT, "docs"), os.path.join(server.cwd, "docs"))
        server.start()
        services = server.get_json("/v1/services", token=server.admin_token)["services"]
        self.assertEqual([s["id"] for s in services], ["loom"])
        self.assertAccepted(server.enqueue(harness.pd_trigger(dedup_key=harness.unique("example"))))
        # The drills section is read (not reserved): the schedule is the file's.
        schedule = server.get_json("/v1/drills", token=server.admin_token)["schedule"]
        self.assertEqual(schedule["dir"], "ops/incidents/drills")
        self.assertEqual(schedule["alternate"], ["availability", "security"])
        self.assertEqual(schedule["service"], "loom")
        server.stop_ok(self)

    def test_reserved_sections_are_the_ones_the_reference_reserves(self):
        with open(os.path.join(ROOT, "docs", "configuration.md"), encoding="utf-8") as f:
            reference = f.read()
        section = reference.split("## Reserved sections", 1)[1].split("\n## ", 1)[0]
        reserved = set(re.findall(r"`([a-z_]+)`", section))
        self.assertTrue(reserved, "docs/configuration.md lists no reserved section")
        lines = [line for line in self.read().split("\n") if re.search(r"reserved", line, re.I)]
        self.assertTrue(lines, "the example no longer says what is reserved")
        # Each line calling something reserved names exactly the reference's reserved sections
        # (not postgres, drills or probe, which the server reads).
        for line in lines:
            self.assertEqual(set(re.findall(r"`([a-z_]+)`", line)), reserved, line)


if __name__ == "__main__":
    unittest.main()
