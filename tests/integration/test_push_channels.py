"""Phone push channels end to end (issue 19, "ntfy", "pushover", "telegram"): the real binary pages
through fake vendor servers that speak each vendor's documented API (tests/providers/), and the
person acknowledges the way the channel allows — ntfy: the notification's `http` action, a POST to
the one-click link it carries; Pushover: the app's acknowledge of an emergency page, which calls
our callback with the receipt; Telegram: the inline button, a callback_query update to the bot's
webhook with the secret header. Each time the incident is acknowledged as the person via that
channel, the secondary is never paged, and the timeline names the channel. A forged callback
(unknown receipt, wrong secret, a button of no page) and a replayed one act on nothing; an
acknowledgement made elsewhere cancels the Pushover receipt and edits the Telegram message."""

import os
import secrets
import sys
import time
import urllib.error
import urllib.request

import harness
from harness import DEFAULT_CONFIG, LOOM_KEY

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "providers"))
from ntfy_server import NtfyServer  # noqa: E402
from pushover_server import PushoverServer  # noqa: E402
from telegram_server import TelegramServer  # noqa: E402

ACK_TARGET_S = 3
APP_TOKEN = "a" + secrets.token_hex(14)
ALICE_KEY = "u" + secrets.token_hex(14)
BOT_TOKEN = "123456:" + secrets.token_hex(16)
WEBHOOK_SECRET = secrets.token_hex(20)
NTFY_TOKEN = "tk_" + secrets.token_hex(12)
ALICE_CHAT = 424242


def config(method, ntfy_url, pushover_url, telegram_url):
    return DEFAULT_CONFIG.replace(
        "  - id: limited\n",
        "    roles: { primary: prim, secondary: second }\n"
        "  - id: limited\n",
        1) + f"""\
policy:
  severities:
    sev1: {{ ack_target: {ACK_TARGET_S}s }}
  repeat: 0
users:
  - id: alice
    name: Alice Primary
    contact_methods:
      - {{ id: push, type: ntfy, topic: alice-pages, server: "{ntfy_url}", token_env: ALICE_NTFY_TOKEN }}
      - {{ id: phone, type: pushover, user_key_env: ALICE_PUSHOVER_KEY }}
      - {{ id: chat, type: telegram, chat_id: "{ALICE_CHAT}" }}
    notification_rules:
      high: [ {{ method: {method}, after: 0m }} ]
  - id: bob
    name: Bob Secondary
    contact_methods: [ {{ id: push, type: ntfy, topic: bob-pages, server: "{ntfy_url}" }} ]
schedules:
  - {{ id: prim, layers: [ {{ participants: [alice], shift: 1w, start: 2026-01-05 }} ] }}
  - {{ id: second, layers: [ {{ participants: [bob], shift: 1w, start: 2026-01-05 }} ] }}
notify:
  allow_hosts: [127.0.0.1]
  retry: {{ initial: 1s, max: 2s }}
  max_attempts: 5
  bundle_window: 0s
  providers:
    pushover: {{ app_token_env: PUSHOVER_APP_TOKEN, api_url: "{pushover_url}" }}
    telegram: {{ bot_token_env: TELEGRAM_BOT_TOKEN, secret_token_env: TELEGRAM_SECRET,
                api_url: "{telegram_url}" }}
"""


def sev1(dedup_key, title):
    return {"routing_key": LOOM_KEY, "event_action": "trigger", "dedup_key": dedup_key,
            "payload": {"summary": title, "source": "loom-1", "severity": "critical"}}


