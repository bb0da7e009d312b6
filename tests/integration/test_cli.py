"""The command line: `loom-oncall incident ...`, `token create` against a running server, and
`serve` itself (configuration errors, --demo)."""

import json
import os
import socket
import subprocess
import unittest

import harness
from harness import ADMIN_TOKEN, LOOM_KEY, pd_trigger, run_cli, unique


def only_line(testcase, text):
    lines = text.strip().splitlines()
    testcase.assertEqual(len(lines), 1, f"expected a one-line reason, got {text!r}")
    testcase.assertTrue(lines[0].strip())
    return lines[0]


def incidents_of(listing):
    """`incident list --json` may print {"incidents": [...]} (the API's shape) or a bare list."""
    if isinstance(listing, dict):
        return listing["incidents"]
    return listing


class IncidentCliTest(harness.ServerTestCase):

    def cli(self, *args, token=ADMIN_TOKEN, server=None):
        env = {"LOOM_ONCALL_SERVER": server or self.server.url, "LOOM_ONCALL_TOKEN": token}
        return run_cli(list(args), env=env)

    def ok(self, *args, **kw):
        p = self.cli(*args, **kw)
        self.assertEqual(p.returncode, 0, f"loom-oncall {' '.join(args)}: stdout={p.stdout!r} "
                                          f"stderr={p.stderr!r}")
        return p

    def new_incident(self, summary=None):
        key = unique("cli")
        r = self.server.enqueue(pd_trigger(dedup_key=key, summary=summary or f"CLI test {key}"))
        self.assertEqual(r.status, 202, r)
        [incident] = self.server.incidents_by_dedup_key(key)
        return incident

    def test_list_human_and_json(self):
        incident = self.new_incident(summary=unique("Disk almost full on loom-node-2"))
        human = self.ok("incident", "list").stdout
        self.assertIn(incident["id"], human)
        self.assertIn(incident["title"], human)
        listing = incidents_of(json.loads(self.ok("incident", "list", "--json").stdout))
        found = [i for i in listing if i["id"] == incident["id"]]
        self.assertEqual(len(found), 1, listing)
        self.assertEqual(found[0]["state"], "triggered")
        self.assertEqual(found[0]["severity"], "sev1")

    def test_show_json_has_the_timeline(self):
        incident = self.new_incident()
        shown = json.loads(self.ok("incident", "show", incident["id"], "--json").stdout)
        self.assertEqual(shown["id"], incident["id"])
        self.assertEqual(shown["title"], incident["title"])
        self.assertTrue(shown["timeline"])
        human = self.ok("incident", "show", incident["id"]).stdout
        self.assertIn(incident["id"], human)
        self.assertIn(incident["title"], human)

    def test_ack_note_resolve(self):
        iid = self.new_incident()["id"]
        self.ok("incident", "ack", iid)
        self.assertEqual(self.server.incident(iid)["state"], "acknowledged")
        self.ok("incident", "note", iid, "rolled back deploy 42")
        self.assertIn("rolled back deploy 42", str(self.server.incident(iid)["timeline"]))
        self.ok("incident", "resolve", iid)
        self.assertEqual(self.server.incident(iid)["state"], "resolved")

    def test_action_json_output_is_the_incident(self):
        iid = self.new_incident()["id"]
        body = json.loads(self.ok("incident", "ack", iid, "--json").stdout)
        self.assertEqual(body["id"], iid)
        self.assertEqual(body["state"], "acknowledged")

    def test_server_and_token_as_flags(self):
        iid = self.new_incident()["id"]
        p = run_cli(["incident", "list", "--json", "--server", self.server.url,
                     "--token", ADMIN_TOKEN])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(iid, [i["id"] for i in incidents_of(json.loads(p.stdout))])

    def test_unknown_incident_exits_4_with_one_line(self):
        for verb in ("show", "ack", "resolve"):
            with self.subTest(verb=verb):
                p = self.cli("incident", verb, "INC-999999")
                self.assertEqual(p.returncode, 4, p.stderr)
                self.assertIn("INC-999999", only_line(self, p.stderr))

    def test_illegal_transition_exits_5_with_the_reason(self):
        iid = self.new_incident()["id"]
        self.ok("incident", "ack", iid)
        p = self.cli("incident", "ack", iid)
        self.assertEqual(p.returncode, 5, p.stderr)
        self.assertIn("acknowledged", only_line(self, p.stderr))

    def test_bad_token_exits_3_with_one_line(self):
        p = self.cli("incident", "list", token="not-a-valid-token")
        self.assertEqual(p.returncode, 3, p.stderr)
        only_line(self, p.stderr)

    def test_no_server_running_fails_with_one_line(self):
        url = f"http://127.0.0.1:{harness.free_port()}"
        p = self.cli("incident", "list", server=url)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("127.0.0.1", only_line(self, p.stderr))

    def test_token_create_makes_a_working_token_with_that_role(self):
        p = self.ok("token", "create", "--role", "viewer", "--json")
        created = json.loads(p.stdout)
        self.assertEqual(created["role"], "viewer")
        token = created["token"]
        iid = self.new_incident()["id"]
        self.assertEqual(self.server.api("GET", "/v1/incidents", token=token).status, 200)
        self.assertEqual(self.server.api("POST", f"/v1/incidents/{iid}/acknowledge", {},
                                         token=token).status, 403)
        p = self.cli("incident", "ack", iid, token=token)
        self.assertEqual(p.returncode, 3, p.stderr)
        only_line(self, p.stderr)

    def test_token_create_for_an_unknown_user_is_refused(self):
        # This server configures no users: a token cannot be bound to one (the README's
        # walkthrough binds one to demo-primary and acts as that user).
        p = self.cli("token", "create", "--role", "responder", "--user", "nobody")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("/user is not a user", only_line(self, p.stderr))

    def test_token_names_are_one_printable_line(self):
        for name in ("ci\nforged: line", "tab\tname", "bell\x07"):
            with self.subTest(name=name):
                p = self.cli("token", "create", "--role", "viewer", "--name", name)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(p.stderr, "error: invalid token request: /name must not contain "
                                           "control characters (newline, tab, NUL, ...) "
                                           "(HTTP 400)\n")

    def test_commander_must_be_a_configured_user(self):
        # This server configures no users: nobody can be named, as with reassign.
        iid = self.new_incident()["id"]
        p = self.cli("incident", "commander", iid, "alcie")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stderr, "error: unknown user 'alcie': /commander is not a configured "
                                   "user (HTTP 400)\n")
        self.assertIsNone(self.server.incident(iid)["commander"])

    def test_close_before_the_final_summary_says_what_to_write(self):
        iid = self.new_incident()["id"]
        self.ok("incident", "ack", iid)
        self.ok("incident", "resolve", iid)
        p = self.cli("incident", "close", iid)
        self.assertEqual(p.returncode, 5, p.stderr)
        self.assertEqual(p.stderr,
                         f"error: {iid} cannot close before its final summary is written: root "
                         f"cause, customer impact, remediation and follow-ups (PUT "
                         f"/v1/incidents/{iid}/summary, or the incident's page in the web "
                         f"console) (HTTP 409)\n")


