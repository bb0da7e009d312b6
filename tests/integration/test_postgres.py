"""The PostgreSQL store (issue "PostgreSQL back end and several instances"): the real binary with
`store: {kind: postgres, url_env: ...}` against a real PostgreSQL from Debian's packages, started
for this module by scripts/pg_test_server.sh (its own server, so that stopping it for the outage
test disturbs no other test).

- every event that got a 202 is in the database after a kill -9 mid-stream;
- two instances on one database serve the same incidents, and a repeat sent to either joins them;
- `loom-oncall migrate` applies the schema and says so;
- the database stopped under ingest load: the server keeps running, ingest answers 503 (not a
  hang), /ready goes 503 and comes back by itself, and nothing answered 202 is lost;
- two instances and a Sev1: the primary's webhook is called once; the instance running the
  escalation is killed with SIGKILL before the secondary's deadline, and the other instance calls
  the secondary's webhook once, within a few seconds of the deadline;
- a SQLite installation (incidents, timelines, an override, a follow-up) exported with
  `loom-oncall export` and imported into PostgreSQL with `loom-oncall import`: every table's count
  matches, `audit verify --config` passes on PostgreSQL, the server on PostgreSQL shows the same
  incidents, timelines, overrides and follow-ups, and numbers new incidents after the old ones.
"""

import http.server
import json
import os
import subprocess
import tempfile
import threading
import time

import harness
from harness import pd_trigger, unique
import test_durability

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PG_SCRIPT = os.path.join(ROOT, "scripts", "pg_test_server.sh")


def psql(url, sql):
    out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise AssertionError(f"psql {sql!r}: {out.stderr}")
    return out.stdout.strip()


class PostgresServer:
    """A throwaway PostgreSQL for this module."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="loom-pg-")
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, "pg")

    def start(self):
        subprocess.run(["bash", PG_SCRIPT, "start", self.data], check=True, timeout=120,
                       capture_output=True)
        with open(os.path.join(self.data, "url")) as f:
            self.admin_url = f.read().strip()
        # The cluster, its socket and log live outside self.data (scripts/pg_test_server.sh).
        with open(os.path.join(self.data, "pgroot")) as f:
            self.pgroot = f.read().strip()

    def pg_ctl(self, *args):
        binary = sorted(d for d in os.listdir("/usr/lib/postgresql"))[-1]
        cmd = [f"/usr/lib/postgresql/{binary}/bin/pg_ctl", "-D", os.path.join(self.pgroot, "data"),
               "-w", *args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, timeout=120, capture_output=True)

    def stop_server(self):
        self.pg_ctl("-m", "fast", "stop")

    def restart_server(self):
        port = self.admin_url.rsplit(":", 1)[1].split("/")[0]
        self.pg_ctl("-l", os.path.join(self.pgroot, "server.log"), "-o",
                    f"-h 127.0.0.1 -p {port} -k {self.pgroot} -c fsync=off", "start")

    def new_database(self):
        name = unique("loom").replace("-", "_")
        psql(self.admin_url, f"CREATE DATABASE {name}")
        return self.admin_url.rsplit("/", 1)[0] + "/" + name

    def cleanup(self):
        subprocess.run(["bash", PG_SCRIPT, "stop", self.data], timeout=120, capture_output=True)
        subprocess.run(["rm", "-rf", self.dir], timeout=60)


def postgres_config(url_env="LOOM_ONCALL_PG_URL", extra=""):
    return harness.DEFAULT_CONFIG + extra + f"store:\n  kind: postgres\n  url_env: {url_env}\n"


ACK_TARGET_S = 4
# Sessions holding the leader's advisory lock (src/store/sql/pg_cluster.cc).
LEADER_LOCKS = ("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND classid = 1819242349 AND objid = 3 AND objsubid = 2")


def escalation_config(hook_port):
    """Service loom with a primary (alice) and a secondary (bob), each paged by webhook."""
    hook = ('[ {{ id: hook, type: webhook, url: "http://127.0.0.1:{port}/{user}" }} ]')
    return postgres_config(extra=f"""\
policy:
  severities:
    sev1: {{ ack_target: {ACK_TARGET_S}s }}
  repeat: 0
users:
  - {{ id: alice, name: Alice Primary, contact_methods: {hook.format(port=hook_port, user="alice")} }}
  - {{ id: bob, name: Bob Secondary, contact_methods: {hook.format(port=hook_port, user="bob")} }}
