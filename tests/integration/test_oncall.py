"""On-call schedules end to end (issue "On-call schedules and the escalation engine", schedules
part): the real binary with users, schedules and roles in its config answers who is on call at a
given time (a Europe/Berlin daily 09:00 handoff across the 2026-03-29 DST change), an override made
through the API changes the answer and survives a restart, a calendar-only token reads the .ics
feeds and nothing else, the feed parses in a real iCalendar parser (ical.js, tests/ical) and lists
the same shifts as /shifts, and `loom-oncall oncall` prints the holders."""

import json
import os
import shutil
import subprocess
import unittest
import urllib.parse

import harness
from harness import DEFAULT_CONFIG

ICAL_DIR = os.path.join(os.path.dirname(harness.HERE), "ical")

ONCALL_CONFIG = DEFAULT_CONFIG.replace(
    "  - id: limited\n",
    "    roles: { primary: berlin-daily, secondary: berlin-weekly }\n  - id: limited\n",
    1) + """\
users:
  - { id: alice, name: Alice Example, email: alice@example.com, time_zone: Europe/Berlin }
  - { id: bob, name: Bob Builder, email: bob@example.com }
  - { id: carol, name: Carol Cover }
schedules:
  - id: berlin-daily
    time_zone: Europe/Berlin
    layers: [ { participants: [alice, bob], shift: 1d, handoff: "09:00", start: 2026-03-27 } ]
  - id: berlin-weekly
    time_zone: Europe/Berlin
    layers: [ { participants: [carol, bob], shift: 1w, handoff: "09:00", start: 2026-03-23 } ]
    overrides: [ { user: alice, from: 2026-03-31T12:00, to: 2026-03-31T14:00 } ]
"""


def parse_ics(text):
    """Runs tests/ical/parse_ics.js (ical.js) on `text`; returns its JSON."""
    node = shutil.which("node")
    if node is None:
        raise AssertionError("node is not installed: the iCalendar acceptance test needs Node.js "
                             "and ical.js (run scripts/setup.sh, which installs nodejs and npm and "
                             "runs `npm ci` in tests/ical)")
    if not os.path.isdir(os.path.join(ICAL_DIR, "node_modules", "ical.js")):
        raise AssertionError(f"ical.js is not installed in {ICAL_DIR}/node_modules: run "
                             f"`npm ci` there (scripts/setup.sh does)")
    done = subprocess.run([node, os.path.join(ICAL_DIR, "parse_ics.js")], input=text,
                          capture_output=True, text=True, timeout=60, cwd=ICAL_DIR)
    if done.returncode != 0:
        raise AssertionError(f"ical.js could not parse the feed: {done.stderr}\n{text[:2000]}")
    return json.loads(done.stdout)


def iso(t):
    """RFC 3339 with milliseconds, as the server and parse_ics.js print UTC times."""
    return t if t.endswith(".000Z") else t.replace("Z", ".000Z")


