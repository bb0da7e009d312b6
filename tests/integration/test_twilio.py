"""SMS and voice through Twilio, end to end (issue 19, "sms" and "voice"): the real binary pages
through a local server that speaks Twilio's REST API (tests/providers/twilio_server.py), and the
callbacks Twilio would send are signed with the official `twilio` npm helper
(tests/providers/twilio_sign.js), which checks our signature scheme from the other side.

A Sev1 trigger sends the primary an SMS and a call naming the incident's title and severity; a
signed SMS reply or the call's key press acknowledges (the secondary is never paged, the timeline
names the channel); a forged or replayed callback acts on nothing; STOP stops SMS until START;
429 and 5xx answers are retried; status callbacks show in the notifications.
"""

import json
import os
import re
import secrets
import subprocess
import sys
import time
import unittest
import urllib.parse

import harness
from harness import DEFAULT_CONFIG, LOOM_KEY

HERE = os.path.dirname(os.path.abspath(__file__))
PROVIDERS = os.path.join(HERE, "..", "providers")
sys.path.insert(0, PROVIDERS)
from twilio_server import TwilioServer  # noqa: E402

ACCOUNT_SID = "AC" + secrets.token_hex(16)
AUTH_TOKEN = secrets.token_hex(16)
PUBLIC_URL = "https://oncall.example.test"
FROM = "+15005550006"
ALICE = "+15551230001"
BOB = "+15551230002"
# Long enough for the forged callbacks and the acknowledgement (each signed by a node process)
# to happen before the secondary's page would be due.
ACK_TARGET_S = 10


def twilio_config(api_url, ack_target=f"{ACK_TARGET_S}s", alice_methods="sms, voice"):
    methods = {
        "sms": f'{{ id: text, type: sms, number: "{ALICE}" }}',
        "voice": f'{{ id: phone, type: voice, number: "{ALICE}" }}',
    }
    names = {"sms": "text", "voice": "phone"}
    chosen = [m.strip() for m in alice_methods.split(",")]
    return DEFAULT_CONFIG.replace(
        "  - id: limited\n",
        "    roles: { primary: prim, secondary: second }\n"
        "  - id: limited\n",
        1) + f"""\
server:
  public_url: {PUBLIC_URL}
policy:
  severities:
    sev1: {{ ack_target: {ack_target} }}
  repeat: 0
users:
  - id: alice
    name: Alice Primary
    contact_methods: [ {", ".join(methods[m] for m in chosen)} ]
    notification_rules:
      high: [ {", ".join(f"{{ method: {names[m]}, after: 0m }}" for m in chosen)} ]
  - id: bob
    name: Bob Secondary
    contact_methods: [ {{ id: text, type: sms, number: "{BOB}" }} ]
schedules:
  - {{ id: prim, layers: [ {{ participants: [alice], shift: 1w, start: 2026-01-05 }} ] }}
  - {{ id: second, layers: [ {{ participants: [bob], shift: 1w, start: 2026-01-05 }} ] }}
notify:
  allow_hosts: [127.0.0.1]
  retry: {{ initial: 1s, max: 2s }}
  max_attempts: 5
  bundle_window: 0s
  providers:
    twilio:
      account_sid_env: TWILIO_ACCOUNT_SID
      auth_token_env: TWILIO_AUTH_TOKEN
      from: "{FROM}"
      api_url: {api_url}
"""


def sign(url, params, token=AUTH_TOKEN):
    """X-Twilio-Signature from the official helper (and its own validateRequest agrees)."""
    out = subprocess.run(["node", os.path.join(PROVIDERS, "twilio_sign.js")],
                         input=json.dumps({"authToken": token, "url": url, "params": params}),
                         capture_output=True, text=True, timeout=30, check=True)
    answer = json.loads(out.stdout)
    assert answer["valid"], answer
    return answer["signature"]


