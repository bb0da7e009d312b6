#!/usr/bin/python3
"""Trigger -> provider request latency for every channel type, and pages per second through one
SMS provider with bundling, with the real `loom-oncall serve` and the local stand-ins the
integration tests use (tests/providers/, tests/integration/chat_fakes.py, the SMTP sink of
tests/integration/test_delivery.py).

1. Latency, per channel (--channels, default all ten): a fresh server whose service `loom` has
   one primary, alice, with one contact method of that type pointing at its stand-in
   (`bundle_window: 0s`, Sev1 ack target 1 h, no repeat). --warmup then --requests sequential
   Sev1 triggers (POST /v2/enqueue, a new dedup_key and a unique token in the title each) on one
   keep-alive connection; after each 202 the next trigger waits until the stand-in received the
   request carrying that token and accepted it (2xx). Reported per channel: trigger sent ->
   provider request received, p50/p99/max over the --requests measured pages (the warm-up pages
   must arrive too), beside trigger sent -> 202 (the durable commit) p50/p99, the pages that never
   arrived and the requests a stand-in refused.
2. Throughput with bundling (--burst N, 0 to skip): N triggers sent as fast as one keep-alive
   connection is answered, all paging one person by SMS with `notify.bundle_window` (--window);
   reported: pages (incidents) per second that reached the Twilio stand-in (from the first
   trigger to the last message), the messages that carried them (a bundle says "N new
   incidents"), and whether the pages add up to the triggers (none lost, none twice).

Usage: /usr/bin/python3 bench/channel_latency.py [--server build/loom-oncall] [--requests 500]
       [--warmup 5] [--channels sms,voice,...] [--burst 5000] [--window 1s] [--timeout 20]
       [--json]
/usr/bin/python3 because the e-mail stand-in needs Debian's python3-aiosmtpd.
Exit code 3 when a page never arrived (within --timeout) or the burst's pages do not add up, 2
for bad flags (an unknown channel).
"""

import argparse
import email
import email.policy
import json
import os
import re
import secrets
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "providers"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import harness  # noqa: E402
from chat_fakes import MattermostWebhookFake, TeamsWebhookFake, _WebhookFake  # noqa: E402
from ntfy_server import NtfyServer  # noqa: E402
from pushover_server import PushoverServer  # noqa: E402
from telegram_server import TelegramServer  # noqa: E402
from test_delivery import SmtpSink  # noqa: E402
from twilio_server import TwilioServer  # noqa: E402

CHANNELS = ("email", "webhook", "slack", "sms", "voice", "ntfy", "pushover", "telegram", "teams",
            "mattermost")
TOKEN = re.compile(r"pg[0-9a-f]{10}")
SID = "AC" + secrets.token_hex(16)
AUTH_TOKEN = secrets.token_hex(16)
APP_TOKEN = "a" + secrets.token_hex(14)
USER_KEY = "u" + secrets.token_hex(14)
BOT_TOKEN = "123456:" + secrets.token_hex(16)


