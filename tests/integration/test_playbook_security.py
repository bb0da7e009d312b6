"""The security playbook end to end (issue 5, acceptance 2), as a user sees it: a security incident
from a PagerDuty event gets the runbook's checklist; resolve and close are refused (409, naming the
open items and the missing report) until every item is done and the report is complete; the
evidence export lists every artifact with a SHA-256 that matches its exported bytes. The real
binary, a real SQLite file."""

import base64
import hashlib
import json
import os
import secrets
import tempfile
import unittest

import harness
from harness import AUTO_KEY, DEFAULT_CONFIG

DEFAULT_ITEMS = ["rotate-loom-admin-token", "rotate-node-signing-keys",
                 "rotate-smtp-credentials", "rotate-database-credentials", "tighten-allowlists",
                 "disable-risky-paths", "verify-persistence", "verify-federation-trust"]

# Close also needs the final summary (docs/followups.md).
SUMMARY = {"root_cause": "an admin token leaked through a CI log",
           "customer_impact": "none observed", "remediation": "rotated the token, scrubbed the log",
           "followups": [], "no_followups_reason": "the CI log scrubbing is already in place"}

REPORT = {"timeline": "09:02 admin token seen from unknown IP; 09:10 token rotated",
          "indicators": "requests from 203.0.113.7 with a valid admin token",
          "containment": "rotated LOOM_ADMIN_TOKEN, allowlisted the admin API",
          "residual_risk": "low: no writes observed before rotation"}


def security_event(routing_key=harness.LOOM_KEY, dedup_key=None):
    return harness.pd_trigger(routing_key=routing_key, dedup_key=dedup_key or harness.unique("sec"),
                              summary="LOOM admin token used from an unknown address",
                              severity="error", custom_details={"kind": "security"})


