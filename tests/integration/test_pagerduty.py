"""PagerDuty Events API v2 compatibility: POST /v2/enqueue and /v2/change/enqueue (issue 2,
acceptance 2 and 4; docs/api.md "Ingest")."""

import secrets
import unittest

import harness
from harness import (AUTO_KEY, LIMITED_KEY, LIMITED_RATE_PER_MINUTE, LOOM_KEY, pd_action,
                     pd_success, pd_trigger, unique)

THROTTLE_BODY = {
    "status": "throttle exceeded",
    "message": "Requests for this service are arriving too quickly.  Please retry later.",
}


class PagerDutyLifecycleTest(harness.ServerTestCase):

    def only_incident(self, dedup_key, service="loom"):
        found = self.server.incidents_by_dedup_key(dedup_key, service)
        self.assertEqual(len(found), 1, f"incidents with dedup_key {dedup_key}: {found}")
        return found[0]

    def test_trigger_answers_202_with_exactly_the_vendor_body(self):
        key = unique("disk-full")
        r = self.server.enqueue(pd_trigger(dedup_key=key))
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.content_type, "application/json", r.headers)
        self.assertEqual(r.json(), pd_success(key))

    def test_trigger_repeat_resolve_retrigger_acceptance_2(self):
        key = unique("ready-probe")
        summary = "LOOM readiness probe failing " + key
        self.assertAccepted(self.server.enqueue(pd_trigger(dedup_key=key, summary=summary)), key)
        first = self.only_incident(key)
        self.assertRegex(first["id"], r"^INC-\d+$")
        self.assertEqual(first["state"], "triggered")
        self.assertEqual(first["severity"], "sev1")   # critical -> sev1
        self.assertEqual(first["kind"], "availability")
        self.assertEqual(first["service"], "loom")
        self.assertEqual(first["title"], summary)
        self.assertEqual(first["alert_count"], 1)

        # The same key again: the same incident, two alerts.
        self.assertAccepted(self.server.enqueue(pd_trigger(dedup_key=key, summary=summary)), key)
        again = self.only_incident(key)
        self.assertEqual(again["id"], first["id"])
        self.assertEqual(again["alert_count"], 2)
        self.assertEqual(again["firing_alert_count"], 2)

        # acknowledge -> 202, the incident is acknowledged.
        self.assertAccepted(self.server.enqueue(pd_action("acknowledge", key)), key)
        acked = self.server.incident(first["id"])
        self.assertEqual(acked["state"], "acknowledged")
        self.assertIsNotNone(acked["acknowledged_at"])

        # resolve -> 202, every member alert resolved; the incident itself stays open because the
        # service `loom` has no auto_resolve (resolving is the responder's decision).
        self.assertAccepted(self.server.enqueue(pd_action("resolve", key)), key)
        detail = self.server.incident(first["id"])
        self.assertEqual(detail["firing_alert_count"], 0, detail)
        self.assertIsNotNone(detail["alerts_resolved_at"], detail)
        self.assertEqual(detail["state"], "acknowledged", detail)
        self.assertEqual(len(detail["alerts"]), 2, detail["alerts"])
        for alert in detail["alerts"]:
            self.assertEqual(alert["status"], "resolved", alert)
            self.assertIsNotNone(alert["resolved_at"], alert)
        listed = self.server.alerts(first["id"])
        self.assertEqual(sorted(a["status"] for a in listed), ["resolved", "resolved"], listed)
        self.assertEqual({a["dedup_key"] for a in listed}, {key})

        # A new trigger with the same key opens a NEW incident.
        self.assertAccepted(self.server.enqueue(pd_trigger(dedup_key=key, summary=summary)), key)
        both = self.server.incidents_by_dedup_key(key, "loom")
        self.assertEqual(len(both), 2, both)
        newest = both[0]   # newest first
        self.assertNotEqual(newest["id"], first["id"])
        self.assertEqual(newest["state"], "triggered")
        self.assertEqual(newest["alert_count"], 1)
        self.assertEqual(self.server.incident(first["id"])["alert_count"], 2)

    def test_resolve_on_an_auto_resolve_service_resolves_the_incident(self):
        key = unique("auto")
        self.assertAccepted(self.server.enqueue(pd_trigger(AUTO_KEY, dedup_key=key)), key)
        self.assertAccepted(self.server.enqueue(pd_action("resolve", key, AUTO_KEY)), key)
        incident = self.only_incident(key, "auto")
        self.assertEqual(incident["state"], "resolved", incident)
        self.assertIsNotNone(incident["resolved_at"])

    def test_acknowledge_and_resolve_of_an_unknown_key_still_answer_202(self):
        key = unique("never-triggered")
        before = len(self.server.all_incidents())
        self.assertAccepted(self.server.enqueue(pd_action("acknowledge", key)), key)
        self.assertAccepted(self.server.enqueue(pd_action("resolve", key)), key)
        self.assertEqual(len(self.server.all_incidents()), before)

    def test_dedup_scope_is_the_routing_key(self):
        key = unique("shared-key")
        self.assertAccepted(self.server.enqueue(pd_trigger(LOOM_KEY, dedup_key=key)), key)
        self.assertAccepted(self.server.enqueue(pd_trigger(AUTO_KEY, dedup_key=key)), key)
        self.assertEqual(self.only_incident(key, "loom")["alert_count"], 1)
        self.assertEqual(self.only_incident(key, "auto")["alert_count"], 1)

    def test_trigger_without_dedup_key_gets_a_generated_key(self):
        r = self.server.enqueue(pd_trigger(summary=unique("no dedup key")))
        self.assertEqual(r.status, 202, r)
        body = r.json()
        self.assertEqual(set(body), {"status", "message", "dedup_key"}, body)
        self.assertEqual(body["status"], "success")
        self.assertEqual(body["message"], "Event processed")
        generated = body["dedup_key"]
        self.assertIsInstance(generated, str)
        self.assertTrue(generated)
        self.only_incident(generated)
        # Two keyless triggers are two alerts with two different keys.
        other = self.server.enqueue(pd_trigger(summary=unique("no dedup key"))).json()["dedup_key"]
        self.assertNotEqual(other, generated)
        # The generated key works for later events.
        self.assertAccepted(self.server.enqueue(pd_action("resolve", generated)), generated)
        self.assertEqual(self.only_incident(generated)["firing_alert_count"], 0)

    def test_timestamps_with_basic_and_extended_offsets_are_accepted(self):
        for ts in ("2026-11-27T10:23:56.690+0000", "2026-11-27T10:23:56.690+00:00",
                   "2026-11-27T10:23:56Z", "2026-11-27T11:23:56.123456789+0100"):
            with self.subTest(timestamp=ts):
                key = unique("ts")
                r = self.server.enqueue(pd_trigger(dedup_key=key, payload_timestamp=ts))
                self.assertAccepted(r, key)
                self.only_incident(key)

    def test_severity_mapping_and_overrides(self):
        cases = [("critical", {}, "sev1", "availability"),
                 ("error", {}, "sev2", "availability"),
                 ("warning", {}, "sev3", "availability"),
                 ("info", {}, "sev4", "availability"),
                 ("info", {"loom_severity": "sev1"}, "sev1", "availability"),
                 ("warning", {"kind": "security"}, "sev3", "security"),
                 ("error", {"kind": "other"}, "sev2", "other")]
        for word, details, sev, kind in cases:
            with self.subTest(severity=word, details=details):
                key = unique("sev")
                r = self.server.enqueue(pd_trigger(dedup_key=key, severity=word,
                                                   custom_details=details))
                self.assertAccepted(r, key)
                incident = self.only_incident(key)
                self.assertEqual(incident["severity"], sev)
                self.assertEqual(incident["kind"], kind)

    def test_change_event_answers_202_with_exactly_the_vendor_body(self):
        event = {
            "routing_key": LOOM_KEY,
            "payload": {
                "summary": "Deployed loom-node v2.4.1",
                "source": "ci",
                "timestamp": "2026-11-27T10:00:00.000+0000",
                "custom_details": {"commit": "8f3a2c1", "by": "alice"},
            },
            "links": [{"href": "https://ci.example.com/build/42", "text": "build 42"}],
        }
        before = len(self.server.all_incidents())
        r = self.server.request("POST", "/v2/change/enqueue", body=event)
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json(), {"status": "success", "message": "Change event processed"})
        self.assertEqual(len(self.server.all_incidents()), before, "a change opens no incident")

    def test_invalid_change_event_gets_the_vendor_error_body(self):
        r = self.server.request("POST", "/v2/change/enqueue",
                                body={"routing_key": LOOM_KEY, "payload": {"source": "ci"}})
        self.assertPagerDutyInvalid(r)