class TwilioTest(harness.LoomTestCase):

    def start(self, **config):
        self.twilio = TwilioServer(ACCOUNT_SID, AUTH_TOKEN)
        self.addCleanup(self.twilio.close)
        self.server = self.new_server(
            config_text=twilio_config(self.twilio.api_url, **config),
            env={"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN})

    def trigger(self, dedup_key, summary="Checkout API down"):
        event = {"routing_key": LOOM_KEY, "event_action": "trigger", "dedup_key": dedup_key,
                 "payload": {"summary": summary, "source": "api-1", "severity": "critical"}}
        self.assertEqual(self.server.enqueue(event).status, 202)
        incident = self.server.incidents_by_dedup_key(dedup_key)[0]
        return incident["id"], int(incident["id"].split("-")[1])

    def callback(self, path, params, signature=None):
        """POSTs `params` to `path` (with its query) as Twilio would, signed over the public URL."""
        if signature is None:
            signature = sign(PUBLIC_URL + path, params)
        return self.server.request(
            "POST", path, raw=urllib.parse.urlencode(params),
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "X-Twilio-Signature": signature})

    def sms_to(self, number, incident_title):
        found = self.twilio.wait_for(lambda reqs: [
            r for r in reqs if r["resource"] == "Messages.json" and r["form"]["To"] == number
            and incident_title in r["form"]["Body"]])
        self.assertTrue(found, f"no SMS to {number} about {incident_title}: {self.twilio.requests}")
        return found[0]["form"]

    def call_to(self, number):
        found = self.twilio.wait_for(lambda reqs: [
            r for r in reqs if r["resource"] == "Calls.json" and r["form"]["To"] == number])
        self.assertTrue(found, f"no call to {number}: {self.twilio.requests}")
        return found[-1]["form"]

    def notifications(self, iid):
        return self.server.get_json(f"/v1/incidents/{iid}/notifications")["notifications"]

    def pages(self, iid):
        return sorted({(n["role"], n["user"]) for n in self.notifications(iid)
                       if n["kind"] == "page"})

    def sms_reply(self, body, sid=None, sender=ALICE):
        return self.callback("/v1/providers/twilio/sms",
                             {"MessageSid": sid or "SM" + secrets.token_hex(16),
                              "AccountSid": ACCOUNT_SID, "From": sender, "To": FROM,
                              "Body": body, "NumMedia": "0"})

    def test_an_sms_reply_acknowledges_once_and_forgeries_act_on_nothing(self):
        self.start(alice_methods="sms")
        iid, number = self.trigger(harness.unique("sms-ack"), "Checkout API down")
        form = self.sms_to(ALICE, "Checkout API down")
        self.assertEqual(form["From"], FROM)
        self.assertIn("Sev1", form["Body"])
        self.assertIn(f"Reply {number}A to acknowledge, {number}E to escalate", form["Body"])
        self.assertEqual(form["StatusCallback"], PUBLIC_URL + "/v1/providers/twilio/sms/status")
        self.wait_until(lambda: [n for n in self.notifications(iid)
                                 if n["user"] == "alice" and n["state"] == "delivered"],
                        "the SMS recorded as sent")
        before = self.server.incident(iid)["timeline"]

        # Forged: signed with another token, or over another URL, or not at all.
        params = {"MessageSid": "SM" + secrets.token_hex(16), "From": ALICE, "To": FROM,
                  "Body": f"{number}A"}
        for signature in (sign(PUBLIC_URL + "/v1/providers/twilio/sms", params, token="wrong"),
                          sign("http://127.0.0.1/v1/providers/twilio/sms", params), ""):
            r = self.callback("/v1/providers/twilio/sms", params, signature=signature)
            self.assertEqual(r.status, 403, r)
        # Signed, but from a number the page did not go to.
        r = self.sms_reply(f"{number}A", sender=BOB)
        self.assertEqual(r.status, 200, r)
        self.assertIn("was not paged to this number", r.text)
        self.assertEqual(self.server.incident(iid)["timeline"], before)
        self.assertEqual(self.server.incident(iid)["state"], "triggered")

        sid = "SM" + secrets.token_hex(16)
        r = self.sms_reply(f"{number}a", sid=sid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.content_type, "text/xml")
        self.assertIn(f"<Message>INC-{number} acknowledged", r.text)
        incident = self.server.incident(iid)
        self.assertEqual(incident["state"], "acknowledged")
        acks = [e for e in incident["timeline"] if e["type"] == "incident.acknowledged"]
        self.assertEqual([(e["actor"], e["data"].get("via")) for e in acks], [("user:alice", "sms")])

        # Replayed: acts once at most.
        timeline = incident["timeline"]
        r = self.sms_reply(f"{number}A", sid=sid)
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("<Message>", r.text)
        self.assertEqual(self.server.incident(iid)["timeline"], timeline)

        # The escalation stopped: past the secondary's due time, bob was never paged.
        time.sleep(ACK_TARGET_S + 1)
        self.assertEqual(self.pages(iid), [("primary", "alice")])
        self.assertEqual(self.twilio.sent("Messages.json", to=BOB), [])
        self.server.stop_ok(self)

    def test_a_key_press_on_the_call_acknowledges(self):
        self.start(alice_methods="voice")
        iid, number = self.trigger(harness.unique("voice-ack"), "Payments queue stuck")
        form = self.call_to(ALICE)
        self.assertEqual(form["From"], FROM)
        self.assertEqual(form["MachineDetection"], "Enable")
        self.assertEqual(form["StatusCallback"], PUBLIC_URL + "/v1/providers/twilio/voice/status")
        twiml = form["Twiml"]
        self.assertIn("severity 1 incident", twiml)
        self.assertIn("Payments queue stuck", twiml)
        action = re.search(r'<Gather numDigits="1" action="([^"]+)"', twiml).group(1)
        action = action.replace("&amp;", "&")
        self.assertTrue(action.startswith(PUBLIC_URL + "/v1/providers/twilio/voice?"), action)
        path = action[len(PUBLIC_URL):]
        call = "CA" + secrets.token_hex(16)
        params = {"CallSid": call, "AccountSid": ACCOUNT_SID, "From": FROM, "To": ALICE,
                  "Digits": "1", "AnsweredBy": "human"}

        # A forged key press (the query changed after signing) acts on nothing.
        forged_sig = sign(PUBLIC_URL + path, params)
        r = self.callback(path.replace(f"incidents={number}", f"incidents={number + 1}"), params,
                          signature=forged_sig)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.server.incident(iid)["state"], "triggered")

        r = self.callback(path, params)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.content_type, "text/xml")
        self.assertIn(f"Acknowledged incident {number}.", r.text)
        incident = self.server.incident(iid)
        self.assertEqual(incident["state"], "acknowledged")
        acks = [e for e in incident["timeline"] if e["type"] == "incident.acknowledged"]
        self.assertEqual([(e["actor"], e["data"].get("via")) for e in acks],
                         [("user:alice", "voice")])
        # Replayed: nothing more.
        timeline = incident["timeline"]
        self.assertEqual(self.callback(path, params).status, 200)
        self.assertEqual(self.server.incident(iid)["timeline"], timeline)

        time.sleep(ACK_TARGET_S + 1)
        self.assertEqual(self.pages(iid), [("primary", "alice")])
        self.server.stop_ok(self)

    def test_a_call_a_machine_answered_is_not_reached_and_the_escalation_goes_on(self):
        self.start(alice_methods="voice")
        iid, _ = self.trigger(harness.unique("voice-no-answer"))
        self.call_to(ALICE)
        row = self.wait_until(lambda: [n for n in self.notifications(iid)
                                       if n["user"] == "alice" and n["provider_id"]],
                              "the call's SID")[0]
        self.assertEqual(row["delivery_status"], "queued")
        # An answering machine (machine detection's AnsweredBy) counts as not reached.
        r = self.callback("/v1/providers/twilio/voice/status",
                          {"CallSid": row["provider_id"], "CallStatus": "completed",
                           "AnsweredBy": "machine_end_beep", "To": ALICE, "From": FROM})
        self.assertEqual(r.status, 200, r)
        row = [n for n in self.notifications(iid) if n["id"] == row["id"]][0]
        self.assertEqual(row["delivery_status"], "machine")
        # A late "ringing" does not hide it.
        self.callback("/v1/providers/twilio/voice/status",
                      {"CallSid": row["provider_id"], "CallStatus": "ringing"})
        row = [n for n in self.notifications(iid) if n["id"] == row["id"]][0]
        self.assertEqual(row["delivery_status"], "machine")
        # Nobody acknowledged: the secondary is paged at the next step.
        self.wait_until(lambda: ("secondary", "bob") in self.pages(iid), "the secondary's page",
                        timeout=ACK_TARGET_S + 20)
        self.assertTrue(self.twilio.wait_for(lambda reqs: [
            r for r in reqs if r["resource"] == "Messages.json" and r["form"]["To"] == BOB]))
        self.server.stop_ok(self)

    def test_an_sms_reply_escalates_now_and_status_callbacks_show(self):
        self.start(alice_methods="sms", ack_target="5m")
        iid, number = self.trigger(harness.unique("sms-escalate"), "Search latency high")
        self.sms_to(ALICE, "Search latency high")
        row = self.wait_until(lambda: [n for n in self.notifications(iid)
                                       if n["user"] == "alice" and n["provider_id"]],
                              "the message's SID")[0]
        self.assertTrue(row["provider_id"].startswith("SM"))
        r = self.callback("/v1/providers/twilio/sms/status",
                          {"MessageSid": row["provider_id"], "MessageStatus": "delivered",
                           "To": ALICE, "From": FROM})
        self.assertEqual(r.status, 200, r)
        row = [n for n in self.notifications(iid) if n["id"] == row["id"]][0]
        self.assertEqual(row["delivery_status"], "delivered")

        # The ack target is 5 minutes away: only the reply brings the secondary's step now.
        sid = "SM" + secrets.token_hex(16)
        r = self.sms_reply(f"{number}E", sid=sid)
        self.assertEqual(r.status, 200, r)
        self.assertIn(f"INC-{number} escalated", r.text)
        self.sms_to(BOB, "Search latency high")
        self.assertIn(("secondary", "bob"), self.pages(iid))
        escalated = [e for e in self.server.incident(iid)["timeline"]
                     if e["type"] == "incident.escalated"]
        self.assertEqual([(e["actor"], e["data"].get("via")) for e in escalated],
                         [("user:alice", "sms")])
        # Replayed: no second escalation.
        self.sms_reply(f"{number}E", sid=sid)
        escalated = [e for e in self.server.incident(iid)["timeline"]
                     if e["type"] == "incident.escalated"]
        self.assertEqual(len(escalated), 1)
        self.server.stop_ok(self)

    def test_stop_ends_sms_until_start(self):
        self.start(alice_methods="sms", ack_target="5m")
        r = self.sms_reply("STOP")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.text.strip().endswith("<Response/>"), True, r.text)
        iid, _ = self.trigger(harness.unique("after-stop"), "Cache cluster degraded")
        row = self.wait_until(lambda: [n for n in self.notifications(iid)
                                       if n["user"] == "alice" and n["state"] == "dead"],
                              "the SMS refused after STOP")[0]
        self.assertIn("STOP", row["last_error"])
        self.assertEqual(self.twilio.sent("Messages.json", to=ALICE), [])

        r = self.sms_reply("start")
        self.assertIn("resume", r.text)
        iid2, _ = self.trigger(harness.unique("after-start"), "Queue backlog growing")
        self.sms_to(ALICE, "Queue backlog growing")
        self.server.stop_ok(self)

    def test_429_and_5xx_are_retried(self):
        self.start(alice_methods="sms", ack_target="5m")
        self.twilio.script["Messages.json"] = [(429, {"Retry-After": "1"}), (503, {})]
        iid, _ = self.trigger(harness.unique("flaky-twilio"), "Disk almost full")
        self.sms_to(ALICE, "Disk almost full")
        row = self.wait_until(lambda: [n for n in self.notifications(iid)
                                       if n["user"] == "alice" and n["state"] == "delivered"],
                              "the delivered SMS")[0]
        self.assertEqual(row["attempts"], 3)
        tries = self.twilio.sent("Messages.json", to=ALICE)
        self.assertEqual(len(tries), 3)
        self.assertGreaterEqual(tries[1]["at"] - tries[0]["at"], 0.9)  # Retry-After: 1
        failed = [e for e in self.server.incident(iid)["timeline"]
                  if e["type"] == "notification.failed"]
        self.assertEqual(len(failed), 2)
        self.assertIn("429", failed[0]["data"]["error"])
        self.server.stop_ok(self)


if __name__ == "__main__":
    unittest.main()
