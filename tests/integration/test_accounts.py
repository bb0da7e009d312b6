"""People sign in as themselves (issue 18, local accounts): the real binary on SQLite with a real
SMTP server (aiosmtpd). A user created through the API signs in with a password, acknowledges an
incident from the console session (recorded as user:<id>), stays signed in across a restart and
signs out everywhere; a failed sign-in says the same for an unknown user and a wrong password and
is braked; a forgotten password is reset through a link mailed to the user's configured address,
which works once; on PostgreSQL, two instances share people's sessions (signed in on one, known
to the other; signed out everywhere on one, gone from both); `serve --demo` prints the demo
users' password and they sign in with it."""

import re
import time

import harness
from harness import DEFAULT_CONFIG, LOOM_KEY
import test_delivery
import test_postgres

PASSWORD = "a long enough passphrase"


def accounts_config(smtp_port):
    return DEFAULT_CONFIG + f"""\
users:
  - id: alice
    name: Alice Primary
    contact_methods: [ {{ id: mail, type: email, address: alice@example.com }} ]
  - {{ id: root, name: Root, role: admin }}
notify:
  smtp: {{ url: "smtp://127.0.0.1:{smtp_port}", from: "oncall@example.com" }}
  allow_hosts: [127.0.0.1]
auth:
  session: {{ idle: 1h, absolute: 12h }}
  reset_ttl: 10m
"""


