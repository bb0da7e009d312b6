#!/usr/bin/env python3
"""Pages through Twilio (SMS and voice) against the local Twilio stand-in
(tests/providers/twilio_server.py), with the real `loom-oncall serve`.

1. Latency: --requests sequential Sev1 triggers (POST /v2/enqueue, a new dedup_key each) to a
   service whose primary has one `sms` (then, in a second server, one `voice`) contact method;
   after each 202 the next trigger waits until the stand-in received that incident's Messages
   (Calls) request. Reported per channel: trigger sent -> provider request received, p50/p99/max.
2. Throughput with bundling: --burst triggers sent as fast as one keep-alive connection is
   answered, all paging one person by SMS with `notify.bundle_window` (--window); reported: pages
   (incidents) per second that reached the stand-in (from the first trigger to the last message),
   the number of Messages requests that carried them (a bundle says "N new incidents"), and
   whether the pages add up to the triggers (none lost, none twice).

Usage: bench/twilio_bench.py [--server build/loom-oncall] [--requests 500] [--burst 2000]
       [--window 1s] [--json]
Exit code 3 when the pages delivered do not add up to the triggers.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "providers"))
from twilio_server import TwilioServer  # noqa: E402

SID = "AC" + secrets.token_hex(16)
TOKEN = secrets.token_hex(16)
KEY = secrets.token_hex(16)
NUMBER = "+15551230001"


def config(api_url, method_type, window, hourly):
    return f"""\
services:
  - id: loom
    integration_keys: [ {{ key: "{KEY}" }} ]
    roles: {{ primary: prim }}
policy: {{ severities: {{ sev1: {{ ack_target: 1h }} }}, repeat: 0 }}
users:
  - id: alice
    contact_methods: [ {{ id: phone, type: {method_type}, number: "{NUMBER}" }} ]
schedules:
  - {{ id: prim, layers: [ {{ participants: [alice], shift: 1w, start: 2026-01-05 }} ] }}
notify:
  allow_hosts: [127.0.0.1]
  bundle_window: {window}
  providers:
    twilio:
      account_sid_env: TWILIO_ACCOUNT_SID
      auth_token_env: TWILIO_AUTH_TOKEN
      from: "+15005550006"
      api_url: {api_url}
      per_person_hourly: {hourly}
"""


class Loom:
    def __init__(self, binary, config_text):
        self.dir = tempfile.mkdtemp(prefix="loom-twilio-bench-")
        path = os.path.join(self.dir, "loom-oncall.yaml")
        with open(path, "w") as f:
            f.write(config_text)
        env = dict(os.environ, TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN=TOKEN)
        self.proc = subprocess.Popen(
            [binary, "serve", "--config", path, "--data-dir", os.path.join(self.dir, "data"),
             "--listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=open(os.path.join(self.dir, "stderr"), "w"),
            env=env, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"^loom-oncall listening on http://127\.0\.0\.1:(\d+)$", line.strip())
        if not m:
            raise SystemExit(f"server did not start: {line!r}")
        self.conn = http.client.HTTPConnection("127.0.0.1", int(m.group(1)), timeout=30)

    def trigger(self, token):
        body = json.dumps({"routing_key": KEY, "event_action": "trigger",
                           "dedup_key": token,
                           "payload": {"summary": f"{token} bench", "source": "bench",
                                       "severity": "critical"}})
        self.conn.request("POST", "/v2/enqueue", body, {"Content-Type": "application/json"})
        r = self.conn.getresponse()
        r.read()
        if r.status != 202:
            raise SystemExit(f"trigger answered {r.status}")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)
        if code != 0:
            raise SystemExit(f"server exited {code}")


def text_of(request):
    form = request["form"]
    return form.get("Body") or form.get("Twiml") or ""


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def latency(binary, method_type, requests):
    resource = "Messages.json" if method_type == "sms" else "Calls.json"
    twilio = TwilioServer(SID, TOKEN)
    loom = Loom(binary, config(twilio.api_url, method_type, "0s", 3600))
    samples = []
    try:
        for i in range(requests):
            token = f"L{i:06d}x{secrets.token_hex(3)}"
            start = time.monotonic()
            loom.trigger(token)
            got = twilio.wait_for(lambda reqs: [r for r in reqs if r["resource"] == resource
                                                and token in text_of(r)], timeout=30)
            if not got:
                raise SystemExit(f"{method_type}: page for {token} never arrived")
            samples.append((got[0]["at"] - start) * 1000)
    finally:
        loom.stop()
        twilio.close()
    return {"channel": method_type, "pages": len(samples),
            "p50_ms": round(percentile(samples, 50), 2),
            "p99_ms": round(percentile(samples, 99), 2), "max_ms": round(max(samples), 2)}


def burst(binary, count, window):
    twilio = TwilioServer(SID, TOKEN)
    loom = Loom(binary, config(twilio.api_url, "sms", window, 3600))
    tokens = [f"B{i:06d}x{secrets.token_hex(3)}" for i in range(count)]
    try:
        start = time.monotonic()
        for token in tokens:
            loom.trigger(token)
        sent_at = time.monotonic() - start

        def pages(reqs):
            # A message names one incident, or says "N new incidents: ..." for a bundle.
            total = 0
            for r in reqs:
                if r["resource"] == "Messages.json":
                    m = re.match(r"^(\d+) new incidents", text_of(r))
                    total += int(m.group(1)) if m else 1
            return total

        twilio.wait_for(lambda reqs: pages(reqs) >= count, timeout=300)
        # Then until nothing new arrives for 3 s (a duplicate would come late).
        last = -1
        while len(twilio.requests) != last:
            last = len(twilio.requests)
            time.sleep(3)
    finally:
        loom.stop()
        twilio.close()
    messages = [r for r in twilio.requests if r["resource"] == "Messages.json"]
    first = min(r["at"] for r in messages)
    last_at = max(r["at"] for r in messages)
    delivered = pages(twilio.requests)
    return {"triggers": count, "triggers_per_s": round(count / sent_at, 1),
            "window": window, "messages": len(messages), "pages_delivered": delivered,
            "pages_per_s": round(delivered / max(last_at - start, 1e-9), 1),
            "seconds_first_to_last_message": round(last_at - first, 2)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", default=os.path.join(HERE, "..", "build", "loom-oncall"))
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--window", default="1s")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = {"latency": [latency(args.server, t, args.requests) for t in ("sms", "voice")],
              "burst": burst(args.server, args.burst, args.window)}
    print(json.dumps(result, indent=None if args.json else 2))
    return 0 if result["burst"]["pages_delivered"] == args.burst else 3


if __name__ == "__main__":
    sys.exit(main())