class PagerDutyInvalidEventTest(harness.ServerTestCase):
    """Acceptance 4: every bad event gets the right status and body, the server keeps serving, and
    nothing is half-written."""

    def snapshot(self):
        incidents = self.server.all_incidents()
        alerts = self.server.get_json("/v1/alerts?limit=500")["alerts"]
        return ([(i["id"], i["alert_count"], i["state"]) for i in incidents],
                sorted(a["id"] for a in alerts))

    def assertRejectedCleanly(self, send, status=400):
        before = self.snapshot()
        resp = send()
        body = self.assertPagerDutyInvalid(resp, status)
        health = self.server.request("GET", "/health")
        self.assertEqual(health.status, 200, "the server must keep serving")
        self.assertEqual(self.snapshot(), before, "a refused event must write nothing")
        # And it still accepts a good event afterwards.
        key = unique("after-bad")
        self.assertAccepted(self.server.enqueue(pd_trigger(dedup_key=key)), key)
        return body

    def setUp(self):
        # One open incident so that "unchanged" is not trivially true.
        key = unique("baseline")
        self.assertAccepted(self.server.enqueue(pd_trigger(dedup_key=key)), key)

    def post_raw(self, raw):
        return lambda: self.server.request("POST", "/v2/enqueue", raw=raw)

    def post(self, event):
        return lambda: self.server.enqueue(event)

    def test_malformed_json(self):
        self.assertRejectedCleanly(self.post_raw('{"routing_key": "' + LOOM_KEY + '", "event_'))

    def test_body_that_is_not_an_object(self):
        self.assertRejectedCleanly(self.post_raw("[1, 2, 3]"))

    def test_empty_body(self):
        self.assertRejectedCleanly(self.post_raw(""))

    def test_missing_routing_key(self):
        event = pd_trigger(dedup_key=unique("x"))
        del event["routing_key"]
        self.assertRejectedCleanly(self.post(event))

    def test_unknown_routing_key(self):
        self.assertRejectedCleanly(self.post(pd_trigger(secrets.token_hex(16),
                                                        dedup_key=unique("x"))))

    def test_wrong_event_action(self):
        self.assertRejectedCleanly(self.post(pd_trigger(dedup_key=unique("x"),
                                                        event_action="explode")))

    def test_missing_payload_summary(self):
        event = pd_trigger(dedup_key=unique("x"))
        del event["payload"]["summary"]
        self.assertRejectedCleanly(self.post(event))

    def test_missing_payload_on_trigger(self):
        event = pd_trigger(dedup_key=unique("x"))
        del event["payload"]
        self.assertRejectedCleanly(self.post(event))

    def test_invalid_payload_severity(self):
        self.assertRejectedCleanly(self.post(pd_trigger(dedup_key=unique("x"), severity="urgent")))

    def test_acknowledge_without_dedup_key(self):
        self.assertRejectedCleanly(self.post({"routing_key": LOOM_KEY,
                                              "event_action": "acknowledge"}))

    def test_dedup_key_longer_than_255(self):
        self.assertRejectedCleanly(self.post(pd_trigger(dedup_key="k" * 256)))

    def test_two_mebibyte_body_is_refused_with_413(self):
        event = pd_trigger(dedup_key=unique("huge"),
                           custom_details={"blob": "x" * (2 * 1024 * 1024)})
        body = harness.json.dumps(event).encode()
        head = (f"POST /v2/enqueue HTTP/1.1\r\nHost: {self.server.host}:{self.server.port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        self.assertRejectedCleanly(
            lambda: harness.raw_exchange(self.server.host, self.server.port, head, body), 413)
        self.assertEqual(self.server.incidents_by_dedup_key(event["dedup_key"]), [])

    def test_body_just_under_the_512_kib_limit_is_accepted(self):
        key = unique("big-but-ok")
        event = pd_trigger(dedup_key=key, custom_details={"blob": ""})
        overhead = len(harness.json.dumps(event).encode())
        event["payload"]["custom_details"]["blob"] = "y" * (500 * 1024 - overhead)
        self.assertAccepted(self.server.enqueue(event), key)