class AccountsTest(harness.LoomTestCase):

    def setUp(self):
        self.smtp = test_delivery.SmtpSink(harness.free_port())
        self.smtp.start()
        self.addCleanup(self.smtp.stop)
        self.server = self.new_server(config_text=accounts_config(self.smtp.port))

    wait_until = test_delivery.DeliveryTest.wait_until

    def sign_in(self, user, password, expect=200):
        r = self.server.request("POST", "/ui/login", body={"user": user, "password": password},
                                headers={"Origin": self.server.url})
        self.assertEqual(r.status, expect, r.text)
        if expect != 200:
            return r
        cookie = r.headers["set-cookie"]
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        return {"cookie": cookie.split(";")[0], "csrf": r.json()["csrf_token"], "body": r.json()}

    def as_session(self, method, path, s, body=None):
        headers = {"Cookie": s["cookie"], "Origin": self.server.url}
        if method != "GET":
            headers["X-CSRF-Token"] = s["csrf"]
        return self.server.request(method, path, body=body, headers=headers)

    def test_a_person_signs_in_acts_as_themselves_and_stays_signed_in_across_a_restart(self):
        r = self.server.api("POST", "/v1/users",
                            {"id": "carol", "name": "Carol Responder", "password": PASSWORD})
        self.assertEqual(r.status, 201, r.text)
        carol = self.sign_in("carol", PASSWORD)
        self.assertEqual(carol["body"]["user"], "carol")
        self.assertEqual(carol["body"]["role"], "responder")
        event = harness.pd_trigger(LOOM_KEY, dedup_key=harness.unique("accounts"))
        self.assertEqual(self.server.enqueue(event).status, 202)
        iid = self.server.incidents_by_dedup_key(event["dedup_key"])[0]["id"]
        ack = self.as_session("POST", f"/v1/incidents/{iid}/acknowledge", carol, body={})
        self.assertEqual(ack.status, 200, ack.text)
        incident = self.server.incident(iid)
        self.assertEqual(incident["commander"], "user:carol")
        acked = [e for e in incident["timeline"] if e["type"] == "incident.acknowledged"]
        self.assertEqual(acked[0]["actor"], "user:carol")

        # The session is in the database: a restart keeps carol signed in.
        self.server.stop_ok(self)
        self.server.start()
        session = self.as_session("GET", "/ui/session", carol)
        self.assertEqual(session.status, 200, session.text)
        self.assertEqual(session.json()["name"], "Carol Responder")

        other = self.sign_in("carol", PASSWORD)
        out = self.as_session("POST", "/ui/logout-everywhere", carol)
        self.assertEqual(out.status, 200, out.text)
        self.assertEqual(out.json()["signed_out"], 2)
        self.assertEqual(self.as_session("GET", "/ui/session", other).status, 401)

    def test_a_person_created_through_the_api_is_a_user_like_the_files(self):
        r = self.server.api("POST", "/v1/users", {"id": "dana", "name": "Dana Created"})
        self.assertEqual(r.status, 201, r.text)
        # At once, and again after a restart: the roster knows dana as it knows the file's users.
        for restart in (False, True):
            if restart:
                self.server.stop_ok(self)
                self.server.start()
            owned = self.server.api("POST", "/v1/followups",
                                    {"title": harness.unique("rotate the keys"), "owner": "dana",
                                     "due": "2027-01-15"})
            self.assertEqual(owned.status, 201, owned.text)
        unknown = self.server.api("POST", "/v1/followups",
                                  {"title": "t", "owner": "nobody", "due": "2027-01-15"})
        self.assertEqual(unknown.status, 400, unknown.text)

    def test_failed_sign_ins_look_alike_and_are_braked(self):
        self.server.api("PUT", "/v1/users/alice/password", {"password": PASSWORD})
        wrong = self.sign_in("alice", "not the passphrase", expect=401)
        unknown = self.sign_in("mallory", "not the passphrase", expect=401)
        self.assertEqual(wrong.json()["detail"], unknown.json()["detail"])
        for _ in range(4):
            self.sign_in("alice", "still not the passphrase", expect=401)
        braked = self.sign_in("alice", PASSWORD, expect=429)
        self.assertGreater(int(braked.headers["retry-after"]), 0)

    def test_a_forgotten_password_is_reset_through_a_mailed_link_that_works_once(self):
        self.server.api("PUT", "/v1/users/alice/password", {"password": PASSWORD})
        before = self.sign_in("alice", PASSWORD)
        r = self.server.request("POST", "/ui/password-reset", body={"user": "alice"},
                                headers={"Origin": self.server.url})
        self.assertEqual(r.status, 202, r.text)
        unknown = self.server.request("POST", "/ui/password-reset", body={"user": "nobody"},
                                      headers={"Origin": self.server.url})
        self.assertEqual(unknown.text, r.text)
        mail = self.wait_until(lambda: self.smtp.to("alice@example.com"), "the reset mail")[0]
        text = mail.get_body(preferencelist=("plain",)).get_content()
        link = re.search(r"http://127\.0\.0\.1:\d+(/ui/reset/alice/[0-9a-f]{64})", text)
        self.assertIsNotNone(link, text)
        path = link.group(1)
        self.assertNotIn(PASSWORD, text)

        page = self.server.request("GET", path)
        self.assertEqual(page.status, 200)
        self.assertIn('name="password"', page.text)
        form = "password=a+brand+new+passphrase&confirm=a+brand+new+passphrase"
        done = self.server.request("POST", path, raw=form, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Origin": self.server.url})
        self.assertEqual(done.status, 200, done.text)
        self.sign_in("alice", "a brand new passphrase")
        self.sign_in("alice", PASSWORD, expect=401)
        # Every earlier session of alice ended with the reset; the link works once.
        self.assertEqual(self.as_session("GET", "/ui/session", before).status, 401)
        again = self.server.request("POST", path, raw=form, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Origin": self.server.url})
        self.assertEqual(again.status, 410, again.text)
        # Nothing in the server's output names a password.
        self.server.stop_ok(self)
        with open(self.server.stderr_path) as f:
            log = f.read()
        self.assertNotIn("brand new passphrase", log)
        self.assertNotIn(PASSWORD, log)


class PostgresAccountsTest(test_postgres.PostgresTestCase):

    def test_two_instances_share_the_sessions_of_people(self):
        url = self.pg.new_database()
        config = test_postgres.postgres_config(extra="users:\n  - { id: alice, name: Alice }\n")
        a = self.new_server(config_text=config, env={"LOOM_ONCALL_PG_URL": url})
        b = self.new_server(config_text=config, env={"LOOM_ONCALL_PG_URL": url})
        r = a.api("PUT", "/v1/users/alice/password", {"password": PASSWORD})
        self.assertEqual(r.status, 200, r.text)
        login = b.request("POST", "/ui/login", body={"user": "alice", "password": PASSWORD})
        self.assertEqual(login.status, 200, login.text)
        cookie = login.headers["set-cookie"].split(";")[0]
        csrf = login.json()["csrf_token"]
        # Signed in on b, known to a.
        seen = a.request("GET", "/ui/session", headers={"Cookie": cookie})
        self.assertEqual(seen.status, 200, seen.text)
        self.assertEqual(seen.json()["user"], "alice")
        out = a.request("POST", "/ui/logout-everywhere",
                        headers={"Cookie": cookie, "X-CSRF-Token": csrf})
        self.assertEqual(out.status, 200, out.text)
        self.assertEqual(b.request("GET", "/ui/session", headers={"Cookie": cookie}).status, 401)
        hashes = test_postgres.psql(url, "SELECT COUNT(*) FROM console_sessions")
        self.assertEqual(hashes, "0")


class DemoAccountsTest(harness.LoomTestCase):

    def test_demo_users_sign_in_with_the_printed_password(self):
        server = self.new_server(demo=True, admin_token=None)
        deadline = time.monotonic() + 10
        while not any(line.startswith("demo sign-in:") for line in server.stdout_lines):
            self.assertLess(time.monotonic(), deadline, server.stdout_lines)
            time.sleep(0.05)
        printed = [line for line in server.stdout_lines if line.startswith("demo sign-in:")]
        self.assertEqual(len(printed), 1, server.stdout_lines)
        password = server.demo_env()["LOOM_ONCALL_DEMO_PASSWORD"]
        self.assertIn(f"with password {password}", printed[0])
        r = server.request("POST", "/ui/login", body={"user": "demo-primary", "password": password},
                           headers={"Origin": server.url})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["actor"], "user:demo-primary")


if __name__ == "__main__":
    import unittest
    unittest.main()
