"""Single sign-on with OpenID Connect (docs/authentication.md "Single sign-on") against a real
provider: oidc-provider on 127.0.0.1 (tests/oidc/provider.mjs), the real binary, and the
authorization code flow walked by an HTTP client that keeps cookies like a browser
(oidc_support.py). The refusals a real provider does not produce by itself (a tampered, expired,
wrongly addressed or foreign-signed ID token, a wrong nonce) are made by the provider's test
control, which replaces the next token response's ID token (re-signed with the provider's own key,
or with a key of another issuer).
"""

import http.client
import json
import os
import secrets
import unittest
import urllib.parse

import harness
from oidc_support import CALLBACK_PATH, Browser, Provider

CLIENT_SECRET = "oidc-client-" + secrets.token_hex(12)
ACCOUNTS = {
    "alice": {"password": "alice-pw", "email": "Alice@Example.test", "name": "Alice",
              "groups": ["oncall-admins", "sre"]},
    "bob": {"password": "bob-pw", "email": "bob@example.test", "name": "Bob",
            "groups": ["sre"]},
    "erin": {"password": "erin-pw", "email": "erin@example.test", "name": "Erin (no user)"},
}


def loom_config(port, issuer):
    return f"""\
server: {{ public_url: "http://127.0.0.1:{port}" }}
notify: {{ allow_hosts: [127.0.0.1] }}
services:
  - id: loom
    name: LOOM node
    integration_keys:
      - key: "{harness.LOOM_KEY}"
users:
  - {{ id: alice, name: Alice Primary, email: alice@example.test }}
  - {{ id: bob, name: Bob Responder, email: bob@example.test, role: responder }}
teams:
  - {{ id: payments, visibility: team }}
auth:
  oidc:
    issuer: "{issuer}"
    client_id: loom
    client_secret_env: LOOM_OIDC_CLIENT_SECRET
    scopes: [openid, email, profile, groups]
    claim_groups: groups
    name: Test IdP
    group_roles:
      - {{ group: sre, team: payments, role: responder }}
      - {{ group: oncall-admins, role: admin }}
"""


class SsoServer(harness.Server):
    """A server on a chosen port: the provider must know its redirect URI before it starts."""

    def __init__(self, port, **kwargs):
        super().__init__(**kwargs)
        self.fixed_port = port

    def command(self):
        return [harness.binary(), "serve", "--config", self.config_path, "--data-dir",
                self.data_dir, "--listen", f"127.0.0.1:{self.fixed_port}"] + self.extra_args