schedules:
  - {{ id: prim, layers: [ {{ participants: [alice], shift: 1w, start: 2026-01-05 }} ] }}
  - {{ id: second, layers: [ {{ participants: [bob], shift: 1w, start: 2026-01-05 }} ] }}
notify:
  allow_hosts: [127.0.0.1]
""").replace("  - id: limited\n",
             "    roles: { primary: prim, secondary: second }\n  - id: limited\n", 1)


class HookSink:
    """Records every webhook POST: (path, time, body)."""

    def __init__(self):
        calls = self.calls = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                calls.append((self.path, time.monotonic(), json.loads(body or b"{}")))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = harness.LocalHttpServer(Handler)
        self.port = self.server.port

    def to(self, user):
        return [c for c in self.calls if c[0] == f"/{user}"]


class PostgresTestCase(harness.LoomTestCase):
    """A test case with a private PostgreSQL server (self.pg) for the whole class."""

    @classmethod
    def setUpClass(cls):
        cls.pg = PostgresServer()
        try:
            cls.pg.start()
        except Exception:
            cls.pg.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.pg.cleanup()


class PostgresStoreTest(PostgresTestCase):

    def server_on(self, url, start=True):
        return self.new_server(start=start, config_text=postgres_config(),
                               env={"LOOM_ONCALL_PG_URL": url})

    def test_every_202_is_in_postgres_after_kill_9_mid_stream(self):
        url = self.pg.new_database()
        server = self.server_on(url)
        durability = test_durability.DurabilityTest()
        load = durability.run_load_then(server, server.kill)
        self.assertTrue(load.errors, "the load should have been cut off mid-stream by the kill")
        server.start()
        stored = set(psql(url, "SELECT dedup_key FROM incidents").split("\n"))
        missing = sorted(load.acked_unique - stored)
        self.assertFalse(missing, f"{len(missing)} of {len(load.acked_unique)} accepted events "
                                  f"are lost, e.g. {missing[:5]}")
        for key, count in load.acked_repeats.items():
            alerts = int(psql(url, f"SELECT COUNT(*) FROM alerts WHERE dedup_key = '{key}'"))
            self.assertGreaterEqual(alerts, count, key)
        # The restarted server numbers after the highest stored incident.
        highest = int(psql(url, "SELECT MAX(number) FROM incidents"))
        key = unique("after-restart")
        self.assertAccepted(server.enqueue(pd_trigger(dedup_key=key)), key)
        [after] = server.incidents_by_dedup_key(key)
        self.assertGreater(after["number"], highest)
        server.stop_ok(self)

    def test_two_instances_serve_one_database(self):
        url = self.pg.new_database()
        a = self.server_on(url)
        b = self.server_on(url)
        key = unique("shared")
        self.assertAccepted(a.enqueue(pd_trigger(dedup_key=key)), key)
        [seen_by_b] = b.incidents_by_dedup_key(key)
        self.assertEqual(seen_by_b["alert_count"], 1)
        # A repeat sent to the other instance joins the same incident.
        self.assertAccepted(b.enqueue(pd_trigger(dedup_key=key)), key)
        [seen_by_a] = a.incidents_by_dedup_key(key)
        self.assertEqual(seen_by_a["id"], seen_by_b["id"])
        self.assertEqual(seen_by_a["alert_count"], 2)
        # New incidents from both instances get distinct numbers.
        numbers = set()
        for server in (a, b, a, b):
            k = unique("distinct")
            self.assertAccepted(server.enqueue(pd_trigger(dedup_key=k)), k)
            [incident] = server.incidents_by_dedup_key(k)
            numbers.add(incident["number"])
        self.assertEqual(len(numbers), 4)
        a.stop_ok(self)
        b.stop_ok(self)

    def test_migrate_applies_the_schema(self):
        url = self.pg.new_database()
        root = tempfile.mkdtemp(prefix="loom-migrate-")
        self.addCleanup(subprocess.run, ["rm", "-rf", root])
        config = os.path.join(root, "loom-oncall.yaml")
        with open(config, "w") as f:
            f.write(postgres_config())
        env = harness.base_env(LOOM_ONCALL_PG_URL=url)
        out = subprocess.run([harness.binary(), "migrate", "--config", config], env=env,
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("PostgreSQL ($LOOM_ONCALL_PG_URL) is at the current schema", out.stdout)
        self.assertNotIn(url, out.stdout + out.stderr)
        self.assertGreaterEqual(int(psql(url, "SELECT MAX(version) FROM schema_migrations")), 8)
        # A database that cannot be reached: a one-line error and a non-zero exit.
        env = harness.base_env(LOOM_ONCALL_PG_URL="postgresql://loom@127.0.0.1:1/none")
        out = subprocess.run([harness.binary(), "migrate", "--config", config], env=env,
                             capture_output=True, text=True, timeout=60)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("cannot open store 'PostgreSQL ($LOOM_ONCALL_PG_URL)'", out.stderr)

    def test_database_outage_answers_503_and_recovers(self):
        url = self.pg.new_database()
        server = self.server_on(url)
        self.assertEqual(server.request("GET", "/ready").status, 200)
        accepted, statuses = [], []
        stop = threading.Event()

        def send():
            client = server.client(timeout=30)
            n = 0
            while not stop.is_set():
                n += 1
                key = unique(f"outage-{n}")
                r = client.request("POST", "/v2/enqueue", body=pd_trigger(dedup_key=key))
                statuses.append(r.status)
                if r.status == 202:
                    accepted.append(key)
                time.sleep(0.01)
            client.close()

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        try:
            time.sleep(0.5)
            self.pg.stop_server()
            # While the database is down: ingest answers 503 (the vendor's body), /ready 503.
            deadline = time.time() + 30
            while time.time() < deadline and server.request("GET", "/ready").status != 503:
                time.sleep(0.2)
            self.assertEqual(server.request("GET", "/ready").status, 503)
            seen_503 = len(statuses)
            time.sleep(1.0)
            self.assertIn(503, statuses[seen_503 - 1:], statuses[-10:])
            self.assertTrue(server.running(), "the server must survive the outage")
            self.pg.restart_server()
            deadline = time.time() + 30
            while time.time() < deadline and server.request("GET", "/ready").status != 200:
                time.sleep(0.2)
            self.assertEqual(server.request("GET", "/ready").status, 200)
            time.sleep(0.5)
        finally:
            stop.set()
            sender.join(30)
        self.assertTrue(set(statuses) <= {202, 503}, set(statuses))
        stored = set(psql(url, "SELECT dedup_key FROM incidents").split("\n"))
        missing = sorted(set(accepted) - stored)
        self.assertFalse(missing, f"{len(missing)} accepted events lost, e.g. {missing[:5]}")
        server.stop_ok(self)

    def test_the_other_instance_pages_the_secondary_once_after_a_kill_9(self):
        url = self.pg.new_database()
        sink = HookSink()
        self.addCleanup(sink.server.close)
        config = escalation_config(sink.port)
        a = self.new_server(config_text=config, env={"LOOM_ONCALL_PG_URL": url})
        # The first instance takes the leader's lock (alone, it must); then the second follows.
        deadline = time.monotonic() + 10
        while psql(url, LEADER_LOCKS) != "1":
            self.assertLess(time.monotonic(), deadline, "no instance took the leader's lock")
            time.sleep(0.1)
        b = self.new_server(config_text=config, env={"LOOM_ONCALL_PG_URL": url})
        key = unique("sev1")
        self.assertAccepted(a.enqueue(pd_trigger(dedup_key=key)), key)
        sent_at = time.monotonic()
        deadline = time.monotonic() + 10
        while not sink.to("alice") and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(len(sink.to("alice")), 1, sink.calls)
        self.assertEqual(sink.to("bob"), [])
        # The instance holding the escalation dies before the secondary's deadline.
        a.kill()
        self.assertLess(time.monotonic() - sent_at, ACK_TARGET_S - 1)
        due = sent_at + ACK_TARGET_S
        deadline = due + 15
        while not sink.to("bob") and time.monotonic() < deadline:
            time.sleep(0.05)
        bob = sink.to("bob")
        self.assertEqual(len(bob), 1, sink.calls)
        self.assertLess(bob[0][1] - due, 5.0, "the secondary must be paged within a few seconds "
                                              "of the deadline")
        # Well after: still one page each.
        time.sleep(2)
        self.assertEqual(len(sink.to("alice")), 1, sink.calls)
        self.assertEqual(len(sink.to("bob")), 1, sink.calls)
        [incident] = b.incidents_by_dedup_key(key)
        pages = [(n["role"], n["user"], n["state"]) for n in
                 b.get_json(f"/v1/incidents/{incident['id']}/notifications")["notifications"]
                 if n["kind"] == "page"]
        self.assertEqual(pages, [("primary", "alice", "delivered"), ("secondary", "bob", "delivered")])
        b.stop_ok(self)

    def test_export_import_moves_a_sqlite_installation_to_postgres(self):
        sink = HookSink()
        self.addCleanup(sink.server.close)
        pg_config = escalation_config(sink.port)
        store_section = postgres_config()[len(harness.DEFAULT_CONFIG):]
        self.assertTrue(pg_config.endswith(store_section))
        old = self.new_server(config_text=pg_config[:-len(store_section)])
        first, second = unique("moved"), unique("moved")
        for key in (first, first, second):
            self.assertAccepted(old.enqueue(pd_trigger(dedup_key=key, severity="warning")), key)
        [incident] = old.incidents_by_dedup_key(first)
        self.assertEqual(old.api("POST", f"/v1/incidents/{incident['id']}/acknowledge").status,
                         200)
        self.assertEqual(old.api("POST", f"/v1/incidents/{incident['id']}/notes",
                                 {"note": "disk of node 2 is full"}).status, 200)
        override = old.api("POST", "/v1/schedules/prim/overrides",
                           {"user": "bob", "from": "2030-01-01T00:00:00Z",
                            "to": "2030-01-02T00:00:00Z"})
        self.assertEqual(override.status, 201, override)
        followup = old.api("POST", "/v1/followups",
                           {"title": "Alert on disk usage at 80%", "owner": "alice",
                            "due": "2030-01-15T00:00:00Z", "source": {"incident": incident["id"]}})
        self.assertEqual(followup.status, 201, followup)

        def seen(server):
            incidents = server.all_incidents()
            return {
                "incidents": sorted((i["id"], i["state"], i["alert_count"]) for i in incidents),
                "timelines": {i["id"]: [(e["seq"], e["type"], e["hash"])
                                        for e in server.incident(i["id"])["timeline"]]
                              for i in incidents},
                "overrides": server.get_json("/v1/schedules/prim/overrides")["overrides"],
                "followups": server.get_json("/v1/followups")["followups"],
            }
        before = seen(old)
        old.stop_ok(self)
        sqlite_audit = harness.run_cli(["audit", "verify", "--data-dir", old.data_dir])
        self.assertEqual(sqlite_audit.returncode, 0, sqlite_audit.stderr)

        exported = os.path.join(old.root, "loom-export.jsonl")
        out = harness.run_cli(["export", "--config", old.config_path, "--data-dir", old.data_dir,
                               "--output", exported])
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout, r"\n  incidents +2\n")

        url = self.pg.new_database()
        config = os.path.join(old.root, "postgres.yaml")
        with open(config, "w") as f:
            f.write(pg_config)
        env = {"LOOM_ONCALL_PG_URL": url}
        imported = harness.run_cli(["import", "--config", config, exported], env=env)
        self.assertEqual(imported.returncode, 0, imported.stderr)
        self.assertIn("import into PostgreSQL ($LOOM_ONCALL_PG_URL)", imported.stdout)
        self.assertNotIn(url, imported.stdout + imported.stderr)
        # Counts match, table by table, as each side prints them.
        table_lines = lambda text: [l for l in text.splitlines() if l.startswith("  ")]
        self.assertEqual(table_lines(imported.stdout), table_lines(out.stdout))
        for table, rows in (("incidents", 2), ("alerts", 3), ("schedule_overrides", 1),
                            ("followups", 1)):
            self.assertEqual(int(psql(url, f"SELECT COUNT(*) FROM {table}")), rows, table)
        audit = harness.run_cli(["audit", "verify", "--config", config], env=env)
        self.assertEqual(audit.returncode, 0, audit.stdout + audit.stderr)
        self.assertEqual(audit.stdout, sqlite_audit.stdout)
        self.assertRegex(audit.stdout, r"^audit: OK, \d+ events in 2 incidents verified")

        # Importing again is refused and changes nothing.
        again = harness.run_cli(["import", "--config", config, exported], env=env)
        self.assertEqual(again.returncode, 5)
        self.assertIn("already holds data", again.stderr)

        new = self.new_server(config_text=pg_config, env=env)
        after = seen(new)
        for part in before:
            self.assertEqual(after[part], before[part], part)
        # New rows continue after the imported ones.
        key = unique("after-import")
        self.assertAccepted(new.enqueue(pd_trigger(dedup_key=key, severity="warning")), key)
        [third] = new.incidents_by_dedup_key(key)
        self.assertGreater(third["number"], max(int(i[0].split("-")[1])
                                                for i in before["incidents"]))
        created = new.api("POST", "/v1/followups",
                          {"title": "Second", "owner": "bob", "due": "2030-02-01T00:00:00Z"})
        self.assertEqual(created.status, 201, created)
        new.stop_ok(self)