class Arrivals:
    """When each page token first reached a stand-in. record() is called by the stand-ins'
    request handlers (any thread) with the time the request was read and its text."""

    def __init__(self):
        self.cond = threading.Condition()
        self.first = {}  # token -> time.monotonic() of its first accepted request
        self.rejected = 0  # requests a stand-in refused (a bench misconfigured, or a bug)

    def record(self, status, text, at):
        """A request the stand-in answered `status`; only an accepted one (2xx) counts."""
        with self.cond:
            if not 200 <= status < 300:
                self.rejected += 1
                return
            for token in TOKEN.findall(text):
                self.first.setdefault(token, at)
            self.cond.notify_all()

    def wait(self, token, timeout):
        """The arrival time of `token`, or None after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while token not in self.first:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)
            return self.first[token]


def timed(arrivals, base, hook, text_of, *args):
    """An instance of stand-in class `base` (built with `args`) whose request hook `hook` — the
    method that answers each request once it is read — reports every answer to `arrivals`, with
    the time the hook was entered and text_of(request) to find page tokens in."""
    def answered(self, *request):
        at = time.monotonic()
        answer = getattr(base, hook)(self, *request)
        arrivals.record(answer[0], text_of(*request), at)
        return answer
    return type("Timed" + base.__name__, (base,), {hook: answered})(*args)


def twilio_text(path, headers, body):
    return urllib.parse.unquote_plus(body)


def vendor_text(method, path, headers, body):
    """ntfy, Pushover, Telegram (tests/providers/fake_vendor.py): headers and body."""
    return json.dumps(headers) + urllib.parse.unquote_plus(body.decode())


def webhook_text(headers, body):
    """The chat_fakes stand-ins: the parsed JSON body."""
    return json.dumps(body)


class Sink(_WebhookFake):
    """A Slack incoming webhook or a plain webhook receiver: 200 "ok" to every POST."""

    def answer(self, headers, body):
        return 200, {"Content-Type": "text/plain"}, "ok"


class TimedSmtp(SmtpSink):
    """The e-mail stand-in (aiosmtpd), started: a message counts when its DATA is complete."""

    def __init__(self, arrivals):
        self.arrivals = arrivals
        super().__init__(harness.free_port())
        self.start()

    async def handle_DATA(self, server, session, envelope):
        at = time.monotonic()
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        parts = [str(message["Subject"])]
        parts += [p.get_content() for p in message.walk() if p.get_content_maintype() == "text"]
        self.arrivals.record(200, "\n".join(parts), at)  # the sink takes every message
        return await super().handle_DATA(server, session, envelope)

    def close(self):
        self.stop()


def standin(channel, arrivals):
    """(stand-in with close(), contact method YAML, notify: lines, environment) for `channel`."""
    if channel == "email":
        s = TimedSmtp(arrivals)
        return (s, "{ id: m, type: email, address: alice@example.com }",
                f'  smtp: {{ url: "smtp://127.0.0.1:{s.port}", from: "oncall@example.com" }}\n',
                {})
    if channel in ("webhook", "slack", "teams", "mattermost"):
        base = {"teams": TeamsWebhookFake, "mattermost": MattermostWebhookFake}.get(channel, Sink)
        s = timed(arrivals, base, "answer", webhook_text)
        return (s, f"{{ id: m, type: {channel}, url_env: ALICE_URL }}", "",
                {"ALICE_URL": s.url(f"/hooks/{channel}/{secrets.token_hex(8)}")})
    if channel in ("sms", "voice"):
        s = timed(arrivals, TwilioServer, "answer", twilio_text, SID, AUTH_TOKEN)
        return (s, f'{{ id: m, type: {channel}, number: "+15551230001" }}',
                twilio_provider(s.api_url),
                {"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN})
    if channel == "ntfy":
        s = timed(arrivals, NtfyServer, "handle", vendor_text)
        return s, f'{{ id: m, type: ntfy, topic: alice-pages, server: "{s.url}" }}', "", {}
    if channel == "pushover":
        s = timed(arrivals, PushoverServer, "handle", vendor_text, APP_TOKEN, [USER_KEY])
        return (s, "{ id: m, type: pushover, user_key_env: ALICE_PUSHOVER_KEY }",
                f'  providers:\n    pushover: {{ app_token_env: PUSHOVER_APP_TOKEN, '
                f'api_url: "{s.url}" }}\n',
                {"ALICE_PUSHOVER_KEY": USER_KEY, "PUSHOVER_APP_TOKEN": APP_TOKEN})
    if channel == "telegram":
        s = timed(arrivals, TelegramServer, "handle", vendor_text, BOT_TOKEN)
        return (s, '{ id: m, type: telegram, chat_id: "424242" }',
                f'  providers:\n    telegram: {{ bot_token_env: TELEGRAM_BOT_TOKEN, '
                f'secret_token_env: TELEGRAM_SECRET, api_url: "{s.url}" }}\n',
                {"TELEGRAM_BOT_TOKEN": BOT_TOKEN, "TELEGRAM_SECRET": secrets.token_hex(20)})
    raise ValueError(f"unknown channel {channel!r}")


def twilio_provider(api_url):
    """The Twilio provider at the stand-in; 3600 an hour, so that no page is bundled for the
    hourly budget (a burst is bundled by bundle_window alone)."""
    return f"""\
  providers:
    twilio:
      account_sid_env: TWILIO_ACCOUNT_SID
      auth_token_env: TWILIO_AUTH_TOKEN
      from: "+15005550006"
      api_url: {api_url}
      per_person_hourly: 3600
"""


def config(method, notify, window):
    return f"""\
server:
  public_url: https://oncall.example.com
services:
  - id: loom
    integration_keys: [ {{ key: "{harness.LOOM_KEY}" }} ]
    roles: {{ primary: prim }}
policy: {{ severities: {{ sev1: {{ ack_target: 1h }} }}, repeat: 0 }}
users:
  - id: alice
    contact_methods: [ {method} ]
schedules:
  - {{ id: prim, layers: [ {{ participants: [alice], shift: 1w, start: 2026-01-05 }} ] }}