INVALID_CONFIGS = [
    # (description, yaml text with the bad line marked "# <-", key path the message must name)
    ("integration key is not 32 hex",
     """services:
  - id: loom
    name: LOOM node
    integration_keys:
      - key: "not-hex-at-all"  # <-
""", "services[0].integration_keys[0].key"),
    ("key_env names an unset variable",
     """services:
  - id: loom
    name: LOOM node
    integration_keys:
      - key: "%s"
  - id: other
    name: Other
    integration_keys:
      - key_env: LOOM_ITEST_SURELY_UNSET_VARIABLE  # <-
""" % LOOM_KEY, "services[1].integration_keys[0].key_env"),
    ("rate limit is not a number",
     """services:
  - id: loom
    name: LOOM node
    rate_limit_per_minute: lots  # <-
    integration_keys:
      - key: "%s"
""" % LOOM_KEY, "services[0].rate_limit_per_minute"),
    ("service id is invalid",
     """services:
  - id: "Not A Valid Id!"  # <-
    name: LOOM node
    integration_keys:
      - key: "%s"
""" % LOOM_KEY, "services[0].id"),
]


class ServeCommandTest(harness.LoomTestCase):

    def test_invalid_config_refuses_to_start_and_names_line_and_key(self):
        for description, text, key_path in INVALID_CONFIGS:
            with self.subTest(description):
                server = self.new_server(start=False, config_text=text)
                line = next(n for n, l in enumerate(text.splitlines(), 1) if "# <-" in l)
                try:
                    p = subprocess.run(server.command(), env=server.env, capture_output=True,
                                       text=True, timeout=20, stdin=subprocess.DEVNULL,
                                       cwd=server.cwd)
                except subprocess.TimeoutExpired:
                    self.fail(f"serve kept running with an invalid config ({description})")
                self.assertNotEqual(p.returncode, 0, p.stdout)
                self.assertNotIn("listening on", p.stdout)
                self.assertIn(key_path, p.stderr)
                name = os.path.basename(server.config_path)
                self.assertTrue(f"{name}:{line}:" in p.stderr or f"line {line}" in p.stderr,
                                f"stderr should name line {line}: {p.stderr!r}")

    def test_yaml_syntax_error_names_the_line(self):
        text = "services:\n  - id: loom\n    name: [unclosed\n"
        server = self.new_server(start=False, config_text=text)
        p = subprocess.run(server.command(), env=server.env, capture_output=True, text=True,
                           timeout=20, stdin=subprocess.DEVNULL, cwd=server.cwd)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(os.path.basename(server.config_path), p.stderr)
        self.assertRegex(p.stderr, r"(:\d+:|line \d+)")

    def test_a_directory_given_as_config_is_refused(self):
        server = self.new_server(start=False)
        p = run_cli(["serve", "--config", server.root, "--data-dir", server.data_dir,
                     "--listen", "127.0.0.1:0"], timeout=20)
        self.assertEqual(p.returncode, 2, p.stdout)
        self.assertEqual(p.stderr, f"error: cannot read configuration file {server.root}: it is a "
                                   f"directory (pass the YAML file itself)\n")
        self.assertNotIn("listening on", p.stdout)

    def test_a_demo_that_cannot_bind_leaves_no_new_data_directory(self):
        root = self.new_server(start=False).root
        demo_data = os.path.join(root, "demo-data")
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            listen = f"127.0.0.1:{taken.getsockname()[1]}"
            p = run_cli(["serve", "--demo", "--data-dir", demo_data, "--listen", listen],
                        timeout=20)
            self.assertNotEqual(p.returncode, 0, p.stdout)
            self.assertIn("cannot start the HTTP server", p.stderr)
            if os.path.exists(demo_data):
                self.fail(f"a failed start left {sorted(os.listdir(demo_data))} behind")
            # A data directory that was there before is left as it was.
            os.mkdir(demo_data)
            with open(os.path.join(demo_data, "notes.txt"), "w") as f:
                f.write("mine\n")
            p = run_cli(["serve", "--demo", "--data-dir", demo_data, "--listen", listen],
                        timeout=20)
            self.assertNotEqual(p.returncode, 0, p.stdout)
            self.assertTrue(os.path.exists(os.path.join(demo_data, "notes.txt")))

    def test_missing_config_file_fails_with_one_line(self):
        p = run_cli(["serve", "--config", "/nonexistent/loom-oncall.yaml", "--listen",
                     "127.0.0.1:0"], timeout=20)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("/nonexistent/loom-oncall.yaml", p.stderr)

    def test_database_is_created_in_the_data_dir_given_on_the_command_line(self):
        server = self.new_server()
        key = unique("where")
        self.assertEqual(server.enqueue(pd_trigger(dedup_key=key)).status, 202)
        server.stop_ok(self)
        self.assertIn("loom-oncall.db", os.listdir(server.data_dir),
                      f"--data-dir {server.data_dir} holds {os.listdir(server.data_dir)}; "
                      f"the working directory holds {os.listdir(server.cwd)}")
        self.assertEqual(os.listdir(server.cwd), [], "serve wrote into its working directory")
        db = server.open_db()
        try:
            rows = db.execute("SELECT count(*) FROM incidents WHERE dedup_key = ?", (key,))
            self.assertEqual(rows.fetchone()[0], 1)
        finally:
            db.close()

    def test_demo_prints_a_working_key_and_keeps_it_across_restarts(self):
        server = self.new_server(demo=True, admin_token=None)
        env_file = server.demo_env()
        self.assertEqual(env_file.get("LOOM_ONCALL_KEY_LOOM"), server.demo_key)
        self.assertTrue(server.admin_token, "demo.env must hold LOOM_ONCALL_ADMIN_TOKEN")
        mode = os.stat(os.path.join(server.data_dir, "demo.env")).st_mode & 0o777
        self.assertEqual(mode & 0o077, 0, f"demo.env holds secrets: mode {oct(mode)}")
        key = unique("demo")
        r = server.enqueue(pd_trigger(server.demo_key, dedup_key=key))
        self.assertEqual(r.status, 202, r)
        self.assertEqual(len(server.incidents_by_dedup_key(key, "loom")), 1)
        first_key = server.demo_key
        server.stop_ok(self)
        server.start()
        self.assertEqual(server.demo_key, first_key)
        self.assertEqual(len(server.incidents_by_dedup_key(key, "loom")), 1)
        server.stop_ok(self)


if __name__ == "__main__":
    unittest.main()