class SecurityPlaybookTest(harness.LoomTestCase):

    def open_security_incident(self, server, **kw):
        event = security_event(**kw)
        self.assertEqual(server.enqueue(event).status, 202)
        incident = server.incidents_by_dedup_key(event["dedup_key"])[0]
        self.assertEqual(incident["kind"], "security")
        return incident["id"]

    def cli(self, server, *args):
        return harness.run_cli(list(args) + ["--server", server.url, "--token", server.admin_token])

    def test_resolve_and_close_wait_for_the_checklist_and_the_report(self):
        server = self.new_server()
        iid = self.open_security_incident(server)
        base = f"/v1/incidents/{iid}"
        self.assertEqual(server.api("POST", f"{base}/acknowledge").status, 200)

        checklist = server.get_json(f"{base}/checklist")
        self.assertEqual([i["id"] for i in checklist["items"]], DEFAULT_ITEMS)
        self.assertEqual((checklist["done"], checklist["total"], checklist["complete"]),
                         (0, 8, False))
        self.assertEqual(server.incident(iid)["security"],
                         {"checklist": {"done": 0, "total": 8, "open": DEFAULT_ITEMS},
                          "report": False, "ready_to_resolve": False})

        problem = self.assertProblem(server.api("POST", f"{base}/resolve"), 409, "conflict")
        self.assertIn("rotate-loom-admin-token", problem["detail"])
        self.assertIn("security report is missing", problem["detail"])
        # The CLI shows the same refusal (exit 5: conflict).
        r = self.cli(server, "incident", "resolve", iid)
        self.assertEqual(r.returncode, 5, r.stdout + r.stderr)
        self.assertIn("security checklist has open items", r.stderr)
        r = self.cli(server, "incident", "show", iid)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("0/8 checklist items done, report missing", r.stdout)

        # Every item but one done (one with an owner first, then done).
        r = server.api("POST", f"{base}/checklist/rotate-loom-admin-token",
                       {"owner": "alice", "note": "rotating now"})
        self.assertEqual(r.status, 200, r)
        item = r.json()["items"][0]
        self.assertEqual((item["owner"], item["done"], item["note"]), ("alice", False,
                                                                        "rotating now"))
        for item_id in DEFAULT_ITEMS[:-1]:
            r = server.api("POST", f"{base}/checklist/{item_id}", {"done": True})
            self.assertEqual(r.status, 200, r)
        done = r.json()["items"][0]
        self.assertTrue(done["done"])
        self.assertEqual(done["done_by"], "token:admin")
        self.assertTrue(done["done_at"])
        self.assertProblem(server.api("POST", f"{base}/checklist/no-such-item", {"done": True}),
                           404, "not-found")

        # A report missing a field is refused naming it; the complete one is stored.
        partial = dict(REPORT, residual_risk="  ")
        problem = self.assertProblem(server.api("PUT", f"{base}/security-report", partial), 422,
                                     "unprocessable")
        self.assertEqual([e["pointer"] for e in problem["errors"]], ["/residual_risk"])
        self.assertProblem(server.api("GET", f"{base}/security-report"), 404, "not-found")
        r = server.api("PUT", f"{base}/security-report", REPORT)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["revision"], 1)
        self.assertEqual(server.get_json(f"{base}/security-report")["indicators"],
                         REPORT["indicators"])

        # One open item left: still refused, and only that item is named.
        problem = self.assertProblem(server.api("POST", f"{base}/resolve"), 409, "conflict")
        self.assertIn("verify-federation-trust", problem["detail"])
        self.assertNotIn("rotate-loom-admin-token", problem["detail"])
        self.assertNotIn("report", problem["detail"])

        r = server.api("POST", f"{base}/checklist/verify-federation-trust",
                       {"done": True, "note": "trust state matches the pinned keys"})
        self.assertEqual(r.json()["complete"], True)
        self.assertTrue(server.incident(iid)["security"]["ready_to_resolve"])
        self.assertEqual(server.api("POST", f"{base}/resolve").status, 200)
        self.assertEqual(server.api("PUT", f"{base}/summary", SUMMARY).status, 200)
        self.assertEqual(server.api("POST", f"{base}/close").status, 200)
        # Closed: the playbook is final.
        self.assertProblem(server.api("POST", f"{base}/checklist/tighten-allowlists",
                                      {"done": False}), 409, "conflict")

        types = [e["type"] for e in server.incident(iid)["timeline"]]
        self.assertEqual(types.count("security.checklist_updated"), 9)
        self.assertEqual(types.count("security.report_updated"), 1)
        self.assertLess(types.index("security.report_updated"), types.index("incident.resolved"))
        server.stop_ok(self)

        # Durable: a restarted server still shows the completed playbook.
        server.start()
        self.assertEqual(server.get_json(f"{base}/checklist")["done"], 8)
        server.stop_ok(self)

    def test_unchecking_an_item_blocks_close_again(self):
        server = self.new_server()
        iid = self.open_security_incident(server)
        base = f"/v1/incidents/{iid}"
        self.assertEqual(server.api("POST", f"{base}/acknowledge").status, 200)
        for item_id in DEFAULT_ITEMS:
            self.assertEqual(server.api("POST", f"{base}/checklist/{item_id}",
                                        {"done": True}).status, 200)
        self.assertEqual(server.api("PUT", f"{base}/security-report", REPORT).status, 200)
        self.assertEqual(server.api("POST", f"{base}/resolve").status, 200)
        r = server.api("POST", f"{base}/checklist/tighten-allowlists", {"done": False})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(server.api("PUT", f"{base}/summary", SUMMARY).status, 200)
        problem = self.assertProblem(server.api("POST", f"{base}/close"), 409, "conflict")
        self.assertIn("tighten-allowlists", problem["detail"])
        server.stop_ok(self)

    def test_auto_resolve_does_not_bypass_the_playbook(self):
        server = self.new_server()
        iid = self.open_security_incident(server, routing_key=AUTO_KEY, dedup_key="auto-sec")
        self.assertEqual(server.enqueue(harness.pd_action("resolve", "auto-sec", AUTO_KEY)).status,
                         202)
        incident = server.incident(iid)
        self.assertEqual(incident["state"], "triggered")
        self.assertIsNotNone(incident["alerts_resolved_at"])
        server.stop_ok(self)

    def test_the_rotation_items_come_from_the_configuration(self):
        config = DEFAULT_CONFIG + "security:\n  rotate: [LOOM_ADMIN_TOKEN, Vault root token]\n"
        server = self.new_server(config_text=config)
        iid = self.open_security_incident(server)
        items = [i["id"] for i in server.get_json(f"/v1/incidents/{iid}/checklist")["items"]]
        self.assertEqual(items[:3], ["rotate-loom-admin-token", "rotate-vault-root-token",
                                     "tighten-allowlists"])
        server.stop_ok(self)

    def test_other_incidents_have_no_checklist_and_resolve_freely(self):
        server = self.new_server()
        event = harness.pd_trigger(dedup_key=harness.unique("avail"), severity="error")
        self.assertEqual(server.enqueue(event).status, 202)
        iid = server.incidents_by_dedup_key(event["dedup_key"])[0]["id"]
        self.assertIsNone(server.incident(iid)["security"])
        self.assertProblem(server.api("GET", f"/v1/incidents/{iid}/checklist"), 404, "not-found")
        self.assertProblem(server.api("PUT", f"/v1/incidents/{iid}/security-report", REPORT), 409,
                           "conflict")
        self.assertEqual(server.api("POST", f"/v1/incidents/{iid}/acknowledge").status, 200)
        self.assertEqual(server.api("POST", f"/v1/incidents/{iid}/resolve").status, 200)
        server.stop_ok(self)

    def test_the_evidence_export_lists_every_artifact_with_a_matching_sha256(self):
        server = self.new_server()
        iid = self.open_security_incident(server)
        base = f"/v1/incidents/{iid}/evidence"
        log = secrets.token_bytes(70000) + b"\x00\xff end of access log"
        r = server.api("POST", base, {"kind": "upload", "name": "access.log",
                                      "media_type": "text/plain",
                                      "content_base64": base64.b64encode(log).decode()})
        self.assertEqual(r.status, 201, r)
        upload = r.json()
        self.assertEqual((upload["sha256"], upload["size"]),
                         (hashlib.sha256(log).hexdigest(), len(log)))
        r = server.api("POST", base, {"kind": "reference", "name": "disk snapshot",
                                      "uri": "s3://forensics/loom-node-1.img",
                                      "note": "taken before rotation"})
        self.assertEqual(r.status, 201, r)
        r = server.api("POST", base, {"kind": "reference", "name": "suspicious request",
                                      "request_id": "req-7f3a"})
        self.assertEqual(r.status, 201, r)
        # From the CLI, a file.
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "audit.json")
            audit = json.dumps({"event": "admin.login", "ip": "203.0.113.7"}).encode()
            with open(path, "wb") as f:
                f.write(audit)
            r = self.cli(server, "incident", "evidence", "add", iid, "--file", path)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(hashlib.sha256(audit).hexdigest(), r.stdout)

            problem = self.assertProblem(server.api("POST", base, {"kind": "reference",
                                                                   "name": "x"}), 422,
                                         "unprocessable")
            self.assertEqual(problem["errors"][0]["pointer"], "/uri")

            listed = server.get_json(base)["evidence"]
            self.assertEqual([a["name"] for a in listed],
                             ["access.log", "disk snapshot", "suspicious request", "audit.json"])
            export = server.get_json(f"{base}/export")
            self.assertEqual(len(export["artifacts"]), 4)
            for a in export["artifacts"]:
                content = base64.b64decode(a["content_base64"])
                self.assertEqual(hashlib.sha256(content).hexdigest(), a["sha256"], a["name"])
                self.assertEqual(len(content), a["size"])
                self.assertEqual(a["actor"], "token:admin")
                self.assertTrue(a["at"])
            by_name = {a["name"]: a for a in export["artifacts"]}
            self.assertEqual(base64.b64decode(by_name["access.log"]["content_base64"]), log)
            self.assertEqual(base64.b64decode(by_name["disk snapshot"]["content_base64"]),
                             b"s3://forensics/loom-node-1.img")

            # The CLI export writes the files and the manifest; every hash recomputes.
            out = os.path.join(tmp, "export")
            r = self.cli(server, "incident", "evidence", "export", iid, "--dir", out)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(out, "manifest.json")) as f:
                manifest = json.load(f)
            self.assertEqual(len(manifest["artifacts"]), 4)
            for a in manifest["artifacts"]:
                with open(os.path.join(out, a["file"]), "rb") as f:
                    self.assertEqual(hashlib.sha256(f.read()).hexdigest(), a["sha256"])

        timeline = server.incident(iid)["timeline"]
        added = [e["data"] for e in timeline if e["type"] == "evidence.added"]
        self.assertEqual([d["sha256"] for d in added], [a["sha256"] for a in listed])
        server.stop_ok(self)

    def test_an_upload_over_10_mib_is_refused_with_413(self):
        server = self.new_server()
        iid = self.open_security_incident(server)
        big = base64.b64encode(b"\x00" * (10 * 1024 * 1024 + 1)).decode()
        r = server.api("POST", f"/v1/incidents/{iid}/evidence",
                       {"kind": "upload", "name": "too-big.bin", "content_base64": big})
        self.assertProblem(r, 413, "payload-too-large")
        self.assertEqual(server.get_json(f"/v1/incidents/{iid}/evidence")["evidence"], [])
        server.stop_ok(self)


if __name__ == "__main__":
    unittest.main()