def post(url, data=b"", headers=None):
    request = urllib.request.Request(url, data=data, method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


class PushChannelsTest(harness.LoomTestCase):

    def setUp(self):
        self.ntfy = NtfyServer(tokens={"alice-pages": NTFY_TOKEN})
        self.pushover = PushoverServer(APP_TOKEN, [ALICE_KEY])
        self.telegram = TelegramServer(BOT_TOKEN)
        for fake in (self.ntfy, self.pushover, self.telegram):
            self.addCleanup(fake.close)

    def start(self, method):
        server = self.new_server(
            config_text=config(method, self.ntfy.url, self.pushover.url, self.telegram.url),
            env={"ALICE_NTFY_TOKEN": NTFY_TOKEN, "ALICE_PUSHOVER_KEY": ALICE_KEY,
                 "PUSHOVER_APP_TOKEN": APP_TOKEN, "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
                 "TELEGRAM_SECRET": WEBHOOK_SECRET})
        return server

    def wait(self, predicate, what, timeout=20.0):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail(f"timed out waiting for {what}")
            time.sleep(0.05)

    def trigger(self, server, title):
        key = harness.unique("push")
        self.assertEqual(server.enqueue(sev1(key, title)).status, 202)
        return server.incidents_by_dedup_key(key)[0]["id"]

    def pages(self, server, iid):
        sent = server.get_json(f"/v1/incidents/{iid}/notifications")["notifications"]
        return [(n["role"], n["user"]) for n in sent if n["kind"] == "page"]

    def assert_acknowledged_via(self, server, iid, via):
        incident = self.wait(lambda: (lambda i: i if i["state"] == "acknowledged" else None)(
            server.incident(iid)), f"{iid} acknowledged")
        acks = [e for e in incident["timeline"] if e["type"] == "incident.acknowledged"]
        self.assertEqual(len(acks), 1, incident["timeline"])
        self.assertEqual(acks[0]["actor"], "user:alice")
        self.assertEqual(acks[0]["data"].get("via"), via)
        # Escalation stopped: past the secondary's due time, only the primary was paged.
        time.sleep(ACK_TARGET_S + 1)
        self.assertEqual(self.pages(server, iid), [("primary", "alice")])
        self.assertEqual([m for m in self.ntfy.messages if m["topic"] == "bob-pages"], [])

    # ---- ntfy ----

    def test_ntfy_page_acknowledged_from_its_http_action(self):
        server = self.start("push")
        iid = self.trigger(server, "Checkout latency over budget")
        message = self.wait(lambda: next((m for m in self.ntfy.messages
                                          if m["topic"] == "alice-pages"), None), "the ntfy page")
        self.assertIn(iid, message["title"])
        self.assertIn("Checkout latency over budget", message["message"])
        self.assertIn("Sev1", message["message"])
        self.assertEqual(message["priority"], 5)
        actions = {a["label"]: a for a in message["actions"]}
        self.assertEqual(actions["Acknowledge"]["action"], "http")
        self.assertEqual(actions["Acknowledge"]["method"], "POST")
        self.assertEqual(actions["Open"]["action"], "view")
        self.assertTrue(message["click"].startswith(server.url + "/a/"))

        # The phone performs the http action: a POST with an empty body to the link.
        status, _ = post(actions["Acknowledge"]["url"])
        self.assertEqual(status, 200)
        self.assert_acknowledged_via(server, iid, "ntfy")
        # The same action again (a replay) acts on nothing.
        timeline = server.incident(iid)["timeline"]
        self.assertEqual(server.api("POST", f"/v1/incidents/{iid}/unacknowledge").status, 200)
        status, _ = post(actions["Acknowledge"]["url"])
        self.assertEqual(status, 409)
        self.assertEqual(server.incident(iid)["state"], "triggered")
        self.assertGreater(len(server.incident(iid)["timeline"]), len(timeline))
        server.stop_ok(self)

    def test_ntfy_retries_a_throttled_publish(self):
        self.ntfy.fail_next(429, {"code": 42901, "http": 429, "error": "limit reached"},
                            {"Retry-After": "1"})
        server = self.start("push")
        iid = self.trigger(server, "Throttled page")
        self.wait(lambda: [m for m in self.ntfy.messages if iid in m["title"]], "the retried page")
        self.assertEqual(len([r for r in self.ntfy.requests if r["path"] == "/alice-pages"]), 2)
        server.stop_ok(self)

    # ---- Pushover ----

    def test_pushover_emergency_page_acknowledged_by_its_callback(self):
        server = self.start("phone")
        iid = self.trigger(server, "Payments API down")
        message = self.wait(lambda: next(iter(self.pushover.messages), None), "the Pushover page")
        self.assertEqual(message["priority"], "2")
        self.assertGreaterEqual(int(message["retry"]), 30)
        self.assertLessEqual(int(message["expire"]), 10800)
        self.assertEqual(message["callback"], server.url + "/v1/providers/pushover/callback")
        self.assertIn(iid, message["title"])
        self.assertIn("Payments API down", message["title"])
        self.assertIn("Sev1", message["message"])
        receipt = message["receipt"]

        # A callback for a receipt we never issued is refused and changes nothing.
        status, _ = self.pushover.acknowledge("x" * 30, ALICE_KEY,
                                              callback=message["callback"])
        self.assertEqual(status, 403)
        self.assertEqual(server.incident(iid)["state"], "triggered")

        status, body = self.pushover.acknowledge(receipt, ALICE_KEY)
        self.assertEqual(status, 200, body)
        self.assert_acknowledged_via(server, iid, "pushover")

        # Replayed after an unacknowledge: acts on nothing.
        self.assertEqual(server.api("POST", f"/v1/incidents/{iid}/unacknowledge").status, 200)
        status, body = self.pushover.acknowledge(receipt, ALICE_KEY)
        self.assertEqual(status, 200, body)
        self.assertEqual(server.incident(iid)["state"], "triggered")
        server.stop_ok(self)

    def test_pushover_receipt_cancelled_when_acknowledged_elsewhere(self):
        server = self.start("phone")
        iid = self.trigger(server, "Queue backlog")
        receipt = self.wait(lambda: next(iter(self.pushover.messages), None),
                            "the Pushover page")["receipt"]
        # The first cancel fails (Pushover is down a moment): it is tried again.
        self.pushover.fail_next(503, {"status": 0, "errors": ["try later"]})
        self.assertEqual(server.api("POST", f"/v1/incidents/{iid}/acknowledge").status, 200)
        self.wait(lambda: receipt in self.pushover.cancels, "the receipt's cancel")
        self.assertEqual(self.pushover.cancels.count(receipt), 1)
        self.assertTrue(self.pushover.receipts[receipt]["cancelled"])
        server.stop_ok(self)

    # ---- Telegram ----

    def set_webhook(self, server):
        status, _ = post(f"{self.telegram.url}/bot{BOT_TOKEN}/setWebhook",
                         data=('{"url": "%s/v1/providers/telegram", "secret_token": "%s"}'
                               % (server.url, WEBHOOK_SECRET)).encode(),
                         headers={"Content-Type": "application/json"})
        self.assertEqual(status, 200)

    def test_telegram_page_acknowledged_from_its_button(self):
        server = self.start("chat")
        self.set_webhook(server)
        iid = self.trigger(server, "Login errors spiking")
        sent = self.wait(lambda: next(iter(self.telegram.sent), None), "the Telegram page")
        self.assertEqual(sent["chat_id"], ALICE_CHAT)
        self.assertIn(iid, sent["text"])
        self.assertIn("Login errors spiking", sent["text"])
        self.assertIn("Sev1", sent["text"])
        buttons = {b["text"]: b for row in sent["reply_markup"]["inline_keyboard"] for b in row}
        self.assertTrue(buttons["Open"]["url"].startswith(server.url + "/a/"))
        message_id = max(self.telegram.messages)

        # Forged: no or a wrong secret header → 403; a button of no page → nothing.
        status, _ = self.telegram.press(message_id, "Acknowledge", ALICE_CHAT, secret="wrong")
        self.assertEqual(status, 403)
        status, body = self.telegram.press(message_id, "Acknowledge", ALICE_CHAT,
                                           data="ack:00000000deadbeef")
        self.assertEqual(status, 200, body)
        # From another chat: not the page's recipient.
        status, body = self.telegram.press(message_id, "Acknowledge", 999, chat_id=999)
        self.assertEqual(status, 200, body)
        self.assertEqual(server.incident(iid)["state"], "triggered")

        status, body = self.telegram.press(message_id, "Acknowledge", ALICE_CHAT)
        self.assertEqual(status, 200, body)
        self.assertEqual(self.telegram.answers[-1]["method"], "answerCallbackQuery")
        self.assertIn("Acknowledged " + iid, self.telegram.answers[-1]["text"])
        self.assert_acknowledged_via(server, iid, "telegram")
        # The message now says so, and its buttons are gone.
        edited = self.wait(lambda: self.telegram.messages[message_id]["edits"], "the edit")
        self.assertIn("Acknowledged", edited[-1]["text"])
        self.assertEqual(self.telegram.messages[message_id]["reply_markup"]["inline_keyboard"], [])

        # Replayed after an unacknowledge: acts on nothing.
        self.assertEqual(server.api("POST", f"/v1/incidents/{iid}/unacknowledge").status, 200)
        status, body = self.telegram.press(message_id, "Acknowledge", ALICE_CHAT,
                                           data=buttons["Acknowledge"]["callback_data"])
        self.assertEqual(status, 200, body)
        self.assertEqual(server.incident(iid)["state"], "triggered")
        server.stop_ok(self)

    def test_telegram_message_edited_when_acknowledged_elsewhere(self):
        server = self.start("chat")
        iid = self.trigger(server, "Disk almost full")
        self.wait(lambda: self.telegram.sent, "the Telegram page")
        message_id = max(self.telegram.messages)
        self.assertEqual(server.api("POST", f"/v1/incidents/{iid}/acknowledge").status, 200)
        edited = self.wait(lambda: self.telegram.messages[message_id]["edits"], "the edit")
        self.assertIn(iid, edited[-1]["text"])
        self.assertIn("Acknowledged", edited[-1]["text"])
        server.stop_ok(self)


if __name__ == "__main__":
    import unittest
    unittest.main()