class OnCallTest(harness.LoomTestCase):

    def oncall(self, server, at, service="loom"):
        return server.get_json(f"/v1/oncall?service={service}&at={urllib.parse.quote(at)}")

    def holder(self, server, at, role="primary"):
        return self.oncall(server, at)["roles"][role]["user"]

    def test_daily_berlin_handoff_across_dst(self):
        server = self.new_server(config_text=ONCALL_CONFIG)
        body = self.oncall(server, "2026-03-28T12:00:00Z")
        self.assertEqual(body["service"], "loom")
        primary = body["roles"]["primary"]
        self.assertEqual(primary["user"], "bob")
        self.assertEqual(primary["name"], "Bob Builder")
        self.assertEqual(primary["schedule"], "berlin-daily")
        # 09:00 CEST on the first summer-time day is 07:00 UTC (the day before it was 08:00 UTC).
        self.assertEqual(primary["until"], "2026-03-29T07:00:00.000Z")
        self.assertEqual(self.holder(server, "2026-03-28T07:59:00Z"), "alice")
        self.assertEqual(self.holder(server, "2026-03-28T08:00:00Z"), "bob")
        self.assertEqual(self.holder(server, "2026-03-29T06:59:59Z"), "bob")
        self.assertEqual(self.holder(server, "2026-03-29T07:00:00Z"), "alice")
        self.assertEqual(self.holder(server, "2026-03-30T07:00:00Z"), "bob")
        # Roles without a schedule: nobody; the configured override (12:00-14:00 Berlin) wins.
        self.assertIsNone(body["roles"]["security_lead"]["user"])
        self.assertEqual(self.holder(server, "2026-03-31T10:30:00Z", "secondary"), "alice")
        self.assertEqual(self.holder(server, "2026-03-31T12:30:00Z", "secondary"), "bob")
        # Validation answers problems.
        self.assertProblem(server.api("GET", "/v1/oncall?service=loom&at=noon"), 400,
                           "invalid-argument")
        self.assertProblem(server.api("GET", "/v1/oncall?service=nope"), 404, "not-found")
        shifts = server.api("GET", "/v1/schedules/berlin-daily/shifts"
                            "?from=2026-01-01T00:00:00Z&to=2027-06-01T00:00:00Z")
        self.assertProblem(shifts, 400, "invalid-argument")
        self.assertProblem(server.api("GET", "/v1/schedules/nope/shifts"), 404, "not-found")

    def test_api_override_changes_oncall_and_survives_a_restart(self):
        server = self.new_server(config_text=ONCALL_CONFIG)
        at = "2026-04-01T10:00:00Z"
        self.assertEqual(self.holder(server, at), "bob")
        bad = server.api("POST", "/v1/schedules/berlin-daily/overrides",
                         {"user": "carol", "from": "2026-04-01T12:00:00Z",
                          "to": "2026-04-01T09:00:00Z"})
        self.assertProblem(bad, 400, "invalid-argument")
        self.assertProblem(server.api("POST", "/v1/schedules/berlin-daily/overrides",
                                      {"user": "mallory", "from": "2026-04-01T09:00:00Z",
                                       "to": "2026-04-01T12:00:00Z"}), 400, "invalid-argument")
        self.assertProblem(server.api("POST", "/v1/schedules/nope/overrides",
                                      {"user": "carol", "from": "2026-04-01T09:00:00Z",
                                       "to": "2026-04-01T12:00:00Z"}), 404, "not-found")
        created = server.api("POST", "/v1/schedules/berlin-daily/overrides",
                             {"user": "carol", "from": "2026-04-01T09:00:00Z",
                              "to": "2026-04-01T12:00:00Z"})
        self.assertEqual(created.status, 201, created)
        override_id = created.json()["id"]
        self.assertEqual(self.holder(server, at), "carol")

        server.stop_ok(self)
        server.start()
        self.assertEqual(self.holder(server, at), "carol")
        listed = server.get_json("/v1/schedules/berlin-daily/overrides")["overrides"]
        self.assertEqual([o["id"] for o in listed], [override_id])
        shifts = server.get_json("/v1/schedules/berlin-daily/shifts"
                                 "?from=2026-04-01T08:00:00Z&to=2026-04-01T13:00:00Z")["shifts"]
        self.assertEqual([(s["user"], s["override"]) for s in shifts],
                         [("bob", False), ("carol", True), ("bob", False)])

        deleted = server.api("DELETE", f"/v1/schedules/berlin-daily/overrides/{override_id}")
        self.assertEqual(deleted.status, 200, deleted)
        self.assertEqual(self.holder(server, at), "bob")
        self.assertProblem(
            server.api("DELETE", f"/v1/schedules/berlin-daily/overrides/{override_id}"), 404,
            "not-found")

    def test_calendar_token_reads_only_the_feeds(self):
        server = self.new_server(config_text=ONCALL_CONFIG)
        made = server.api("POST", "/v1/tokens", {"name": "my-calendar", "role": "calendar"})
        self.assertEqual(made.status, 201, made)
        token = made.json()["token"]
        feed = server.request("GET", f"/v1/schedules/berlin-daily/calendar.ics?token={token}")
        self.assertEqual(feed.status, 200, feed)
        self.assertEqual(feed.headers["content-type"], "text/calendar; charset=utf-8")
        self.assertTrue(feed.text.startswith("BEGIN:VCALENDAR\r\n"))
        user_feed = server.request("GET", f"/v1/users/alice/calendar.ics?token={token}")
        self.assertEqual(user_feed.status, 200, user_feed)
        self.assertProblem(server.request("GET", "/v1/incidents", token=token), 403,
                           "permission-denied")
        self.assertProblem(server.request("GET", "/v1/oncall?service=loom", token=token), 403,
                           "permission-denied")
        self.assertProblem(server.request("GET", "/v1/schedules/berlin-daily/calendar.ics"), 401,
                           "unauthenticated")
        # The token never reaches the server's log.
        server.stop_ok(self)
        with open(server.stderr_path, encoding="utf-8", errors="replace") as f:
            self.assertNotIn(token, f.read())

    def test_ical_feed_parses_and_lists_the_same_shifts(self):
        server = self.new_server(config_text=ONCALL_CONFIG)
        window = "from=2026-03-25T00:00:00Z&to=2026-04-10T00:00:00Z"
        for schedule in ("berlin-daily", "berlin-weekly"):
            with self.subTest(schedule):
                ics = server.api("GET", f"/v1/schedules/{schedule}/calendar.ics?{window}")
                self.assertEqual(ics.status, 200, ics)
                parsed = parse_ics(ics.text)
                self.assertEqual(parsed["name"], f"On call: {schedule}")
                shifts = server.get_json(f"/v1/schedules/{schedule}/shifts?{window}")["shifts"]
                names = {u["id"]: u["name"] for u in server.get_json("/v1/users")["users"]}
                expected = [(iso(s["start"]), iso(s["end"]), names[s["user"]])
                            for s in shifts if s["user"] is not None]
                got = [(e["start"], e["end"], e["summary"]) for e in parsed["events"]]
                self.assertEqual(len(got), len(expected), got)
                for (start, end, name), (g_start, g_end, summary) in zip(expected, got):
                    self.assertEqual((g_start, g_end), (start, end))
                    self.assertIn(name, summary)
                self.assertEqual(len({e["uid"] for e in parsed["events"]}), len(got))
        # The default window parses too, and UIDs are stable from one fetch to the next.
        first = parse_ics(server.api("GET", "/v1/schedules/berlin-daily/calendar.ics").text)
        second = parse_ics(server.api("GET", "/v1/schedules/berlin-daily/calendar.ics").text)
        self.assertEqual([e["uid"] for e in first["events"]],
                         [e["uid"] for e in second["events"]])
        self.assertTrue(first["events"])

    def test_oncall_cli(self):
        server = self.new_server(config_text=ONCALL_CONFIG)
        done = harness.run_cli(["oncall", "--service", "loom", "--at", "2026-03-29T07:00:00Z",
                                "--server", server.url],
                               env={"LOOM_ONCALL_TOKEN": server.admin_token})
        self.assertEqual(done.returncode, 0, done.stderr)
        lines = done.stdout.splitlines()
        self.assertEqual(lines[0], "service loom at 2026-03-29T07:00:00.000Z")
        self.assertRegex(lines[1], r"^ROLE\s+USER\s+UNTIL$")
        self.assertRegex(lines[2], r"^primary\s+Alice Example \(alice\)\s+2026-03-30T07:00:00\.000Z$")
        self.assertRegex(lines[3], r"^secondary\s+Carol Cover \(carol\)\s+2026-03-30T07:00:00\.000Z$")
        self.assertRegex(lines[5], r"^security_lead\s+\(nobody\)\s+")
        bad = harness.run_cli(["oncall", "--service", "nope", "--server", server.url],
                              env={"LOOM_ONCALL_TOKEN": server.admin_token})
        self.assertEqual(bad.returncode, 4, bad)
        self.assertEqual(bad.stderr.count("\n"), 1, bad.stderr)
        self.assertTrue(bad.stderr.startswith("error: "), bad.stderr)


if __name__ == "__main__":
    unittest.main()
