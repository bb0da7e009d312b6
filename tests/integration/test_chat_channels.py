"""Microsoft Teams and Mattermost end to end (issue 19, "Wake the person on call"): the real
binary pages the primary through a local Teams Workflows webhook and a local Mattermost incoming
webhook (chat_fakes.py), and the person acknowledges the way each allows — Teams: the card's
Acknowledge button opens our one-click page (GET shows a confirmation, its POST acknowledges);
Mattermost: the button's callback with the context we sent. Then the incident is acknowledged,
the secondary is never paged, and the timeline names the channel. A forged or replayed
Mattermost callback acts on nothing; an incident channel of each type gets the lifecycle posts;
Microsoft's own `adaptivecards` library parses every card we sent without an error."""

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request

import harness
from chat_fakes import MattermostWebhookFake, TeamsWebhookFake
from harness import DEFAULT_CONFIG, LOOM_KEY

ACK_TARGET_S = 4
CARD_CHECKER_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "providers",
                                "teams")


def chat_config(primary_type):
    """Alice (primary) is reached by `primary_type`, Bob (secondary) by Teams; service loom posts
    to a Teams and a Mattermost incident channel. Every webhook URL comes from the environment."""
    return DEFAULT_CONFIG.replace(
        "  - id: limited\n",
        "    roles: { primary: prim, secondary: second }\n"
        "    incident_channels:\n"
        "      - { id: teams-room, type: teams, url_env: TEAMS_ROOM_URL }\n"
        "      - { id: mm-room, type: mattermost, url_env: MM_ROOM_URL }\n"
        "  - id: limited\n",
        1) + f"""\
policy:
  severities:
    sev1: {{ ack_target: {ACK_TARGET_S}s }}
  repeat: 0
users:
  - id: alice
    name: Alice Primary
    email: alice@example.com
    contact_methods: [ {{ id: chat, type: {primary_type}, url_env: ALICE_CHAT_URL }} ]
  - id: bob
    name: Bob Secondary
    email: robert@example.com
    contact_methods: [ {{ id: chat, type: teams, url_env: BOB_TEAMS_URL }} ]
schedules:
  - {{ id: prim, layers: [ {{ participants: [alice], shift: 1w, start: 2026-01-05 }} ] }}
  - {{ id: second, layers: [ {{ participants: [bob], shift: 1w, start: 2026-01-05 }} ] }}
notify:
  allow_hosts: [127.0.0.1]
  bundle_window: 0s
  retry: {{ initial: 1s, max: 2s }}
"""


def sev1(dedup_key, title):
    return {"routing_key": LOOM_KEY, "event_action": "trigger", "dedup_key": dedup_key,
            "payload": {"summary": title, "source": "loom-1", "severity": "critical"}}


def http(method, url, form=False):
    """(status, text) of a plain request to one of our pages (no API token)."""
    data = b"" if method == "POST" else None
    headers = {"Accept": "text/html"}
    if form:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def incident_container(card):
    """The card's first incident (the first Container of its body)."""
    return next(e for e in card["body"] if e["type"] == "Container")


def check_cards(messages):
    """Runs tests/providers/teams/check_cards.mjs (npm adaptivecards) on the webhook bodies."""
    node = shutil.which("node")
    if node is None:
        raise AssertionError("node is not installed: the Teams card check needs Node.js and the "
                             "adaptivecards package (run scripts/setup.sh)")
    if not os.path.isdir(os.path.join(CARD_CHECKER_DIR, "node_modules", "adaptivecards")):
        raise AssertionError(f"adaptivecards is not installed in {CARD_CHECKER_DIR}/node_modules: "
                             f"run `npm ci` there (scripts/setup.sh does)")
    done = subprocess.run([node, "check_cards.mjs"], input=json.dumps(messages),
                          capture_output=True, text=True, timeout=60, cwd=CARD_CHECKER_DIR)
    if done.returncode != 0:
        raise AssertionError(f"adaptivecards reported problems: {done.stdout}\n{done.stderr}")
    return json.loads(done.stdout)


