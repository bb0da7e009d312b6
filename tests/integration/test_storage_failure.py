"""A storage failure is never the client's fault (issue 16): the real binary on SQLite, with writes
made to fail on purpose by a second connection to its database file (as a second server on the
same file, or an operator's tool, would).

- another writer takes the incident number the server meant to use next: the event that meets it
  is answered 503 with Retry-After, in the endpoint's own shape and without the database's words
  (it was 400 "UNIQUE constraint failed: incidents.number"), and the server reads its numbers
  again, so the event sent again and every later one is accepted (they all failed, forever);
  /ready stays 200 meanwhile, as the store keeps committing;
- another connection holds the write lock beyond the busy timeout: the event is answered 503 with
  Retry-After without the database's words, /ready says 503 while the lock is held and 200 within
  2 s of its release, and the event sent again is accepted.
"""

import sqlite3
import threading
import time

import harness
from harness import pd_trigger, unique

AM_PATH = "/v1/integrations/alertmanager"
# Words of SQLite's that must never reach a client.
DATABASE_WORDS = ("UNIQUE", "constraint", "incidents.", "database is locked", "SQLITE", "step:")


def alertmanager_body(group_key):
    """A recorded Alertmanager delivery, as a new group."""
    body = harness.load_fixture("am-webhook-LoomReadyProbeFailing-firing.json")["body"]
    body["groupKey"] = group_key
    return body


class StorageFailureTest(harness.LoomTestCase):

    def setUp(self):
        self.server = self.new_server()
        self.db = sqlite3.connect(self.server.db_path(), timeout=10, isolation_level=None)
        self.addCleanup(self.db.close)

    def take_next_number(self):
        """Writes, behind the server's back, the incident the server will number next: a copy
        of the newest incident, its alert group closed."""
        columns = [row[1] for row in self.db.execute("PRAGMA table_info(incidents)")]
        taken = self.db.execute("SELECT MAX(number) + 1 FROM incidents").fetchone()[0]
        values = [str(taken) if c == "number" else "0" if c == "group_open" else c
                  for c in columns]
        self.db.execute(f"INSERT INTO incidents ({', '.join(columns)}) SELECT {', '.join(values)}"
                        f" FROM incidents WHERE number = {taken - 1}")
        return taken

    def assertUnavailable(self, resp):
        self.assertEqual(resp.status, 503, resp)
        self.assertGreaterEqual(int(resp.headers.get("retry-after", "0")), 1, resp.headers)
        for words in DATABASE_WORDS:
            self.assertNotIn(words, resp.text, resp)

    def assertReady(self, status):
        resp = self.server.request("GET", "/ready")
        self.assertEqual(resp.status, status, resp)

    def test_a_write_that_meets_a_stale_number_is_503_and_the_next_is_accepted(self):
        first = unique("first")
        self.assertAccepted(self.server.enqueue(pd_trigger(dedup_key=first)), first)
        # PagerDuty Events v2.
        taken = self.take_next_number()
        key = unique("stale-pd")
        resp = self.server.enqueue(pd_trigger(dedup_key=key))
        self.assertUnavailable(resp)
        self.assertEqual(resp.json().get("status"), "unavailable", resp)
        self.assertReady(200)
        self.assertAccepted(self.server.enqueue(pd_trigger(dedup_key=key)), key)  # the retry
        [incident] = self.server.incidents_by_dedup_key(key)
        self.assertGreater(incident["number"], taken)
        # Alertmanager.
        taken = self.take_next_number()
        group = unique("stale-am")
        headers = {"Authorization": f"Bearer {harness.LOOM_KEY}"}
        resp = self.server.request("POST", AM_PATH, body=alertmanager_body(group),
                                   headers=headers)
        self.assertUnavailable(resp)
        self.assertEqual(resp.content_type, "application/problem+json", resp.headers)
        resp = self.server.request("POST", AM_PATH, body=alertmanager_body(group),
                                   headers=headers)
        self.assertEqual(resp.status, 200, resp)
        self.assertGreater(int(resp.json()["incident"].split("-")[1]), taken)
        # And every later event, as before.
        for _ in range(3):
            key = unique("later")
            self.assertAccepted(self.server.enqueue(pd_trigger(dedup_key=key)), key)
        self.assertReady(200)
        self.server.stop_ok(self)

    def test_a_locked_database_is_503_and_ready_tells_until_it_is_released(self):
        before = unique("before")
        self.assertAccepted(self.server.enqueue(pd_trigger(dedup_key=before)), before)
        self.db.execute("BEGIN IMMEDIATE")  # the write lock, held past the server's busy timeout
        released = False
        try:
            key = unique("locked")
            answers = []

            def send():
                client = self.server.client(timeout=60)
                answers.append(client.request("POST", "/v2/enqueue",
                                              body=pd_trigger(dedup_key=key)))
                client.close()

            sender = threading.Thread(target=send)
            sender.start()
            sender.join(60)
            [resp] = answers
            self.assertUnavailable(resp)
            self.assertReady(503)  # the store cannot write: /ready says so
            self.db.execute("ROLLBACK")
            released = True
            released_at = time.monotonic()
            while self.server.request("GET", "/ready").status != 200:
                self.assertLess(time.monotonic() - released_at, 2.0,
                                "/ready must answer 200 within 2 s of the lock's release")
                time.sleep(0.05)
        finally:
            if not released:
                self.db.execute("ROLLBACK")
        self.assertAccepted(self.server.enqueue(pd_trigger(dedup_key=key)), key)
        self.assertEqual(len(self.server.incidents_by_dedup_key(key)), 1)
        self.server.stop_ok(self)


if __name__ == "__main__":
    import unittest
    unittest.main()
