"""A person manages how they are reached, with the real binary: alice (a token bound to her) adds a
webhook contact method, its 6-digit code arrives at the real HTTP sink, she verifies it, and a
Sev1 page then reaches it; a method left unverified receives no page; a responder cannot touch
another person's methods (403), an admin can."""

import json
import re
import unittest

import harness
from test_delivery import HookSink, SmtpSink, delivery_config, sev1


class ContactMethodsTest(harness.LoomTestCase):

    def setUp(self):
        self.hooks = HookSink()
        self.addCleanup(self.hooks.close)
        self.smtp = SmtpSink(harness.free_port())
        self.smtp.start()
        self.addCleanup(self.smtp.stop)
        self.server = self.new_server(
            config_text=delivery_config(self.hooks.port, self.smtp.port),
            env={"ALICE_HOOK_SECRET": "whsec_" + "a" * 40})

    def token_for(self, user):
        r = self.server.api("POST", "/v1/tokens",
                            {"name": f"{user}-cli", "role": "responder", "user": user})
        self.assertEqual(r.status, 201, r.body)
        return r.json()["token"]

    def add_hook(self, token, user, path):
        url = f"http://127.0.0.1:{self.hooks.port}{path}"
        r = self.server.api("POST", f"/v1/users/{user}/contact-methods",
                            {"id": path.strip("/").replace("/", "-"), "type": "webhook",
                             "url": url}, token=token)
        self.assertEqual(r.status, 201, r.body)
        return r.json()

    def code_at(self, path):
        hook = self.wait_until(lambda: self.hooks.at(path), f"the code at {path}")[-1]
        body = json.loads(hook["body"])
        self.assertEqual(body["type"], "verification")
        return re.search(r"([0-9]{6})$", body["summary"]).group(1)

    def test_a_verified_method_is_paged_an_unverified_one_is_not(self):
        alice = self.token_for("alice")
        added = self.add_hook(alice, "alice", "/alice/phone")
        self.assertFalse(added["verified"])
        self.assertTrue(added["code_sent"], added)
        self.add_hook(alice, "alice", "/alice/pending")
        code = self.code_at("/alice/phone")

        wrong = "000000" if code != "000000" else "111111"
        r = self.server.api("POST", "/v1/users/alice/contact-methods/alice-phone/verify",
                            {"code": wrong}, token=alice)
        self.assertEqual(r.status, 422, r.body)
        r = self.server.api("POST", "/v1/users/alice/contact-methods/alice-phone/verify",
                            {"code": code}, token=alice)
        self.assertEqual(r.status, 200, r.body)
        r = self.server.api("PUT", "/v1/users/alice/notification-rules",
                            {"high": [{"method": "alice-phone", "after": "0s"},
                                      {"method": "alice-pending", "after": "0s"}]}, token=alice)
        self.assertEqual(r.status, 400, r.body)  # the pending one is not usable
        r = self.server.api("PUT", "/v1/users/alice/notification-rules",
                            {"high": [{"method": "alice-phone", "after": "0s"}]}, token=alice)
        self.assertEqual(r.status, 200, r.body)

        listed = self.server.get_json("/v1/users/alice/contact-methods", token=alice)
        sources = {m["id"]: (m["source"], m["verified"]) for m in listed["contact_methods"]}
        self.assertEqual(sources["hook"], ("config", True))
        self.assertEqual(sources["alice-phone"], ("api", True))
        self.assertEqual(sources["alice-pending"], ("api", False))

        self.assertEqual(self.server.enqueue(sev1(harness.unique("contact"))).status, 202)
        page = self.wait_until(
            lambda: [h for h in self.hooks.at("/alice/phone")
                     if json.loads(h["body"])["type"] == "page"], "the page")[0]
        self.assertIn("LOOM node down", page["body"].decode())
        self.assertEqual([h for h in self.hooks.at("/alice/pending")
                          if json.loads(h["body"])["type"] != "verification"], [])
        # The rules replaced the file's: the file's webhook is not paged.
        self.assertEqual(self.hooks.at("/alice"), [])

    def test_only_the_person_or_an_admin(self):
        bob = self.token_for("bob")
        r = self.server.api("GET", "/v1/users/alice/contact-methods", token=bob)
        self.assertProblem(r, 403, "permission-denied")
        r = self.server.api("POST", "/v1/users/alice/contact-methods",
                            {"type": "webhook", "url": "http://127.0.0.1:1/x"}, token=bob)
        self.assertEqual(r.status, 403, r.body)
        r = self.server.api("GET", "/v1/users/alice/contact-methods")  # the admin token
        self.assertEqual(r.status, 200, r.body)
        r = self.server.api("DELETE", "/v1/users/alice/contact-methods/hook")
        self.assertEqual(r.status, 409, r.body)  # from the file
        r = self.server.api("GET", "/v1/users/nobody/contact-methods")
        self.assertEqual(r.status, 404, r.body)


if __name__ == "__main__":
    unittest.main()
