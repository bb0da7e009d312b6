"""On-call schedules end to end (issue "On-call schedules and the escalation engine", schedules
part): the real binary with users, schedules and roles in its config answers who is on call at a
given time (a Europe/Berlin daily 09:00 handoff across the 2026-03-29 DST change), an override made
through the API changes the answer and survives a restart, a calendar-only token reads the .ics
feeds and nothing else, the feed parses in a real iCalendar parser (ical.js, tests/ical) and lists
the same shifts as /shifts, and `loom-oncall oncall` prints the holders. Around Lord_Howe's
30-minute daylight-saving changes /v1/oncall, /shifts and the feed agree with python's zoneinfo
(issue 16, item 12), and a one-person rotation's `until` is null."""

import bisect
import json
import os
import shutil
import subprocess
import unittest
import urllib.parse
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

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

# Australia/Lord_Howe moves its clocks by 30 minutes: handoffs and restriction windows inside the
# repeated half hour (2026-04-05 01:30-02:00, first +11:00 then +10:30) and the skipped one
# (2026-10-04 02:00-02:30). `solo` is a one-person rotation.
DST_SCHEDULES = {
    "lhi-fall": [  # the window closes, and the second layer hands off, inside the repeat
        {"participants": ["alice"], "shift": 7 * 1440, "handoff": "09:00", "start": "2026-03-23",
         "restrictions": []},
        {"participants": ["bob", "carol"], "shift": 720, "handoff": "01:45", "start": "2026-03-29",
         "restrictions": [("mon-sun", "22:00", "01:50")]}],
    "lhi-open": [  # the window opens, and the second layer hands off, inside the repeat
        {"participants": ["alice"], "shift": 7 * 1440, "handoff": "09:00", "start": "2026-03-23",
         "restrictions": []},
        {"participants": ["bob", "carol"], "shift": 1440, "handoff": "01:35",
         "start": "2026-03-29", "restrictions": [("sat,sun", "01:40", "06:00")]}],
    "lhi-spring": [  # the handoff and the window's end fall in or just after the gap
        {"participants": ["alice"], "shift": 7 * 1440, "handoff": "09:00", "start": "2026-09-01",
         "restrictions": []},
        {"participants": ["bob", "carol"], "shift": 1440, "handoff": "02:15",
         "start": "2026-09-27", "restrictions": [("mon-sun", "22:00", "02:45")]}],
    "solo": [{"participants": ["carol"], "shift": 7 * 1440, "handoff": "09:00",
              "start": "2026-03-02", "restrictions": []}],
}
DST_ROLES = {"primary": "lhi-fall", "secondary": "lhi-open", "escalation_manager": "lhi-spring",
             "security_lead": "solo"}


def dst_config():
    def minutes(m):
        return f"{m // 1440}d" if m % 1440 == 0 else f"{m // 60}h"
    text = """\
users:
  - { id: alice, name: Alice Example }
  - { id: bob, name: Bob Builder }
  - { id: carol, name: Carol Cover }
schedules:
"""
    for sid, layers in DST_SCHEDULES.items():
        text += f"  - id: {sid}\n    time_zone: Australia/Lord_Howe\n    layers:\n"
        for layer in layers:
            windows = ", ".join(f'{{ days: "{d}", from: "{f}", to: "{t}" }}'
                                for d, f, t in layer["restrictions"])
            text += (f"      - {{ participants: [{', '.join(layer['participants'])}], "
                     f"shift: {minutes(layer['shift'])}, handoff: \"{layer['handoff']}\", "
                     f"start: {layer['start']}, restrictions: [{windows}] }}\n")
    roles = ", ".join(f"{role}: {sid}" for role, sid in DST_ROLES.items())
    service = f"    roles: {{ {roles} }}\n  - id: limited\n"
    return DEFAULT_CONFIG.replace("  - id: limited\n", service, 1) + text


