"""The native JSON API: incidents, alerts, services, tokens, roles, health (docs/api.md)."""

import http.client
import re
import unittest

import harness
from harness import AUTO_KEY, LOOM_KEY, pd_trigger, unique


def open_incident(server, severity="critical", routing_key=LOOM_KEY, **kw):
    key = unique("api")
    r = server.enqueue(pd_trigger(routing_key, dedup_key=key, severity=severity, **kw))
    if r.status != 202:
        raise AssertionError(f"trigger failed: {r}")
    service = "auto" if routing_key == AUTO_KEY else "loom"
    [incident] = server.incidents_by_dedup_key(key, service)
    return incident


FINAL_SUMMARY = {"root_cause": "a test", "customer_impact": "none", "remediation": "none",
                 "followups": [], "no_followups_reason": "a test incident"}


def metric_samples(text, name):
    """{labels-string: value} of every sample of `name` in Prometheus text."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)(\s+\d+)?$", line)
        if m and m.group(1) == name:
            out[m.group(2) or ""] = float(m.group(3))
    return out


class IncidentsApiTest(harness.ServerTestCase):

    # alice: a configured user to name as commander.
    config_text = harness.DEFAULT_CONFIG + "users:\n  - { id: alice }\n"

    def act(self, incident_id, action, body=None, token=None):
        return self.server.api("POST", f"/v1/incidents/{incident_id}/{action}", body=body or {},
                               token=token)

    def create_token(self, role):
        r = self.server.api("POST", "/v1/tokens", body={"name": unique(role), "role": role})
        self.assertEqual(r.status, 201, r)
        body = r.json()
        self.assertEqual(body["role"], role)
        self.assertTrue(body["token"])
        return body["token"]

    # -- list, filters, paging --

    def test_list_filters_by_state_severity_and_service(self):
        warn = open_incident(self.server, severity="warning")
        info = open_incident(self.server, severity="info")
        auto = open_incident(self.server, routing_key=AUTO_KEY)
        self.assertEqual(self.act(info["id"], "acknowledge").status, 200)

        sev3 = self.server.all_incidents("severity=sev3")
        self.assertIn(warn["id"], [i["id"] for i in sev3])
        self.assertTrue(all(i["severity"] == "sev3" for i in sev3), sev3)

        acked = self.server.all_incidents("state=acknowledged")
        self.assertIn(info["id"], [i["id"] for i in acked])
        self.assertTrue(all(i["state"] == "acknowledged" for i in acked), acked)

        triggered = self.server.all_incidents("state=triggered&severity=sev4")
        self.assertNotIn(info["id"], [i["id"] for i in triggered])

        in_auto = self.server.all_incidents("service=auto")
        self.assertIn(auto["id"], [i["id"] for i in in_auto])
        self.assertTrue(all(i["service"] == "auto" for i in in_auto), in_auto)
        self.assertNotIn(warn["id"], [i["id"] for i in in_auto])

        open_ones = self.server.all_incidents("open=true")
        self.assertTrue(all(i["state"] in ("triggered", "acknowledged", "mitigated")
                            for i in open_ones))

    def test_list_object_has_the_documented_fields(self):
        incident = open_incident(self.server)
        for field in ("id", "number", "state", "severity", "kind", "service", "title",
                      "alert_count", "firing_alert_count", "commander", "dedup_key", "drill",
                      "created_at", "updated_at", "acknowledged_at", "mitigated_at",
                      "resolved_at", "closed_at", "alerts_resolved_at"):
            self.assertIn(field, incident)
        self.assertEqual(incident["id"], f"INC-{incident['number']}")
        self.assertIsNone(incident["commander"])
        self.assertIs(incident["drill"], False)
        self.assertRegex(incident["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")

    def test_cursor_paging_visits_every_incident_once_newest_first(self):
        for _ in range(7):
            open_incident(self.server)
        everything = self.server.all_incidents()
        self.assertGreaterEqual(len(everything), 7)
        seen, cursor = [], None
        for _ in range(len(everything) + 2):
            path = "/v1/incidents?limit=2" + (f"&cursor={cursor}" if cursor is not None else "")
            page = self.server.get_json(path)
            self.assertLessEqual(len(page["incidents"]), 2)
            seen += [i["number"] for i in page["incidents"]]
            cursor = page["next"]
            if cursor is None:
                break
        self.assertIsNone(cursor, "paging must end with next: null")
        self.assertEqual(seen, [i["number"] for i in everything])
        self.assertEqual(seen, sorted(seen, reverse=True))
        self.assertEqual(len(set(seen)), len(seen))

    def test_invalid_list_parameters_are_400(self):
        for query in ("state=sleeping", "severity=sev9", "limit=0", "limit=501"):
            with self.subTest(query=query):
                self.assertProblem(self.server.api("GET", "/v1/incidents?" + query), 400,
                                   "invalid-argument")

    # -- detail and timeline --

    def test_detail_has_alerts_and_a_hash_chained_timeline(self):
        incident = open_incident(self.server)
        self.assertEqual(self.act(incident["id"], "notes", {"note": "looking at the node"}).status,
                         200)
        detail = self.server.incident(incident["id"])
        self.assertEqual(detail["id"], incident["id"])
        self.assertEqual(len(detail["alerts"]), 1)
        self.assertEqual(detail["alerts"][0]["incident"], incident["id"])
        timeline = detail["timeline"]
        self.assertGreaterEqual(len(timeline), 2)
        self.assertEqual([e["seq"] for e in timeline], list(range(1, len(timeline) + 1)))
        for event in timeline:
            for field in ("seq", "at", "type", "actor", "data", "hash", "prev_hash"):
                self.assertIn(field, event)
            self.assertRegex(event["hash"], r"^[0-9a-f]{64}$")
        self.assertIn(timeline[0]["prev_hash"], ("", None))
        for prev, event in zip(timeline, timeline[1:]):
            self.assertEqual(event["prev_hash"], prev["hash"])
        # (the escalation engine appends its own events concurrently: look the note up by type)
        notes = [e for e in timeline if e["type"] == "incident.note"]
        self.assertEqual(len(notes), 1)
        self.assertIn("looking at the node", str(notes[0]["data"]))

    def test_unknown_incident_is_404_problem(self):
        self.assertProblem(self.server.api("GET", "/v1/incidents/INC-999999"), 404, "not-found")
        self.assertProblem(self.act("INC-999999", "acknowledge"), 404, "not-found")

    # -- actions --

    def test_full_lifecycle_through_the_api(self):
        incident = open_incident(self.server)
        iid = incident["id"]
        steps = [("acknowledge", "acknowledged", "acknowledged_at"),
                 ("mitigate", "mitigated", "mitigated_at"),
                 ("resolve", "resolved", "resolved_at"),
                 ("close", "closed", "closed_at")]
        length = len(self.server.incident(iid)["timeline"])
        for action, state, stamp in steps:
            if action == "close":  # close needs the final summary (test_followups.py)
                r = self.server.api("PUT", f"/v1/incidents/{iid}/summary", body=FINAL_SUMMARY)
                self.assertEqual(r.status, 200, r)
                length += 1
            r = self.act(iid, action, {"note": f"{action} from the test"})
            self.assertEqual(r.status, 200, r)
            body = r.json()
            self.assertEqual(body["id"], iid)
            self.assertEqual(body["state"], state)
            self.assertIsNotNone(body[stamp])
            if action == "acknowledge":
                self.assertTrue(body["commander"], "acknowledging assigns a commander")
            detail = self.server.incident(iid)
            self.assertEqual(detail["state"], state)
            self.assertGreater(len(detail["timeline"]), length)
            length = len(detail["timeline"])
            self.assertIn(state, " ".join(e["type"] for e in detail["timeline"]))

    def test_commander_severity_and_notes(self):
        iid = open_incident(self.server, severity="warning")["id"]
        # A commander is a configured user, as reassign's user is: a typo is refused.
        problem = self.assertProblem(self.act(iid, "commander", {"commander": "alcie"}), 400,
                                     "invalid-argument")
        self.assertEqual(problem["detail"], "unknown user 'alcie'")
        self.assertIsNone(self.server.incident(iid)["commander"])
        r = self.act(iid, "commander", {"commander": "alice"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["commander"], "alice")
        r = self.act(iid, "severity", {"severity": "sev2"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["severity"], "sev2")
        r = self.act(iid, "notes", {"note": "customer impact: none"})
        self.assertEqual(r.status, 200, r)
        detail = self.server.incident(iid)
        self.assertEqual(detail["commander"], "alice")
        self.assertEqual(detail["severity"], "sev2")
        self.assertIn("customer impact: none", str(detail["timeline"]))
        problem = self.assertProblem(self.act(iid, "severity", {"severity": "sev9"}), 400,
                                     "invalid-argument")
        self.assertIn("/severity", [e.get("pointer") for e in problem.get("errors", [])], problem)
        self.assertEqual(self.server.incident(iid)["severity"], "sev2")

    def test_every_answer_tells_browsers_not_to_sniff_its_type(self):
        # JSON, problem+json, the PagerDuty answer, metrics and the console: one nosniff each.
        token = {"Authorization": f"Bearer {harness.ADMIN_TOKEN}"}
        cases = [("GET", "/v1/incidents?limit=1", None, token),
                 ("GET", "/v1/nothing-here", None, token),
                 ("GET", "/v1/incidents", None, {}),
                 ("POST", "/v2/enqueue", b'{"routing_key": 1}', {}),
                 ("GET", "/metrics", None, token),
                 ("GET", "/ui/", None, {})]
        for method, path, body, headers in cases:
            with self.subTest(method=method, path=path):
                conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=30)
                try:
                    conn.request(method, path, body=body, headers=headers)
                    r = conn.getresponse()
                    r.read()
                    values = [v for k, v in r.getheaders()
                              if k.lower() == "x-content-type-options"]
                finally:
                    conn.close()
                self.assertEqual(values, ["nosniff"], f"{r.status} {r.getheaders()}")

    def test_illegal_transitions_are_409_with_a_reason(self):
        iid = open_incident(self.server)["id"]
        cases = [("mitigate", "triggered"), ("close", "triggered")]
        for action, state in cases:
            with self.subTest(action=action, state=state):
                problem = self.assertProblem(self.act(iid, action), 409, "conflict")
                self.assertIn(iid, problem.get("detail", ""))
                self.assertIn(state, problem["detail"])
                self.assertEqual(problem.get("instance"), f"/v1/incidents/{iid}/{action}")
        self.assertEqual(self.act(iid, "acknowledge").status, 200)
        problem = self.assertProblem(self.act(iid, "acknowledge"), 409, "conflict")
        self.assertIn("acknowledged", problem["detail"])
        self.assertEqual(self.act(iid, "resolve").status, 200)
        for action in ("acknowledge", "mitigate", "resolve"):
            with self.subTest(action=action, state="resolved"):
                problem = self.assertProblem(self.act(iid, action), 409, "conflict")
                self.assertIn("resolved", problem["detail"])
        self.assertEqual(self.server.incident(iid)["state"], "resolved")

    # -- authentication and roles --

    def test_401_without_or_with_an_unknown_token(self):
        for token in (None, "not-a-token", harness.ADMIN_TOKEN + "x"):
            with self.subTest(token=token):
                r = self.server.request("GET", "/v1/incidents", token=token)
                self.assertProblem(r, 401, "unauthenticated")

    def test_viewer_may_read_but_not_act(self):
        viewer = self.create_token("viewer")
        iid = open_incident(self.server)["id"]
        self.assertEqual(self.server.api("GET", "/v1/incidents", token=viewer).status, 200)
        self.assertEqual(self.server.api("GET", f"/v1/incidents/{iid}", token=viewer).status, 200)
        self.assertEqual(self.server.api("GET", "/v1/alerts", token=viewer).status, 200)
        self.assertProblem(self.act(iid, "acknowledge", token=viewer), 403, "permission-denied")
        self.assertProblem(self.act(iid, "notes", {"note": "x"}, token=viewer), 403,
                           "permission-denied")
        self.assertProblem(self.server.api("POST", "/v1/services",
                                           {"id": unique("svc"), "name": "x"}, token=viewer),
                           403, "permission-denied")
        self.assertEqual(self.server.incident(iid)["state"], "triggered")

    def test_responder_may_act_but_not_administer(self):
        responder = self.create_token("responder")
        iid = open_incident(self.server)["id"]
        r = self.act(iid, "acknowledge", token=responder)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json()["commander"])
        self.assertProblem(self.server.api("POST", "/v1/tokens", {"name": "x", "role": "admin"},
                                           token=responder), 403, "permission-denied")
        self.assertProblem(self.server.api("GET", "/v1/admin/status", token=responder), 403,
                           "permission-denied")

    def test_token_with_an_unknown_role_is_400(self):
        r = self.server.api("POST", "/v1/tokens", {"name": "x", "role": "overlord"})
        self.assertProblem(r, 400, "invalid-argument")

    # -- services --

    def test_created_service_key_works_on_enqueue(self):
        sid = unique("svc")
        r = self.server.api("POST", "/v1/services", {"id": sid, "name": "Created by a test"})
        self.assertEqual(r.status, 201, r)
        body = r.json()
        self.assertEqual(body["id"], sid)
        self.assertEqual(body["name"], "Created by a test")
        self.assertRegex(body["integration_key"], r"^[0-9a-f]{32}$")
        listed = self.server.get_json("/v1/services")["services"]
        self.assertIn(sid, [s["id"] for s in listed])
        self.assertNotIn(body["integration_key"], str(listed), "the key is shown only once")

        key = unique("new-service")
        r = self.server.enqueue(pd_trigger(body["integration_key"], dedup_key=key))
        self.assertAccepted(r, key)
        [incident] = self.server.incidents_by_dedup_key(key, sid)
        self.assertEqual(incident["service"], sid)

        self.assertProblem(self.server.api("POST", "/v1/services", {"id": sid, "name": "again"}),
                           409, "conflict")
        self.assertProblem(self.server.api("POST", "/v1/services", {"id": "Not Valid!",
                                                                    "name": "x"}),
                           400, "invalid-argument")

    def test_configured_services_are_listed(self):
        ids = [s["id"] for s in self.server.get_json("/v1/services")["services"]]
        for sid in ("loom", "limited", "auto"):
            self.assertIn(sid, ids)

    # -- health --

    def test_health_and_ready(self):
        r = self.server.request("GET", "/health")
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.json()["ok"], True)
        self.assertTrue(r.json()["version"])
        r = self.server.request("GET", "/ready")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["checks"]["store"], "ok")
        self.assertEqual(r.json()["checks"]["http"], "ok")
        self.assertIs(r.json()["ok"], True)

    def test_metrics_count_events(self):
        def total():
            r = self.server.request("GET", "/metrics")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.content_type, "text/plain")
            self.assertIn("version=0.0.4", r.headers["content-type"])
            self.assertTrue(r.text.endswith("\n"))
            return r.text, sum(metric_samples(r.text, "loom_oncall_events_total").values())

        _, before = total()
        for _ in range(3):
            open_incident(self.server)
        text, after = total()
        self.assertGreaterEqual(after - before, 3)
        self.assertIn("# TYPE loom_oncall_events_total counter", text)
        self.assertIn("# TYPE loom_oncall_http_request_duration_seconds histogram", text)
        buckets = metric_samples(text, "loom_oncall_http_request_duration_seconds_bucket")
        self.assertTrue(any('le="+Inf"' in labels for labels in buckets), buckets)
        open_by_sev = metric_samples(text, "loom_oncall_incidents_open")
        self.assertTrue(any('severity="sev1"' in labels and value >= 3
                            for labels, value in open_by_sev.items()), open_by_sev)
        self.assertTrue(metric_samples(text, "loom_oncall_writer_batch_size_count"))

    def test_admin_status(self):
        for headers in ({"x-loom-admin-token": harness.ADMIN_TOKEN},
                        {"Authorization": f"Bearer {harness.ADMIN_TOKEN}"}):
            with self.subTest(headers=list(headers)):
                r = self.server.request("GET", "/v1/admin/status", headers=headers)
                self.assertEqual(r.status, 200, r)
                body = r.json()
                for field in ("version", "uptime_seconds", "store", "incidents_open", "events"):
                    self.assertIn(field, body)
        r = self.server.request("GET", "/v1/admin/status")
        self.assertIn(r.status, (401, 403), r)
        r = self.server.request("GET", "/v1/admin/status",
                                headers={"x-loom-admin-token": "wrong"})
        self.assertIn(r.status, (401, 403), r)


if __name__ == "__main__":
    unittest.main()