class ChatChannelsTest(harness.LoomTestCase):

    def start(self, primary_type, primary_fake):
        self.teams = TeamsWebhookFake()
        self.mattermost = MattermostWebhookFake()
        self.addCleanup(self.teams.close)
        self.addCleanup(self.mattermost.close)
        self.paths = {"alice": "/alice/hooks/a1b2c3d4e5f6a7b8",
                      "bob": "/workflows/bob0123456789/invoke?sig=BOBSIGNATURE",
                      "teams-room": "/workflows/room0123456789/invoke?sig=ROOMSIGNATURE",
                      "mm-room": "/hooks/room0123456789abcd"}
        env = {"ALICE_CHAT_URL": primary_fake(self).url(self.paths["alice"]),
               "BOB_TEAMS_URL": self.teams.url(self.paths["bob"]),
               "TEAMS_ROOM_URL": self.teams.url(self.paths["teams-room"]),
               "MM_ROOM_URL": self.mattermost.url(self.paths["mm-room"])}
        self.server = self.new_server(config_text=chat_config(primary_type), env=env)

    def trigger(self, title):
        key = harness.unique("chat")
        self.assertEqual(self.server.enqueue(sev1(key, title)).status, 202)
        incident = self.server.incidents_by_dedup_key(key)[0]
        return incident["id"]

    def pages(self, iid):
        sent = self.server.get_json(f"/v1/incidents/{iid}/notifications")["notifications"]
        return [(n["role"], n["user"]) for n in sent if n["kind"] == "page"]

    def assert_acknowledged_via(self, iid, via, actor="user:alice"):
        incident = self.server.incident(iid)
        self.assertEqual(incident["state"], "acknowledged")
        acks = [e for e in incident["timeline"] if e["type"] == "incident.acknowledged"]
        self.assertEqual(len(acks), 1, incident["timeline"])
        self.assertEqual(acks[0]["actor"], actor)
        self.assertEqual(acks[0]["data"].get("via"), via)

    def assert_secondary_never_paged(self, iid):
        time.sleep(ACK_TARGET_S + 1.5)
        self.assertEqual(self.pages(iid), [("primary", "alice")])
        self.assertEqual(self.teams.at(self.paths["bob"]), [])

    def room_posts(self, iid, what):
        """Waits for a post about `iid` for `what` (a timeline event type) in both rooms."""
        teams = self.teams.wait_for(
            self.paths["teams-room"],
            lambda rs: any(iid in json.dumps(r["body"]) and what in json.dumps(r["body"])
                           for r in rs), f"the Teams room's {what} post of {iid}")
        mm = self.mattermost.wait_for(
            self.paths["mm-room"],
            lambda rs: any(iid in json.dumps(r["body"]) and what in json.dumps(r["body"])
                           for r in rs), f"the Mattermost room's {what} post of {iid}")
        return teams, mm

    def test_teams_card_acknowledges_through_the_one_click_page(self):
        self.start("teams", lambda t: t.teams)
        iid = self.trigger("Checkout API down")
        pages = self.teams.wait_for(self.paths["alice"], lambda rs: rs, "Alice's Teams page")
        self.assertEqual(len(pages), 1)
        card = TeamsWebhookFake.cards(pages)[0]
        text = json.dumps(card)
        self.assertIn("Checkout API down", text)
        self.assertIn("Sev1", text)
        self.assertIn(iid, text)
        container = incident_container(card)
        facts = {f["title"]: f["value"] for f in container["items"][1]["facts"]}
        self.assertEqual(facts["Severity"], "Sev1")
        self.assertEqual(facts["State"], "triggered")
        actions = {a["title"]: a for a in container["items"][2]["actions"]}
        self.assertEqual(actions["Acknowledge"]["type"], "Action.OpenUrl")
        ack_url = actions["Acknowledge"]["url"]
        self.assertTrue(ack_url.startswith(self.server.url + "/a/"), ack_url)

        # The Acknowledge button opens the page: GET only shows the confirmation.
        status, page = http("GET", ack_url)
        self.assertEqual(status, 200, page)
        self.assertIn(f"Acknowledge {iid} as alice", page)
        self.assertEqual(self.server.incident(iid)["state"], "triggered")
        # The page's form POSTs to the same URL.
        status, page = http("POST", ack_url, form=True)
        self.assertEqual(status, 200, page)
        self.assertIn(f"{iid} acknowledged by alice via teams", page)
        self.assert_acknowledged_via(iid, "teams")

        # The incident channels heard of the trigger and of the acknowledgement.
        teams_posts, mm_posts = self.room_posts(iid, "incident.acknowledged")
        self.room_posts(iid, "incident.triggered")
        # The room's card has no acknowledge link (a link acts for one person), only Open.
        room_card = TeamsWebhookFake.cards(teams_posts)[0]
        titles = [a["title"] for a in incident_container(room_card)["items"][2]["actions"]]
        self.assertEqual(titles, ["Open"])

        self.assert_secondary_never_paged(iid)
        report = check_cards([r["body"] for r in self.teams.requests])
        self.assertGreaterEqual(len(report), 3)
        self.assertTrue(all(c["version"] == "1.4" and not c["events"] for c in report), report)
        self.assertIn({"type": "Action.OpenUrl", "title": "Acknowledge", "url": ack_url},
                      report[[json.dumps(r["body"]) for r in self.teams.requests].index(
                          json.dumps(pages[0]["body"]))]["actions"])
        self.server.stop_ok(self)

    def acts(self, iid):
        """The incident's timeline without its deliveries: what a callback could have done.
        Posts to the incident channel about earlier changes may still be landing meanwhile."""
        return [e for e in self.server.incident(iid)["timeline"]
                if not e["type"].startswith("notification.")]

    def test_mattermost_button_acknowledges_once_and_forgeries_act_on_nothing(self):
        self.start("mattermost", lambda t: t.mattermost)
        iid = self.trigger("Payments queue stuck")
        posts = self.mattermost.wait_for(self.paths["alice"], lambda rs: rs,
                                         "Alice's Mattermost page")
        post = posts[0]["body"]
        self.assertIn("Payments queue stuck", post["attachments"][0]["title"])
        self.assertIn(iid, post["attachments"][0]["title"])
        fields = {f["title"]: f["value"] for f in post["attachments"][0]["fields"]}
        self.assertEqual(fields["Severity"], "Sev1")
        button = MattermostWebhookFake.button(post)
        self.assertEqual(button["name"], "Acknowledge")
        self.assertEqual(button["integration"]["url"],
                         self.server.url + "/v1/providers/mattermost/action")
        self.assertTrue(post["attachments"][0]["title_link"].startswith(self.server.url + "/a/"))
        before = self.acts(iid)

        # Forged: a made-up secret, or none, is refused and changes nothing.
        forged = dict(button["integration"]["context"], secret="f" * 64)
        status, answer = MattermostWebhookFake.press(button, "alice", context=forged)
        self.assertEqual(status, 403, answer)
        status, answer = MattermostWebhookFake.press(button, "alice", context={})
        self.assertEqual(status, 403, answer)
        self.assertEqual(self.acts(iid), before)

        # The person presses the button (Mattermost's username does not matter on a personal
        # page: the button acts for the person it was sent to).
        status, answer = MattermostWebhookFake.press(button, "alice.m")
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["ephemeral_text"], f"You acknowledged {iid}.")
        self.assertIn("acknowledged by Alice Primary", answer["update"]["message"])
        updated = answer["update"]["props"]["attachments"][0]
        self.assertEqual({f["title"]: f["value"] for f in updated["fields"]}["State"],
                         "acknowledged")
        self.assertNotIn("actions", updated)
        self.assert_acknowledged_via(iid, "mattermost")

        # Replayed: acts on nothing, even once the incident is triggered again.
        timeline = self.acts(iid)
        status, answer = MattermostWebhookFake.press(button, "alice")
        self.assertEqual(status, 200, answer)
        self.assertIn("already used", answer["ephemeral_text"])
        self.assertNotIn("update", answer)
        self.assertEqual(self.acts(iid), timeline)
        self.assert_secondary_never_paged(iid)
        self.assertEqual(self.server.api("POST", f"/v1/incidents/{iid}/unacknowledge").status, 200)
        status, answer = MattermostWebhookFake.press(button, "alice")
        self.assertIn("already used", answer["ephemeral_text"])
        self.assertEqual(self.server.incident(iid)["state"], "triggered")
        self.server.stop_ok(self)

    def test_mattermost_incident_channel_button_acts_as_the_matching_user(self):
        self.start("mattermost", lambda t: t.mattermost)
        iid = self.trigger("Search index stale")
        _, mm_posts = self.room_posts(iid, "incident.triggered")
        post = next(r["body"] for r in mm_posts if "incident.triggered" in json.dumps(r["body"]))
        button = MattermostWebhookFake.button(post)
        self.assertIsNotNone(button, post)
        before = self.acts(iid)

        # A Mattermost user who is none of ours is told so; nothing happens.
        status, answer = MattermostWebhookFake.press(button, "mallory")
        self.assertEqual(status, 200, answer)
        self.assertIn("@mallory is not a loom-oncall user", answer["ephemeral_text"])
        self.assertEqual(self.acts(iid), before)

        # Bob's e-mail is robert@…: the Mattermost user "robert" is Bob.
        status, answer = MattermostWebhookFake.press(button, "robert")
        self.assertEqual(status, 200, answer)
        self.assertIn("acknowledged by Bob Secondary", answer["update"]["message"])
        self.assert_acknowledged_via(iid, "mattermost", actor="user:bob")

        # The rooms hear of it; a later lifecycle change (resolve) too.
        self.room_posts(iid, "incident.acknowledged")
        self.assertEqual(self.server.api("POST", f"/v1/incidents/{iid}/resolve").status, 200)
        teams_posts, mm_posts = self.room_posts(iid, "incident.resolved")
        resolved = next(r["body"] for r in mm_posts if "incident.resolved" in json.dumps(r["body"]))
        self.assertIsNone(MattermostWebhookFake.button(resolved))
        self.server.stop_ok(self)