notify:
  allow_hosts: [127.0.0.1]
  bundle_window: {window}
{notify}"""


def start_server(config_text, env):
    server = harness.Server(config_text=config_text, env=env)
    server.start()
    return server


def stop_server(server):
    try:
        server.stop_ok()
    finally:
        server.cleanup()


def trigger(server, token):
    r = server.enqueue(harness.pd_trigger(dedup_key=token, summary=f"{token} bench page"))
    if r.status != 202:
        raise SystemExit(f"trigger answered {r.status}: {r.text[:300]}")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def latency(channel, requests, warmup, timeout):
    arrivals = Arrivals()
    stand_in, method, notify, env = standin(channel, arrivals)
    server = None
    samples, accepted, missing = [], [], 0
    try:
        server = start_server(config(method, notify, "0s"), env)
        for i in range(warmup + requests):
            token = "pg" + secrets.token_hex(5)
            start = time.monotonic()
            trigger(server, token)
            answered = time.monotonic()
            at = arrivals.wait(token, timeout)
            if at is None:
                missing += 1
                print(f"{channel}: the page {token} did not arrive within {timeout}s",
                      file=sys.stderr)
            elif i >= warmup:
                samples.append((at - start) * 1000)
                accepted.append((answered - start) * 1000)
    finally:
        if server is not None:
            stop_server(server)
        stand_in.close()
    result = {"channel": channel, "pages": len(samples), "missing": missing,
              "rejected_requests": arrivals.rejected}
    if samples:
        result.update(p50_ms=round(percentile(samples, 50), 2),
                      p99_ms=round(percentile(samples, 99), 2), max_ms=round(max(samples), 2),
                      to_202_p50_ms=round(percentile(accepted, 50), 2),
                      to_202_p99_ms=round(percentile(accepted, 99), 2))
    return result


def bundled_pages(requests):
    """Pages carried by the Twilio stand-in's messages: one, or N for "N new incidents: ..."."""
    total = 0
    for r in requests:
        if r["resource"] == "Messages.json":
            m = re.match(r"^(\d+) new incidents", r["form"].get("Body", ""))
            total += int(m.group(1)) if m else 1
    return total


def burst(count, window):
    twilio = TwilioServer(SID, AUTH_TOKEN)
    server = None
    try:
        server = start_server(
            config('{ id: m, type: sms, number: "+15551230001" }',
                   twilio_provider(twilio.api_url), window),
            {"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN})
        start = time.monotonic()
        for _ in range(count):
            trigger(server, "pg" + secrets.token_hex(5))
        sent_at = time.monotonic() - start
        twilio.wait_for(lambda reqs: bundled_pages(reqs) >= count, timeout=300)
        # Then until nothing new arrives for 3 s (a duplicate would come late).
        last = -1
        while len(twilio.requests) != last:
            last = len(twilio.requests)
            time.sleep(3)
    finally:
        if server is not None:
            stop_server(server)
        twilio.close()
    messages = [r for r in twilio.requests if r["resource"] == "Messages.json"]
    delivered = bundled_pages(messages)
    first = min((r["at"] for r in messages), default=start)
    last_at = max((r["at"] for r in messages), default=start)
    return {"triggers": count, "triggers_per_s": round(count / sent_at, 1),
            "window": window, "messages": len(messages), "pages_delivered": delivered,
            "pages_per_s": round(delivered / max(last_at - start, 1e-9), 1),
            "seconds_first_to_last_message": round(last_at - first, 2)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", default=os.path.join(HERE, "..", "build", "loom-oncall"))
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--channels", default=",".join(CHANNELS))
    parser.add_argument("--burst", type=int, default=5000)
    parser.add_argument("--window", default="1s")
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    channels = [c for c in args.channels.split(",") if c]
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown:
        parser.error(f"unknown channel {', '.join(unknown)} (one of {', '.join(CHANNELS)})")
    os.environ["LOOM_ONCALL_BIN"] = os.path.abspath(args.server)
    result = {"latency": [], "burst": None}
    for channel in channels:
        result["latency"].append(latency(channel, args.requests, args.warmup, args.timeout))
        if not args.json:
            print(json.dumps(result["latency"][-1]), file=sys.stderr)
    if args.burst > 0:
        result["burst"] = burst(args.burst, args.window)
    print(json.dumps(result, indent=None if args.json else 2))
    lost = any(r["missing"] for r in result["latency"])
    short = result["burst"] is not None and result["burst"]["pages_delivered"] != args.burst
    return 3 if lost or short else 0


if __name__ == "__main__":
    sys.exit(main())