class OidcSignInTest(harness.ServerTestCase):
    """One provider and one server for the class: the provider knows the server's redirect URI."""

    @classmethod
    def make_server(cls):
        cls.port = harness.free_port()
        cls.callback = f"http://127.0.0.1:{cls.port}{CALLBACK_PATH}"
        cls.provider = Provider(
            clients=[{"client_id": "loom", "client_secret": CLIENT_SECRET,
                      "redirect_uris": [cls.callback]}],
            accounts=ACCOUNTS).start()
        cls.addClassCleanup(cls.provider.stop)
        return SsoServer(cls.port, config_text=loom_config(cls.port, cls.provider.issuer),
                         env={"LOOM_OIDC_CLIENT_SECRET": CLIENT_SECRET})

    def loom(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def start_sign_in(self, browser, login, password):
        """/ui/auth/oidc/start and the provider's pages: the callback URL (not yet requested)."""
        start = browser.request("GET", self.loom("/ui/auth/oidc/start"))
        self.assertEqual(start.status, 302, start)
        location = start.header("location")
        self.assertTrue(location.startswith(self.provider.issuer + "/auth?"), location)
        self.assertTrue(start.set_cookies().get("loom_oidc_state"), start.headers)
        return browser.sign_in_at_provider(location, self.callback, login, password)

    def assertSignedIn(self, answer, browser):
        self.assertEqual(answer.status, 302, answer)
        self.assertEqual(answer.header("location"), "/ui/")
        cookie = answer.set_cookies().get("loom_session")
        self.assertTrue(cookie, answer.headers)
        return cookie

    def assertRefused(self, answer, status, reason):
        self.assertEqual(answer.status, status, answer)
        self.assertTrue(answer.header("content-type").startswith("text/html"), answer.headers)
        self.assertIn(reason, answer.body)
        self.assertIn('href="/ui/"', answer.body)
        self.assertNotIn("loom_session", answer.set_cookies(), "a refusal creates no session")
        for secret in (CLIENT_SECRET, "code="):
            self.assertNotIn(secret, answer.body)

    def session(self, browser):
        r = browser.request("GET", self.loom("/ui/session"))
        self.assertEqual(r.status, 200, r)
        return json.loads(r.body)

    def test_auth_methods_names_the_provider(self):
        r = Browser().request("GET", self.loom("/ui/auth/methods"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(json.loads(r.body),
                         {"token": True,
                          "oidc": {"name": "Test IdP", "start": "/ui/auth/oidc/start"}})

    def test_sign_in_creates_a_session_for_the_matched_user_and_acts_as_them(self):
        browser = Browser()
        callback = self.start_sign_in(browser, "alice", "alice-pw")
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback).query))
        self.assertIn("code", query)
        self.assertIn("state", query)
        self.assertSignedIn(browser.request("GET", callback), browser)
        # The state cookie is gone; the session is alice's (matched by e-mail, case-insensitively)
        # with the global role of her group oncall-admins.
        self.assertNotIn("loom_oidc_state", browser.jar.get(f"127.0.0.1:{self.port}", {}))
        session = self.session(browser)
        self.assertEqual(session["user"], "alice")
        self.assertEqual(session["actor"], "user:alice")
        self.assertEqual(session["role"], "admin")
        # What she does is recorded as her.
        dedup = harness.unique("sso")
        self.assertAccepted(self.server.enqueue(harness.pd_trigger(dedup_key=dedup)), dedup)
        incident = self.server.incidents_by_dedup_key(dedup)[0]
        ack = browser.request(
            "POST", self.loom(f"/v1/incidents/{incident['id']}/acknowledge"),
            headers={"X-CSRF-Token": session["csrf_token"],
                     "Origin": f"http://127.0.0.1:{self.port}", "Content-Length": "0"})
        self.assertEqual(ack.status, 200, ack)
        detail = self.server.incident(incident["id"])
        actors = [e.get("actor") for e in detail.get("timeline", [])]
        self.assertIn("user:alice", actors, detail)

    def test_groups_without_a_global_mapping_leave_the_persons_own_role(self):
        # bob's groups grant nothing globally: he keeps his own role (users[].role: responder;
        # without it a viewer, since teams are configured), which a grant could only widen. His
        # group sre maps to responder in team payments: he is a member of it for this session.
        browser = Browser()
        self.assertSignedIn(browser.request("GET", self.start_sign_in(browser, "bob", "bob-pw")),
                            browser)
        session = self.session(browser)
        self.assertEqual(session["actor"], "user:bob")
        self.assertEqual(session["role"], "responder")
        self.assertTrue(session["can_write"])
        self.assertEqual(session["teams"], ["payments"])
        team = browser.request("GET", self.loom("/v1/teams/payments"))
        self.assertEqual(team.status, 200, team)

    def test_a_replayed_state_is_refused(self):
        browser = Browser()
        callback = self.start_sign_in(browser, "alice", "alice-pw")
        state_cookie = browser.jar[f"127.0.0.1:{self.port}"]["loom_oidc_state"]
        self.assertSignedIn(browser.request("GET", callback), browser)
        # The same answer again, from a browser that still has the state cookie.
        replay = Browser()
        replay.jar[f"127.0.0.1:{self.port}"] = {"loom_oidc_state": state_cookie}
        self.assertRefused(replay.request("GET", callback), 403,
                           "this sign-in answer was already used or has expired (state)")

    def test_a_callback_without_the_state_cookie_is_refused(self):
        browser = Browser()
        callback = self.start_sign_in(browser, "alice", "alice-pw")
        self.assertRefused(Browser().request("GET", callback), 403,
                           "this sign-in was not started in this browser")
        # The browser that started it still can (the refusal consumed nothing).
        self.assertSignedIn(browser.request("GET", callback), browser)

    def test_an_unknown_user_is_refused(self):
        browser = Browser()
        callback = self.start_sign_in(browser, "erin", "erin-pw")
        self.assertRefused(browser.request("GET", callback), 403,
                           "no user of this loom-oncall matches email erin@example.test")

    def forged_sign_in(self, mode):
        browser = Browser()
        callback = self.start_sign_in(browser, "bob", "bob-pw")
        self.provider.control("POST", f"/test/next-token?mode={mode}")
        return browser.request("GET", callback)

    def test_a_tampered_id_token_is_refused(self):
        self.assertRefused(self.forged_sign_in("tamper"), 403,
                           "the ID token&#39;s signature does not verify")

    def test_a_wrong_audience_is_refused(self):
        self.assertRefused(self.forged_sign_in("wrong-aud"), 403,
                           "the ID token is not meant for client loom (aud)")

    def test_an_expired_id_token_is_refused(self):
        self.assertRefused(self.forged_sign_in("expired"), 403, "the ID token has expired (exp)")

    def test_a_wrong_nonce_is_refused(self):
        self.assertRefused(self.forged_sign_in("wrong-nonce"), 403,
                           "the ID token does not answer this sign-in (nonce)")

    def test_a_rotated_key_is_fetched_and_a_foreign_key_refused(self):
        browser = Browser()
        self.assertSignedIn(browser.request("GET", self.start_sign_in(browser, "bob", "bob-pw")),
                            browser)
        before = self.provider.control("GET", "/test/stats")
        rotated = self.provider.control("POST", "/test/rotate")
        self.assertNotEqual(rotated["kid"], before["kid"])
        browser = Browser()
        self.assertSignedIn(browser.request("GET", self.start_sign_in(browser, "bob", "bob-pw")),
                            browser)
        after = self.provider.control("GET", "/test/stats")
        self.assertEqual(after["jwks_requests"], before["jwks_requests"] + 1,
                         "the unknown kid made the server fetch the keys once")
        # A token signed by another issuer's key, which the provider never published.
        self.assertRefused(self.forged_sign_in("foreign-key"), 403,
                           "signed with a key the provider does not publish")

    def test_the_providers_refusal_is_shown(self):
        browser = Browser()
        start = browser.request("GET", self.loom("/ui/auth/oidc/start"))
        state = dict(urllib.parse.parse_qsl(
            urllib.parse.urlsplit(start.header("location")).query))["state"]
        answer = browser.request(
            "GET", self.loom(f"{CALLBACK_PATH}?error=access_denied&state={state}"))
        self.assertRefused(answer, 403, "the identity provider did not sign you in (access_denied)")