class PagerDutyRateLimitTest(harness.ServerTestCase):

    def test_key_over_its_rate_limit_gets_429_with_the_vendor_body(self):
        accepted, throttled = 0, None
        # rate_limit_per_minute is 5. A fixed-window limiter may straddle a minute boundary, so
        # allow up to twice the limit before the first 429, never fewer than the limit.
        for i in range(3 * LIMITED_RATE_PER_MINUTE):
            r = self.server.enqueue(pd_trigger(LIMITED_KEY, dedup_key=unique(f"burst{i}")))
            if r.status == 429:
                throttled = r
                break
            self.assertAccepted(r)
            accepted += 1
        self.assertIsNotNone(throttled, f"no 429 after {accepted} events at 5/min")
        self.assertGreaterEqual(accepted, LIMITED_RATE_PER_MINUTE)
        self.assertLessEqual(accepted, 2 * LIMITED_RATE_PER_MINUTE)
        self.assertEqual(throttled.content_type, "application/json", throttled.headers)
        self.assertEqual(throttled.json(), THROTTLE_BODY)
        # The throttled event wrote nothing; other keys are not throttled.
        self.assertEqual(len(self.server.all_incidents("service=limited")), accepted)
        key = unique("other-service")
        self.assertAccepted(self.server.enqueue(pd_trigger(LOOM_KEY, dedup_key=key)), key)


if __name__ == "__main__":
    unittest.main()