class LordHowe:
    """Who is on call, computed independently of the server: python's zoneinfo for the zone and
    the rule of docs/configuration.md for local times (a repeated one is its first occurrence, a
    skipped one the first instant after the gap)."""

    ZONE = ZoneInfo("Australia/Lord_Howe")
    DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    @classmethod
    def instant(cls, local):
        first = local.replace(tzinfo=cls.ZONE, fold=0)
        utc = first.astimezone(timezone.utc)
        if utc.astimezone(cls.ZONE).replace(tzinfo=None) == local:
            return utc  # exists; fold=0 is the first of two occurrences
        # Skipped: fold=1 reads it with the offset after the change, an instant before the gap;
        # the gap ends at the first minute from there with that offset.
        after = local.replace(tzinfo=cls.ZONE, fold=1).utcoffset()
        u = local.replace(tzinfo=cls.ZONE, fold=1).astimezone(timezone.utc)
        while u.astimezone(cls.ZONE).utcoffset() != after:
            u += timedelta(minutes=1)
        return u

    @classmethod
    def weekdays(cls, text):
        out = set()
        for part in text.split(","):
            a, _, b = part.partition("-")
            i, j = cls.DAYS.index(a), cls.DAYS.index(b or a)
            while True:
                out.add(i)
                if i == j:
                    break
                i = (i + 1) % 7
        return out

    def __init__(self, layers, until):
        """`until`: the last instant asked about, plus the 90 days `until` looks ahead."""
        self.layers = []
        for layer in layers:
            start = datetime.combine(date.fromisoformat(layer["start"]),
                                     time.fromisoformat(layer["handoff"]))
            handoffs = []
            k = 0
            while not handoffs or handoffs[-1] <= until:
                handoffs.append(self.instant(start + timedelta(minutes=k * layer["shift"])))
                k += 1
            windows = []
            if layer["restrictions"]:
                day = date.fromisoformat(layer["start"]) - timedelta(days=2)
                while datetime.combine(day, time()).replace(tzinfo=timezone.utc) <= until:
                    for days, f, t in layer["restrictions"]:
                        if day.weekday() not in self.weekdays(days):
                            continue
                        f, t = time.fromisoformat(f), time.fromisoformat(t)
                        end_day = day + timedelta(days=1) if t <= f else day
                        if t == f:
                            f = t = time()
                        windows.append((self.instant(datetime.combine(day, f)),
                                        self.instant(datetime.combine(end_day, t))))
                    day += timedelta(days=1)
            self.layers.append((layer["participants"], handoffs, windows))
        self.changes = sorted({c for _, h, w in self.layers for c in h + [x for p in w for x in p]})

    def holder(self, t):
        for participants, handoffs, windows in reversed(self.layers):
            k = bisect.bisect_right(handoffs, t) - 1
            if k < 0:
                continue
            if windows and not any(a <= t < b for a, b in windows):
                continue
            return participants[k % len(participants)]
        return None

    def until(self, t):
        """The end of the turn of whoever holds the schedule at `t`, None beyond 90 days."""
        who = self.holder(t)
        for c in self.changes[bisect.bisect_right(self.changes, t):]:
            if c > t + timedelta(days=90):
                break
            if self.holder(c) != who:
                return c
        return None


def utc(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def rfc3339(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


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

    def test_lord_howe_one_answer_across_half_hour_changes(self):
        """/v1/oncall (holder and `until`), /shifts from windows starting anywhere around the
        change, and the calendar feed agree with each other and with zoneinfo, every five minutes
        around both 2026 changes; the one-person rotation's turn has no end (`until` null)."""
        server = self.new_server(config_text=dst_config())
        names = {"alice": "Alice Example", "bob": "Bob Builder", "carol": "Carol Cover"}
        for change in ("2026-04-04T15:00:00Z", "2026-10-03T15:30:00Z"):
            first = utc(change) - timedelta(hours=5)
            samples = [first + timedelta(minutes=5 * i) for i in range(12 * 8 + 1)]
            models = {sid: LordHowe(layers, samples[-1] + timedelta(days=91))
                      for sid, layers in DST_SCHEDULES.items()}
            for t in samples:
                roles = self.oncall(server, rfc3339(t))["roles"]
                for role, sid in DST_ROLES.items():
                    want = models[sid].holder(t)
                    until = models[sid].until(t)
                    got = roles[role]
                    self.assertEqual((got["user"], got["until"]),
                                     (want, rfc3339(until) if until else None),
                                     f"/v1/oncall {role} ({sid}) at {rfc3339(t)}")
            for sid, model in models.items():
                if sid == "solo":
                    continue
                for start in samples[::5]:
                    end = start + timedelta(hours=12)
                    shifts = server.get_json(f"/v1/schedules/{sid}/shifts?from={rfc3339(start)}"
                                             f"&to={rfc3339(end)}")["shifts"]
                    for t in samples:
                        if not start <= t < end:
                            continue
                        covering = [s["user"] for s in shifts
                                    if utc(s["start"]) <= t < utc(s["end"])]
                        self.assertEqual(covering, [model.holder(t)],
                                         f"/shifts of {sid} from {rfc3339(start)} at "
                                         f"{rfc3339(t)}")
                window = f"from={rfc3339(first)}&to={rfc3339(samples[-1] + timedelta(hours=1))}"
                events = parse_ics(server.api(
                    "GET", f"/v1/schedules/{sid}/calendar.ics?{window}").text)["events"]
                for t in samples:
                    covering = [e["summary"] for e in events
                                if utc(e["start"]) <= t < utc(e["end"])]
                    want = model.holder(t)
                    self.assertEqual(len(covering), 1 if want else 0, f"feed of {sid} at {t}")
                    if want:
                        self.assertIn(names[want], covering[0], f"feed of {sid} at {t}")
        solo = self.oncall(server, "2026-04-04T15:00:00Z")["roles"]["security_lead"]
        self.assertEqual((solo["user"], solo["until"]), ("carol", None))


if __name__ == "__main__":
    unittest.main()
