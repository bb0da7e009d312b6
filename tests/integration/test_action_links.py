"""One-click links in notifications (issue "one-click acknowledge and open links", acceptance):
GET alone changes nothing; POST acknowledges and stops escalation; a reused, expired or forged
link gets a clear page and changes nothing.

Delivery is not what is tested here: the test mints links itself with the configured
`notify.link_secret_env` secret and the format docs/api.md documents, which also proves that the
format is what the documentation says.
"""

import base64
import hashlib
import hmac
import json
import secrets
import time
import unittest

import harness
from test_escalation import ACK_TARGET_S, ESCALATION_CONFIG, sev1_event

LINK_SECRET = "itest-link-" + secrets.token_hex(24)

LINKS_CONFIG = ESCALATION_CONFIG + "notify: { link_secret_env: LOOM_LINK_SECRET }\n"

PAGE_HEADERS = {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-robots-tag": "noindex",
}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(action, incident_number, recipient="alice", via="email", expires_in=3600, nonce=None,
         secret=LINK_SECRET):
    """A link token as docs/api.md describes it: base64url(claims JSON) "." base64url(HMAC)."""
    claims = {"act": action, "inc": incident_number, "sub": recipient, "via": via,
              "exp": int(time.time()) + expires_in, "nonce": nonce or secrets.token_hex(16)}
    payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
    mac = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    return payload + "." + b64url(mac)


class ActionLinkTest(harness.LoomTestCase):

    def setUp(self):
        self.server = self.new_server(config_text=LINKS_CONFIG,
                                      env={"LOOM_LINK_SECRET": LINK_SECRET})

    def page(self, method, token):
        # No API token: the link is the credential.
        r = self.server.request(method, "/a/" + token,
                                headers={"Accept": "text/html",
                                         "Content-Type": "application/x-www-form-urlencoded"},
                                raw="" if method == "POST" else None)
        self.assertEqual(r.content_type, "text/html", r)
        for name, value in PAGE_HEADERS.items():
            self.assertEqual(r.headers.get(name), value, f"{name} of {r}")
        self.assertIn("default-src 'none'", r.headers.get("content-security-policy", ""))
        return r

    def new_incident(self, dedup_key):
        self.assertEqual(self.server.enqueue(sev1_event(dedup_key)).status, 202)
        incident = self.server.incidents_by_dedup_key(dedup_key)[0]
        return incident["id"], int(incident["id"].split("-")[1])

    def pages(self, iid):
        sent = self.server.get_json(f"/v1/incidents/{iid}/notifications")["notifications"]
        return [(n["role"], n["user"]) for n in sent if n["kind"] == "page"]

    def wait_for_first_page(self, iid):
        deadline = time.monotonic() + 20
        while not self.pages(iid):
            self.assertLess(time.monotonic(), deadline, "the primary was never paged")
            time.sleep(0.05)

    def test_get_changes_nothing_and_post_acknowledges_once(self):
        iid, number = self.new_incident(harness.unique("link-ack"))
        self.wait_for_first_page(iid)
        token = mint("ack", number)
        before = self.server.incident(iid)

        r = self.page("GET", token)
        self.assertEqual(r.status, 200, r)
        self.assertIn(f"Acknowledge {iid} as alice", r.text)
        self.assertIn('<form method="post">', r.text)
        after_get = self.server.incident(iid)
        self.assertEqual(after_get["state"], "triggered")
        self.assertEqual(after_get["timeline"], before["timeline"])

        r = self.page("POST", token)
        self.assertEqual(r.status, 200, r)
        self.assertIn(f"{iid} acknowledged by alice via email", r.text)
        incident = self.server.incident(iid)
        self.assertEqual(incident["state"], "acknowledged")
        acks = [e for e in incident["timeline"] if e["type"] == "incident.acknowledged"]
        self.assertEqual(len(acks), 1, incident["timeline"])
        self.assertEqual(acks[0]["actor"], "user:alice")
        self.assertEqual(acks[0]["data"].get("via"), "email")

        # Escalation stopped: past the secondary's due time, still only the primary's page.
        time.sleep(ACK_TARGET_S + 1)
        self.assertEqual(self.pages(iid), [("primary", "alice")])

        # Used once: a second POST (and a later unacknowledge) leave it used.
        timeline = self.server.incident(iid)["timeline"]
        r = self.page("POST", token)
        self.assertEqual(r.status, 409, r)
        self.assertIn("This link was already used", r.text)
        self.assertEqual(self.server.incident(iid)["timeline"], timeline)
        self.assertEqual(self.server.api("POST", f"/v1/incidents/{iid}/unacknowledge").status, 200)
        r = self.page("POST", token)
        self.assertEqual(r.status, 409, r)
        self.assertIn("This link was already used", r.text)
        self.assertEqual(self.server.incident(iid)["state"], "triggered")
        self.server.stop_ok(self)

    def test_expired_tampered_and_foreign_links_change_nothing(self):
        iid, number = self.new_incident(harness.unique("link-bad"))
        before = self.server.incident(iid)["timeline"]

        expired = mint("ack", number, expires_in=-5)
        for method in ("GET", "POST"):
            r = self.page(method, expired)
            self.assertEqual(r.status, 410, r)
            self.assertIn("This link has expired", r.text)

        good = mint("ack", number)
        payload, mac = good.split(".")
        other_incident = mint("ack", number + 1000).split(".")[0]
        for token in (payload + "." + mac[:-2] + ("AA" if mac[-2:] != "AA" else "BB"),
                      other_incident + "." + mac,
                      mint("ack", number, secret="not-the-server-secret-" + "x" * 20),
                      "garbage", payload):
            for method in ("GET", "POST"):
                r = self.page(method, token)
                self.assertEqual(r.status, 404, f"{method} {token}: {r}")
                self.assertIn("This link is not valid", r.text)

        # A view link shows the incident but cannot acknowledge.
        view = mint("view", number)
        r = self.page("GET", view)
        self.assertEqual(r.status, 200, r)
        self.assertIn(f"{iid}:", r.text)
        self.assertIn("incident.triggered", r.text)
        self.assertEqual(self.page("POST", view).status, 405)

        incident = self.server.incident(iid)
        self.assertEqual(incident["state"], "triggered")
        self.assertEqual(incident["timeline"], before)
        self.server.stop_ok(self)

    def test_acknowledging_a_resolved_incident_says_so(self):
        iid, number = self.new_incident(harness.unique("link-resolved"))
        self.assertEqual(self.server.api("POST", f"/v1/incidents/{iid}/resolve").status, 200)
        token = mint("ack", number)
        r = self.page("GET", token)
        self.assertEqual(r.status, 200, r)
        self.assertIn(f"{iid} is resolved", r.text)
        self.assertNotIn("<form", r.text)
        r = self.page("POST", token)
        self.assertEqual(r.status, 409, r)
        self.assertIn(f"{iid} is resolved", r.text)
        self.assertEqual(self.server.incident(iid)["state"], "resolved")
        self.server.stop_ok(self)


if __name__ == "__main__":
    unittest.main()
