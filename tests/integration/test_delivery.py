"""Notification delivery end to end (issue "Notification delivery", acceptance 1-4): the real binary
with a real SMTP server (aiosmtpd) and an HTTP sink. A Sev1 page arrives as an e-mail (threading
headers, both links) and as a Standard Webhooks POST whose signature the test verifies with its
own HMAC; a dead SMTP server or a failing webhook is retried, Retry-After is honoured, 410
disables the destination; the e-mailed link acknowledges on POST only, once; a burst of 500
alerts reaches the responder as a handful of bundled messages."""

import base64
import email
import email.policy
import hashlib
import hmac
import http.server
import json
import re
import secrets
import threading
import time
import unittest

from aiosmtpd.controller import Controller

import harness
from harness import DEFAULT_CONFIG, LOOM_KEY

HOOK_SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class SmtpSink:
    """An SMTP server on 127.0.0.1:port that keeps every message; start() and stop() at will."""

    def __init__(self, port):
        self.port = port
        self.messages = []
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default)))
        return "250 OK"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def to(self, address):
        return [m for rcpt, m in self.messages if address in rcpt]


class HookSink:
    """An HTTP server that records every POST and answers from a per-path script (then 200)."""

    def __init__(self):
        self.requests = []
        self.script = {}
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                sink.requests.append({"path": self.path, "headers": dict(self.headers.items()),
                                      "body": body, "at": time.monotonic()})
                steps = sink.script.get(self.path) or []
                status, headers = steps.pop(0) if steps else (200, {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def at(self, path):
        return [r for r in self.requests if r["path"] == path]


def delivery_config(hook_port, smtp_port, ack_target="5m", bundle_window="0s", link_ttl="24h"):
    return DEFAULT_CONFIG.replace(
        "  - id: limited\n",
        "    roles: { primary: prim, secondary: second }\n"
        "  - id: limited\n",
        1) + f"""\
policy:
  severities:
    sev1: {{ ack_target: {ack_target} }}
  repeat: 0
users:
  - id: alice
    name: Alice Primary
    contact_methods:
      - {{ id: hook, type: webhook, url: "http://127.0.0.1:{hook_port}/alice", secret_env: ALICE_HOOK_SECRET }}
      - {{ id: mail, type: email, address: alice@example.com }}
    notification_rules:
      high: [ {{ method: hook, after: 0m }}, {{ method: mail, after: 0m }} ]
  - id: bob
    name: Bob Secondary
    contact_methods: [ {{ id: mail, type: email, address: bob@example.com }} ]
schedules:
  - {{ id: prim, layers: [ {{ participants: [alice], shift: 1w, start: 2026-01-05 }} ] }}
  - {{ id: second, layers: [ {{ participants: [bob], shift: 1w, start: 2026-01-05 }} ] }}
notify:
  smtp: {{ url: "smtp://127.0.0.1:{smtp_port}", from: "oncall@example.com" }}
  allow_hosts: [127.0.0.1]
  retry: {{ initial: 1s, max: 2s }}
  max_attempts: 5
  bundle_window: {bundle_window}
  link_ttl: {link_ttl}
"""


def sev1(dedup_key):
    return {"routing_key": LOOM_KEY, "event_action": "trigger", "dedup_key": dedup_key,
            "payload": {"summary": f"LOOM node down ({dedup_key})", "source": "loom-1",
                        "severity": "critical"}}


def verify_standard_webhook(headers, body, secret):
    """Independent Standard Webhooks check: HMAC-SHA256 over "{id}.{timestamp}.{body}"."""
    key = base64.b64decode(secret[len("whsec_"):])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return expected in headers["webhook-signature"].split(" ")


class DeliveryTest(harness.LoomTestCase):

    def start(self, smtp_up=True, **config):
        self.hooks = HookSink()
        self.addCleanup(self.hooks.close)
        self.smtp = SmtpSink(harness.free_port())
        self.addCleanup(self.smtp.stop)
        if smtp_up:
            self.smtp.start()
        self.server = self.new_server(
            config_text=delivery_config(self.hooks.port, self.smtp.port, **config),
            env={"ALICE_HOOK_SECRET": HOOK_SECRET})

    def trigger(self, dedup_key):
        self.assertEqual(self.server.enqueue(sev1(dedup_key)).status, 202)
        return self.server.incidents_by_dedup_key(dedup_key)[0]["id"]

    def rows(self, iid, user="alice"):
        sent = self.server.get_json(f"/v1/incidents/{iid}/notifications")["notifications"]
        return {n["method"]: n for n in sent if n["user"] == user}

    def events(self, iid, prefix="notification."):
        timeline = self.server.incident(iid)["timeline"]
        return [e for e in timeline if e["type"].startswith(prefix)]

    def test_a_sev1_page_arrives_by_email_and_as_a_signed_webhook(self):
        self.start()
        iid = self.trigger("db-down")
        number = iid.split("-")[1]
        hook = self.wait_until(lambda: self.hooks.at("/alice"), "the webhook")[0]
        mail = self.wait_until(lambda: self.smtp.to("alice@example.com"), "the e-mail")[0]

        headers = {k.lower(): v for k, v in hook["headers"].items()}
        self.assertTrue(verify_standard_webhook(headers, hook["body"], HOOK_SECRET), headers)
        self.assertLess(abs(int(headers["webhook-timestamp"]) - time.time()), 60)
        body = json.loads(hook["body"])
        self.assertEqual(body["schema"], "loom-oncall.notification/v1")
        self.assertEqual(body["type"], "page")
        self.assertEqual(body["recipient"]["id"], "alice")
        self.assertEqual(body["incidents"][0]["id"], iid)
        self.assertTrue(body["incidents"][0]["ack_url"].startswith(self.server.url + "/a/"))
        self.assertTrue(body["incidents"][0]["open_url"].startswith(self.server.url + "/a/"))

        self.assertIn(iid, mail["Subject"])
        self.assertEqual(mail["To"], "alice@example.com")
        self.assertIn("oncall@example.com", mail["From"])
        self.assertRegex(mail["Message-ID"], r"^<[^<>@\s]+@example\.com>$")
        self.assertIsNotNone(mail["Date"])
        thread = f"<incident-{number}@example.com>"
        self.assertEqual(mail["In-Reply-To"], thread)
        self.assertIn(thread, mail["References"])
        text = mail.get_body(preferencelist=("plain",)).get_content()
        html = mail.get_body(preferencelist=("html",)).get_content()
        links = re.findall(re.escape(self.server.url) + r"/a/[A-Za-z0-9_.-]+", text)
        self.assertEqual(len(set(links)), 2, text)  # acknowledge and open
        for link in links:
            self.assertIn(link, html)

        # Both attempts are in the timeline and the rows.
        self.wait_until(lambda: len([e for e in self.events(iid, "notification.sent")
                                     if e["data"]["user"] == "alice"]) == 2, "both recorded")
        self.assertEqual({r["state"] for r in self.rows(iid).values()}, {"delivered"})

    def test_smtp_down_then_back_delivers_exactly_once(self):
        self.start(smtp_up=False)
        iid = self.trigger("smtp-outage")
        self.wait_until(lambda: [e for e in self.events(iid, "notification.failed")
                                 if e["data"]["method"] == "mail"], "a failed e-mail attempt")
        self.smtp.start()
        self.wait_until(lambda: self.smtp.to("alice@example.com"), "the e-mail after the outage")
        row = self.wait_until(lambda: self.rows(iid)["mail"]["state"] == "delivered"
                              and self.rows(iid)["mail"], "the delivered record")
        self.assertGreaterEqual(row["attempts"], 2)
        # Two more backoff periods: nothing is sent again for this step.
        time.sleep(2.5)
        self.assertEqual(len(self.smtp.to("alice@example.com")), 1)
        failed = [e for e in self.events(iid, "notification.failed") if e["data"]["method"] == "mail"]
        self.assertEqual(len(failed), row["attempts"] - 1)
        self.assertIn("next_attempt_at", failed[0]["data"])

    def test_webhook_500_then_429_then_410(self):
        self.start()
        self.hooks.script["/alice"] = [(500, {}), (429, {"Retry-After": "2"}), (410, {})]
        iid = self.trigger("flaky-hook")
        self.wait_until(lambda: self.rows(iid)["hook"]["state"] == "dead", "the dead letter")
        tries = self.hooks.at("/alice")
        self.assertEqual(len(tries), 3)
        self.assertGreaterEqual(tries[2]["at"] - tries[1]["at"], 1.9)  # Retry-After: 2
        hook_events = [e for e in self.events(iid) if e["data"].get("method") == "hook"]
        self.assertEqual([(e["type"], e["data"]["attempt"]) for e in hook_events],
                         [("notification.failed", 1), ("notification.failed", 2),
                          ("notification.dead_lettered", 3)])
        self.assertIn("500", hook_events[0]["data"]["error"])
        self.assertIn("429", hook_events[1]["data"]["error"])
        self.assertIn("410", hook_events[2]["data"]["error"])
        metrics = self.server.request("GET", "/metrics").text
        self.assertRegex(metrics, r'loom_oncall_notifications_total\{outcome="retry"\} [1-9]')
        self.assertRegex(metrics, r"loom_oncall_notifications_dead_lettered_total [1-9]")
        # The destination is disabled: the next page does not try it, e-mail still goes.
        other = self.trigger("after-410")
        self.wait_until(lambda: self.rows(other)["hook"]["state"] == "dead", "no attempt")
        self.assertEqual(self.rows(other)["hook"]["attempts"], 0)
        self.wait_until(lambda: self.rows(other)["mail"]["state"] == "delivered", "the e-mail")
        self.assertEqual(len(self.hooks.at("/alice")), 3)

    def link_page(self, method, url):
        path = url[len(self.server.url):]
        return self.server.request(method, path, raw="" if method == "POST" else None,
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})

    def ack_link(self, message):
        text = message.get_body(preferencelist=("plain",)).get_content()
        # The acknowledge link comes first in the message.
        return re.findall(re.escape(self.server.url) + r"/a/[A-Za-z0-9_.-]+", text)[0]

    def test_acknowledge_through_the_emailed_link(self):
        self.start(ack_target="3s", link_ttl="4s")
        iid = self.trigger("ack-by-mail")
        link = self.ack_link(self.wait_until(lambda: self.smtp.to("alice@example.com"), "mail")[0])

        r = self.link_page("GET", link)
        self.assertEqual(r.status, 200, r)
        self.assertIn(iid, r.text)
        self.assertEqual(self.server.incident(iid)["state"], "triggered")  # GET changes nothing

        r = self.link_page("POST", link)
        self.assertEqual(r.status, 200, r)
        incident = self.server.incident(iid)
        self.assertEqual(incident["state"], "acknowledged")
        ack = [e for e in incident["timeline"] if e["type"] == "incident.acknowledged"][0]
        self.assertEqual(ack["actor"], "user:alice")
        self.assertEqual(ack["data"]["via"], "email")

        r = self.link_page("POST", link)
        self.assertEqual(r.status, 409, r)
        self.assertIn("already used", r.text)
        # Escalation stopped: the secondary is not paged once the 3 s ack target has passed.
        time.sleep(3.5)
        self.assertEqual(self.smtp.to("bob@example.com"), [])

        # An expired link: a clear page, nothing changes.
        other = self.trigger("expired-link")
        expired = self.ack_link(self.wait_until(
            lambda: [m for m in self.smtp.to("alice@example.com") if other in m["Subject"]],
            "the second mail")[0])
        time.sleep(4.5)
        r = self.link_page("POST", expired)
        self.assertEqual(r.status, 410, r)
        self.assertIn("expired", r.text)
        self.assertEqual(self.server.incident(other)["state"], "triggered")

    def test_a_burst_of_500_alerts_is_a_handful_of_messages(self):
        self.start(bundle_window="2s")
        client = self.server.client()
        for i in range(500):
            r = client.request("POST", "/v2/enqueue", sev1(f"storm-{i}"))
            self.assertEqual(r.status, 202, r)

        def covered():
            total = 0
            for req in self.hooks.at("/alice"):
                total += len(json.loads(req["body"])["incidents"])
            return total >= 500

        self.wait_until(covered, "every incident in a message", timeout=60)
        messages = self.hooks.at("/alice")
        self.assertLessEqual(len(messages), 8, [len(json.loads(m["body"])["incidents"])
                                                 for m in messages])
        bundle = json.loads(messages[-1]["body"])
        self.assertEqual(bundle["type"], "bundle")
        self.assertGreater(len(bundle["incidents"]), 1)
        self.wait_until(lambda: len(self.smtp.to("alice@example.com")) >= 1, "mail")
        self.assertLessEqual(len(self.smtp.to("alice@example.com")), 8)


if __name__ == "__main__":
    unittest.main()