class OidcProviderDownTest(harness.LoomTestCase):
    def test_a_provider_that_is_down_gets_a_clear_page(self):
        port = harness.free_port()
        gone = harness.free_port()  # nothing listens there
        server = self.new_server(start=False, config_text=loom_config(port, f"http://127.0.0.1:{gone}"),
                                 env={"LOOM_OIDC_CLIENT_SECRET": CLIENT_SECRET})
        server.__class__ = SsoServer
        server.fixed_port = port
        server.start()
        answer = Browser().request("GET", f"http://127.0.0.1:{port}/ui/auth/oidc/start")
        self.assertEqual(answer.status, 503, answer)
        self.assertIn("Single sign-on is unavailable", answer.body)
        self.assertIn("the identity provider cannot be reached (discovery)", answer.body)
        self.assertNotIn("loom_session", answer.set_cookies())
        server.stop_ok(self)

    def test_without_auth_oidc_the_routes_say_so(self):
        server = self.new_server()
        r = Browser().request("GET", f"{server.url}/ui/auth/methods")
        self.assertEqual(json.loads(r.body), {"token": True, "oidc": None})
        page = Browser().request("GET", f"{server.url}/ui/auth/oidc/start")
        self.assertEqual(page.status, 404, page)
        self.assertIn("Single sign-on is not configured", page.body)


if __name__ == "__main__":
    unittest.main()
