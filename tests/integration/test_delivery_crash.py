"""A page re-sent after a crash keeps its identity (issue 16, item 4). The real binary pages one
user's webhook under a steady stream of new Sev1 incidents and is killed with SIGKILL, 20 times,
each time while a message is in flight (the sink has read the request and holds its answer), then
restarted on the same data directory. Sent before the crash but never recorded, that message is
sent again after the restart: at-least-once, as documented, but as the same message. Checked over
every delivery: every accepted event's page arrived; the pages of one incident all carry one
`webhook-id`; all deliveries with one `webhook-id` carry the same content (the one-click links
aside, which are signed anew for each attempt). With a bundle window (bundles are claimed before
they are sent) and without one (one message per page)."""

import http.server
import json
import random
import threading
import time
import unittest

import harness
from harness import DEFAULT_CONFIG, LOOM_KEY

ROUNDS = 20


class HoldingSink:
    """Records every POST (webhook-id, body) as soon as it is read; while armed, holds the answer
    to the `hold_at`-th request of the round until released (the server is killed meanwhile)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.deliveries = []
        self.round_count = 0
        self.hold_at = 0
        self.holding = threading.Event()
        self.release = threading.Event()
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with sink.lock:
                    sink.deliveries.append((self.headers.get("webhook-id"), body))
                    sink.round_count += 1
                    hold = sink.round_count == sink.hold_at
                if hold:
                    sink.holding.set()
                    sink.release.wait(10)
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the server died with the request in flight

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def arm(self, hold_at):
        with self.lock:
            self.round_count = 0
            self.hold_at = hold_at
            self.holding.clear()
            self.release.clear()

    def disarm(self):
        with self.lock:
            self.hold_at = 0
        self.release.set()

    def snapshot(self):
        with self.lock:
            return list(self.deliveries)

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def crash_config(port, bundle_window):
    return DEFAULT_CONFIG.replace(
        "  - id: limited\n",
        "    roles: { primary: prim }\n"
        "  - id: limited\n",
        1) + f"""\
policy:
  severities:
    sev1: {{ ack_target: 1h }}
  repeat: 0
users:
  - id: alice
    name: Alice Primary
    contact_methods:
      - {{ id: hook, type: webhook, url: "http://127.0.0.1:{port}/alice" }}
schedules:
  - {{ id: prim, layers: [ {{ participants: [alice], shift: 1w, start: 2026-01-05 }} ] }}
notify:
  allow_hosts: [127.0.0.1]
  retry: {{ initial: 1s, max: 2s }}
  bundle_window: {bundle_window}
"""


def content(body):
    """The delivery's body without the one-click links (fresh tokens on each attempt)."""
    doc = json.loads(body)
    for incident in doc.get("incidents", []):
        incident.pop("ack_url", None)
        incident.pop("open_url", None)
    return doc


class Load:
    """Sends new Sev1 triggers one after the other until stopped; keeps the accepted titles."""

    def __init__(self, server, prefix):
        self.server = server
        self.prefix = prefix
        self.accepted = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        client = self.server.client(timeout=5)
        try:
            self.send(client)
        finally:
            client.close()

    def send(self, client):
        i = 0
        while not self.stop.is_set():
            title = f"{self.prefix}-{i} down"
            i += 1
            event = {"routing_key": LOOM_KEY, "event_action": "trigger", "dedup_key": title,
                     "payload": {"summary": title, "source": "crash-test",
                                 "severity": "critical"}}
            try:
                r = client.request("POST", "/v2/enqueue", event)
            except OSError:
                return  # killed
            if r.status == 202:
                self.accepted.append(title)
            time.sleep(0.005)

    def finish(self):
        self.stop.set()
        self.thread.join(10)


class DeliveryCrashTest(harness.LoomTestCase):

    def crash_rounds(self, bundle_window, rounds):
        sink = HoldingSink()
        self.addCleanup(sink.close)
        rng = random.Random(f"crash-{bundle_window}")
        server = self.new_server(start=False, config_text=crash_config(sink.port, bundle_window))
        accepted = []
        resent = 0
        for n in range(rounds):
            # Killed while the 1st to 3rd message of the round is in flight.
            sink.arm(hold_at=rng.randint(1, 3))
            server.start()
            load = Load(server, f"r{n}")
            self.assertTrue(sink.holding.wait(20), f"round {n}: no message reached the sink")
            time.sleep(rng.uniform(0, 0.05))  # more events may commit meanwhile
            server.kill()
            load.finish()
            sink.disarm()
            accepted += load.accepted
        # Last start: everything pending goes out.
        before_drain = len(sink.snapshot())
        server.start()
        wanted = set(accepted)
        deadline = time.monotonic() + 30
        while True:
            delivered = sink.snapshot()
            titles = {i["title"] for _, body in delivered for i in json.loads(body)["incidents"]}
            if wanted <= titles:
                break
            self.assertLess(time.monotonic(), deadline,
                            f"pages never arrived: {sorted(wanted - titles)[:10]}")
            time.sleep(0.1)
        server.stop_ok(self)
        resent = len(delivered) - len({message_id for message_id, _ in delivered})

        # One id per incident's page, and one content per id.
        ids_by_title = {}
        content_by_id = {}
        for message_id, body in delivered:
            self.assertTrue(message_id, "a delivery without webhook-id")
            doc = content(body)
            self.assertEqual(doc["id"], message_id)
            self.assertEqual(doc["bundled"], len(doc["incidents"]))  # one page per incident
            for incident in doc["incidents"]:
                ids_by_title.setdefault(incident["title"], set()).add(message_id)
            first = content_by_id.setdefault(message_id, doc)
            self.assertEqual(doc, first, f"{message_id} was re-sent with other content")
        changed = {t: ids for t, ids in ids_by_title.items() if len(ids) > 1}
        self.assertFalse(changed, f"{len(changed)} pages re-sent under another webhook-id, e.g. "
                         f"{sorted(changed.items())[:3]}")
        # The crashes did cut sends short: at least one message was delivered again.
        self.assertGreater(resent, 0, f"{len(delivered)} deliveries, {before_drain} before the "
                           "last start: no message was sent twice")
        return delivered

    def test_bundles_keep_their_id_and_incidents_across_crashes(self):
        delivered = self.crash_rounds("1s", ROUNDS)
        self.assertTrue(any(json.loads(body)["type"] == "bundle" for _, body in delivered),
                        "no bundle was sent: the test did not exercise bundling")

    def test_without_a_window_each_page_is_one_message_across_crashes(self):
        delivered = self.crash_rounds("0s", ROUNDS // 2)
        for _, body in delivered:
            doc = json.loads(body)
            self.assertEqual((doc["type"], doc["bundled"], len(doc["incidents"])), ("page", 1, 1))


if __name__ == "__main__":
    unittest.main()
